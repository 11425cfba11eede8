"""Word tokenization for MT-training exports (Moses-style, tokens separated by one space).

English and other space-separated languages use sacremoses (the Moses tokenizer, without
its HTML-entity escaping, which belongs to a file format and not to the text), whose
detokenizer (``sacremoses.MosesDetokenizer``) turns the tokens back into the sentence. Korean is cut where kiwipiepy's
morphemes start and end: eojeol split on spaces would leave particles and endings glued
to every noun and verb, which is what makes Korean sparse for MT.

Korean tokens are always pieces of the sentence as written (``했습니다`` gives ``했 습니다``,
never Kiwi's base forms ``하 었 습니다`` with decomposed jamo): Kiwi reports where each
morpheme sits in the text, and the tokens are cut there, morphemes that share a syllable
staying together. So every character of the sentence but its spaces is in exactly one
token, in order, and taking out the spaces the tokenizer added gives the sentence back
(see :func:`korean_token_spans`).
"""

from __future__ import annotations

from functools import cache, lru_cache
from typing import TYPE_CHECKING

if TYPE_CHECKING:  # both load on first use: importing them costs half a second of start-up
    from kiwipiepy import Kiwi
    from sacremoses import MosesTokenizer

#: Language codes (lower-case primary subtag) routed to the Korean morpheme analyser.
KOREAN_CODES = frozenset({"ko", "kor"})


def primary_lang(lang: str) -> str:
    """``"ko-KR"``, ``"ko_kr"``, ``"KO"`` → ``"ko"``: tokenizers only care about the language."""
    return lang.strip().lower().replace("_", "-").split("-", 1)[0]


@lru_cache(maxsize=1)
def get_kiwi() -> Kiwi:
    """The process's one Kiwi analyser, built on first use (loading its model takes seconds)."""
    from kiwipiepy import Kiwi

    return Kiwi()


@cache
def get_moses(lang: str) -> MosesTokenizer:
    """One Moses tokenizer per language (it compiles its rules and prefix lists when built)."""
    from sacremoses import MosesTokenizer

    return MosesTokenizer(lang=lang)


def korean_token_spans(text: str) -> list[tuple[int, int]]:
    """Half-open character spans of the tokens of Korean ``text``, in order, never overlapping.

    Kiwi's morphemes where it places them; morphemes that share characters (a contracted
    syllable: 했 holds 하 and 었) make one token; a token never holds whitespace (a span
    across a space is cut there); and any non-space text Kiwi left out becomes tokens of its
    own. Together the spans cover every non-space character of ``text`` exactly once.
    """
    n = len(text)
    spans: list[list[int]] = []
    for token in sorted(get_kiwi().tokenize(text), key=lambda t: (t.start, t.len)):
        start, end = max(0, min(token.start, n)), max(0, min(token.start + token.len, n))
        if end <= start:
            continue
        if spans and start < spans[-1][1]:  # shares characters with the previous morpheme
            spans[-1][1] = max(spans[-1][1], end)
        else:
            spans.append([start, end])
    out: list[tuple[int, int]] = []
    covered = 0
    for start, end in spans + [[n, n]]:
        out += _words(text, covered, start)  # text Kiwi skipped
        out += _words(text, start, end)  # the token, cut at any whitespace inside it
        covered = end
    return out


def _words(text: str, start: int, end: int) -> list[tuple[int, int]]:
    """Spans of the whitespace-separated pieces of ``text[start:end]``."""
    out = []
    i = start
    while i < end:
        if text[i].isspace():
            i += 1
            continue
        j = i
        while j < end and not text[j].isspace():
            j += 1
        out.append((i, j))
        i = j
    return out


def tokenize_korean(text: str) -> str:
    """The sentence's surface tokens (see :func:`korean_token_spans`) joined by single spaces."""
    return " ".join(text[a:b] for a, b in korean_token_spans(text))


def tokenize(text: str, lang: str) -> str:
    """Tokens of ``text`` in language ``lang`` joined by single spaces, with no line breaks.

    Korean (``ko``) is cut at Kiwi's morphemes, keeping the text as written; every other
    language goes to the Moses tokenizer for that language code (which falls back to
    generic rules for codes it has no prefix list for). Whitespace-only text gives "".
    """
    if not text.strip():
        return ""
    code = primary_lang(lang)
    if code in KOREAN_CODES:
        return tokenize_korean(text)
    tokens = get_moses(code).tokenize(text, escape=False, return_str=True)
    return " ".join(tokens.split())
