"""Text cleaning for storage and punctuation normalisation for the aligner.

Two different jobs, kept apart on purpose:

* :func:`clean_text` is applied to text that is *stored and exported*: it removes only
  what nobody can see or type (zero-width and control characters, runs of spaces), so the
  corpus keeps the punctuation exactly as the newspaper published it.
* :func:`normalize_for_alignment` is what the *aligner* sees: curly and straight quotes,
  dashes, full-width forms and spacing made uniform across both languages, so that
  similarity and length scores are not disturbed by typography.
"""

from __future__ import annotations

import importlib.util
import re
import sys
import unicodedata
from functools import lru_cache
from typing import TYPE_CHECKING, Any

import regex  # installed with sacremoses, which uses it too; knows Unicode categories

if TYPE_CHECKING:
    from sacremoses import MosesPunctNormalizer

#: Control (Cc) and format (Cf) characters: zero-width spaces and joiners, BOM, soft
#: hyphens, bidi marks, stray C0/C1 controls. Newline and tab survive.
_INVISIBLE = regex.compile(r"(?![\n\t])[\p{Cc}\p{Cf}]")
#: Surrogate code points: a Python str holds them only after bad decoding (surrogateescape,
#: a UTF-16 stream cut mid-pair), and SQLite and UTF-8 refuse them.
_SURROGATE = re.compile("[\ud800-\udfff]")
_SPACES = re.compile(r"[^\S\n\t]+")  # horizontal whitespace other than tab, incl. NBSP
_SPACE_AROUND_NEWLINE = re.compile(r" *\n *")

#: Quote marks Moses leaves alone, mapped to ASCII quotes before it runs
#: (CJK corner brackets are quotation marks in Korean, Chinese and Japanese text).
_QUOTES = str.maketrans(
    {
        "「": '"',
        "」": '"',
        "『": '"',
        "』": '"',
        "‟": '"',
        "″": '"',
        "〝": '"',
        "〞": '"',
        "＂": '"',
        "‛": "'",
        "′": "'",
        "‹": "'",
        "›": "'",
        "＇": "'",
    }
)

#: Moses rules that pad brackets with spaces: in Korean they split particles off nouns.
_HARMFUL_TO_KOREAN = frozenset({(r"\(", r" ("), (r"\)", r") ")})

#: Languages whose codes Moses has special quote/comma/number rules for.
_MOSES_LANGS = frozenset({"en", "de", "es", "fr", "cz", "cs"})


def clean_text(text: str) -> str:
    """Stored-text cleaning: NFC, no invisible characters, single spaces, punctuation kept.

    Line breaks become ``\\n`` (``\\r\\n`` and lone ``\\r`` included), spaces at line ends
    go, and the whole text is stripped. A high surrogate followed by a low one becomes the
    character they encode; any other surrogate is dropped, so the text can always be
    stored. Everything else, quotes and dashes included, is left as published, because
    exporters must give back the newspaper's text.

    >>> clean_text("Seoul\\u200b  said\\u00a0 “no”.\\r\\n")
    'Seoul said “no”.'
    """
    if _SURROGATE.search(text):
        text = _SURROGATE.sub("", text.encode("utf-16-le", "surrogatepass").decode("utf-16-le", "surrogatepass"))
    text = unicodedata.normalize("NFC", text.replace("\r\n", "\n").replace("\r", "\n"))
    text = _INVISIBLE.sub("", text)
    text = _SPACES.sub(" ", text)
    text = _SPACE_AROUND_NEWLINE.sub("\n", text)
    return text.strip()


def _primary(lang: str) -> str:
    return lang.strip().lower().replace("_", "-").split("-", 1)[0]


@lru_cache(maxsize=1)
def _normalizer_class() -> Any:
    """sacremoses' ``MosesPunctNormalizer``, without importing the whole package when it
    can be helped: ``import sacremoses`` builds its tokenizer's hundreds of regular
    expressions first (about 0.4 s, half of ``aligner align``'s start-up), which the
    normaliser (a module of its own that needs only ``re`` and ``regex``) never uses.
    Its module is loaded by itself under its own name, so a later ``import sacremoses``
    (tokenizing an export) finds it there; anything unexpected takes the plain import."""
    name = "sacremoses.normalize"
    if name not in sys.modules and "sacremoses" not in sys.modules:
        try:
            package = importlib.util.find_spec("sacremoses")
            locations = list(package.submodule_search_locations or []) if package else []
            spec = importlib.util.spec_from_file_location(name, f"{locations[0]}/normalize.py")
            if spec is not None and spec.loader is not None:
                module = importlib.util.module_from_spec(spec)
                sys.modules[name] = module
                try:
                    spec.loader.exec_module(module)
                except BaseException:
                    del sys.modules[name]
                    raise
        except Exception:  # noqa: BLE001 - a layout we do not know: the ordinary import below
            pass
    if name in sys.modules and hasattr(sys.modules[name], "MosesPunctNormalizer"):
        return sys.modules[name].MosesPunctNormalizer
    from sacremoses import MosesPunctNormalizer as normalizer

    return normalizer


@lru_cache(maxsize=16)
def get_punct_normalizer(lang: str) -> MosesPunctNormalizer:
    """The Moses punctuation normaliser for ``lang``, built once (it holds ~80 rules).

    Korean gets the English rules without the English-only habit of moving a comma or
    period inside a closing quote (``"좋다",`` must not become ``"좋다,"``: Korean puts the
    quotative particle straight after the quote mark). Other languages Moses has no
    rules for get its generic set. Korean also keeps its spacing around brackets: Moses
    pads every ``(`` and ``)`` with spaces, which would cut a particle off its noun
    (``한겨레(Hankyoreh)는`` → ``한겨레 (Hankyoreh) 는``). Full-width forms (，。？！（）) become ASCII first.
    """
    code = _primary(lang)
    if code == "ko":
        moses = _normalizer_class()(lang="en", norm_quote_commas=False, pre_replace_unicode_punct=True)
        moses.substitutions = [rule for rule in moses.substitutions if rule not in _HARMFUL_TO_KOREAN]
        return moses
    return _normalizer_class()(lang=code if code in _MOSES_LANGS else "en", pre_replace_unicode_punct=True)


def normalize_for_alignment(text: str, lang: str) -> str:
    """The form of ``text`` the aligner compares: uniform quotes, dashes, spaces.

    NFC (never NFKC: it would turn Korean compatibility jamo such as ㅋ into conjoining
    jamo), invisible characters removed, Moses punctuation normalisation for ``lang``,
    every quote mark made ASCII ``"`` or ``'``, whitespace (line breaks included)
    collapsed to single spaces. Never stored: the corpus keeps the published text.

    >>> normalize_for_alignment("“Peace,” he said — again…", "en")
    '"Peace," he said - again...'
    """
    text = clean_text(text).translate(_QUOTES)
    if not text:
        return ""
    text = get_punct_normalizer(lang).normalize(text)
    return " ".join(text.split())


#: Joins a document's sentences for one pass of the Moses rules: a private-use character,
#: which no rule matches, and which the rules' ``\s*`` and ``+`` never reach across.
_JOINER = "\ue000"
#: Languages whose Moses rules look past a sentence's end (``(\.+)"(\s*[^<])``).
_REACHING_RULES = frozenset({"de", "es", "fr"})


def normalize_many(texts: list[str], lang: str) -> list[str]:
    """:func:`normalize_for_alignment` of each text, for a document's sentences at once.

    The Moses normaliser runs some 80 regular expressions a call, whatever the text's
    length; run once over the joined sentences instead of once a sentence, the same
    answers cost a fraction of the time.
    """
    cleaned = [clean_text(text).translate(_QUOTES) for text in texts]
    if len(cleaned) < 2 or _primary(lang) in _REACHING_RULES or any(_JOINER in text for text in cleaned):
        return [normalize_for_alignment(text, lang) for text in texts]
    joined = get_punct_normalizer(lang).normalize(_JOINER.join(cleaned))
    return [" ".join(piece.split()) for piece in joined.split(_JOINER)]
