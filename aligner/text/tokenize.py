"""Word tokenization for MT-training exports (Moses-style, tokens separated by one space).

English and other space-separated languages use sacremoses (the Moses tokenizer, without
its HTML-entity escaping, which belongs to a file format and not to the text). Korean is cut
into morphemes by kiwipiepy: eojeol split on spaces would leave particles and endings glued
to every noun and verb, which is what makes Korean sparse for MT.
"""

from __future__ import annotations

from functools import cache, lru_cache

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
    return Kiwi()


@cache
def get_moses(lang: str) -> MosesTokenizer:
    """One Moses tokenizer per language (it compiles its rules and prefix lists when built)."""
    return MosesTokenizer(lang=lang)


def tokenize_korean(text: str) -> str:
    """Kiwi's morpheme forms joined by single spaces (forms are base forms: 했다 → 하 었 다)."""
    return " ".join(" ".join(token.form for token in get_kiwi().tokenize(text)).split())


def tokenize(text: str, lang: str) -> str:
    """Tokens of ``text`` in language ``lang`` joined by single spaces, with no line breaks.

    Korean (``ko``) goes to Kiwi; every other language to the Moses tokenizer for that
    language code (which falls back to generic rules for codes it has no prefix list for).
    Whitespace-only text gives "".
    """
    if not text.strip():
        return ""
    code = primary_lang(lang)
    if code in KOREAN_CODES:
        return tokenize_korean(text)
    tokens = get_moses(code).tokenize(text, escape=False, return_str=True)
    return " ".join(tokens.split())
