"""Language identification and the check that each side is in the language it claims.

A script test comes first because it is fast and robust where statistics are not: a
Korean article is full of Latin names and acronyms (``IBM과``, ``(UN)``), and an English
article may quote a Korean word, yet Korean particles glue onto those Latin words, so
counting *words* that contain Hangul settles Korean at once. Only Latin-script (or other
script) text goes to langdetect, seeded so that the same text always gets the same answer.
"""

from __future__ import annotations

import re
from functools import cache

from aligner.errors import LanguageError

#: Enough text to judge; longer articles only cost time.
MAX_CHARS = 5000
#: Share of words carrying Hangul (among words with Hangul or Latin letters) above which
#: a text is Korean. Particles attach to Latin words, so Korean text scores near 1.
KOREAN_WORD_SHARE = 0.5
#: Latin-script text shorter than this (letters) is too short for langdetect; the project
#: pairs Korean with English, so short Latin text is taken as English.
MIN_LATIN_LETTERS = 20

#: English function words that are no word at all in the other Latin-script languages
#: langdetect knows ("in", "is", "to", "for", "on" are left out: German, Dutch, Czech,
#: Danish or French use them). They are about a sixth of the words of English news
#: (NTREX-128 and KEP: 17 % typically, 8.1 % at the least in 375 eight-line stretches)
#: and none of a German, French, Spanish, Dutch or Italian text (tested).
_ENGLISH_WORDS = frozenset("the of and that with said are were has have by from it this which its".split())
#: Share of those words above which Latin text is English without asking langdetect
#: (which costs ~5 ms a text, whatever its length); below it, langdetect decides.
ENGLISH_WORD_SHARE = 0.08
#: ... counted only over this many words or more.
MIN_ENGLISH_WORDS = 40
#: Fewer words do when the text only has to be *confirmed* as English (``check_language``
#: expecting English): a short Latin text with that share of English-only words is no
#: other language, and langdetect's first call (loading its profiles) costs ~0.5 s.
MIN_ENGLISH_WORDS_TO_CONFIRM = 5

_HANGUL = re.compile(r"[\uac00-\ud7a3\u1100-\u11ff\u3130-\u318f\ua960-\ua97f\ud7b0-\ud7ff]")
_LATIN = re.compile(r"[A-Za-z\u00c0-\u024f\u1e00-\u1eff]")
_WORD = re.compile(r"\S+")
_LATIN_WORD = re.compile(r"[A-Za-z]+")

#: English names of the languages in messages.
LANGUAGE_NAMES = {
    "ko": "Korean",
    "en": "English",
    "de": "German",
    "fr": "French",
    "es": "Spanish",
    "it": "Italian",
    "pt": "Portuguese",
    "nl": "Dutch",
    "ja": "Japanese",
    "zh": "Chinese",
    "ru": "Russian",
    "vi": "Vietnamese",
    "id": "Indonesian",
    "tl": "Tagalog",
    "ar": "Arabic",
    "pl": "Polish",
    "sv": "Swedish",
    "da": "Danish",
    "no": "Norwegian",
    "fi": "Finnish",
    "tr": "Turkish",
    "cs": "Czech",
    "hu": "Hungarian",
    "ro": "Romanian",
    "uk": "Ukrainian",
    "th": "Thai",
    "hi": "Hindi",
    "he": "Hebrew",
    "el": "Greek",
    "ca": "Catalan",
}


def language_name(code: str) -> str:
    """``"ko"`` → ``"Korean"``; unknown codes are returned as they are."""
    return LANGUAGE_NAMES.get(code, code)


def iso_code(code: str) -> str:
    """Primary ISO 639-1 subtag of a language tag: ``"zh-cn"``, ``"ko_KR"``, ``"KO"`` → ``"zh"``, ``"ko"``."""
    return code.strip().lower().replace("_", "-").split("-", 1)[0]


def script_counts(text: str) -> tuple[int, int, int]:
    """Words containing Hangul, words with Latin letters and no Hangul, and all letters.

    >>> script_counts("삼성전자(Samsung)는 IBM과 협력했다 in 2024")
    (3, 1, 22)
    """
    hangul_words = latin_words = 0
    for match in _WORD.finditer(text):
        word = match.group()
        if _HANGUL.search(word):
            hangul_words += 1
        elif _LATIN.search(word):
            latin_words += 1
    letters = sum(map(str.isalpha, text))  # map: the loop stays in C
    return hangul_words, latin_words, letters


def _looks_english(text: str, min_words: int = MIN_ENGLISH_WORDS) -> bool:
    """Plainly English by its commonest words: the fast path that spares langdetect."""
    words = _LATIN_WORD.findall(text)
    if len(words) < min_words:
        return False
    return sum(w.lower() in _ENGLISH_WORDS for w in words) >= ENGLISH_WORD_SHARE * len(words)


def _short_english(sample: str) -> bool:
    """A short text (a sentence or two) that is English by its function words: two or more
    of them, and no letter outside ASCII (Romanian "are", for one, comes with ă, ș, â)."""
    if not sample.isascii():
        return False
    words = [w.lower() for w in _LATIN_WORD.findall(sample)]
    hits = sum(w in _ENGLISH_WORDS for w in words)
    return len(words) >= MIN_ENGLISH_WORDS_TO_CONFIRM and hits >= 2 and hits >= ENGLISH_WORD_SHARE * len(words)


def _confirmed_english(sample: str) -> bool:
    """Mostly Latin letters (no Hangul) and English function words enough for a short text."""
    hangul_words, _, letters = script_counts(sample)
    latin_letters = len(_LATIN.findall(sample))
    return (
        not hangul_words
        and letters > 0
        and latin_letters >= 0.5 * letters
        and _looks_english(sample, MIN_ENGLISH_WORDS_TO_CONFIRM)
    )


def detect_language(text: str) -> str:
    """ISO 639-1 code of the language ``text`` is written in (``"ko"``, ``"en"``, ``"de"``...).

    Hangul-dominated text is Korean without asking langdetect; short Latin-script text
    (under :data:`MIN_LATIN_LETTERS` letters) is English, and so is Latin text full of
    English function words (:data:`ENGLISH_WORD_SHARE`); the rest goes to langdetect
    (seeded, so repeatable), whose ``zh-cn``/``zh-tw`` become ``zh``; ``"und"`` when it
    finds nothing to go on in non-Latin text. Raises
    :class:`~aligner.errors.LanguageError` when there are no letters to judge by.
    """
    sample = text[:MAX_CHARS]
    hangul_words, latin_words, letters = script_counts(sample)
    if letters == 0:
        raise LanguageError(None, "no letters to tell the language by")
    scripted = hangul_words + latin_words
    if hangul_words and hangul_words >= KOREAN_WORD_SHARE * scripted:
        return "ko"
    latin_letters = len(_LATIN.findall(sample))
    mostly_latin = latin_letters >= 0.5 * letters
    if mostly_latin and latin_letters < MIN_LATIN_LETTERS:
        return "en"
    if mostly_latin and (_looks_english(sample) or _short_english(sample)):
        return "en"
    detect_langs, no_features = _langdetect()
    try:
        guesses = detect_langs(sample)
    except no_features:  # no features langdetect can use (e.g. only symbols)
        return "en" if mostly_latin else "und"
    return iso_code(guesses[0].lang)


@cache
def _langdetect() -> tuple:
    """langdetect's detector and its exception, loaded on first need and seeded (it
    samples n-grams at random: fixed for repeatability)."""
    from langdetect import DetectorFactory, detect_langs
    from langdetect.lang_detect_exception import LangDetectException

    DetectorFactory.seed = 0
    return detect_langs, LangDetectException


def check_language(text: str, expected: str, item: str, counterpart: str | None = None) -> None:
    """Raise :class:`~aligner.errors.LanguageError` unless ``text`` is in ``expected``.

    ``item`` names the file or URL in the one-line message ("expected Korean text but
    found English"). When the text is in the *other* side's language (``counterpart``;
    for an English–Korean pair, the other of the two) the message says the sides look
    swapped, the usual cause.
    """
    want = iso_code(expected)
    if want == "en" and _confirmed_english(text[:MAX_CHARS]):
        return
    try:
        found = detect_language(text)
    except LanguageError:
        raise LanguageError(item, f"expected {language_name(want)} text but found no letters") from None
    if found == want:
        return
    other = iso_code(counterpart) if counterpart else {"en": "ko", "ko": "en"}.get(want)
    hint = f" (are the {language_name(want)} and {language_name(other)} sides swapped?)" if found == other else ""
    raise LanguageError(item, f"expected {language_name(want)} text but found {language_name(found)}{hint}")


def check_pair_languages(
    src_text: str, src_lang: str, tgt_text: str, tgt_lang: str, src_item: str, tgt_item: str
) -> None:
    """The one rule for a pair: each side in its own language, and two languages.

    Every path that aligns a pair checks it here (``aligner run`` and its workers,
    ``aligner align``, :func:`aligner.steps.align_articles`). Each side is checked with the
    other side's language as its counterpart, so a pair given the wrong way round is
    reported on its first side as "(are the English and Korean sides swapped?)"; two
    texts in one language pass both checks only when both sides claim it, which is no
    pair either.
    """
    check_language(src_text, src_lang, src_item, counterpart=tgt_lang)
    check_language(tgt_text, tgt_lang, tgt_item, counterpart=src_lang)
    if iso_code(src_lang) == iso_code(tgt_lang):
        raise LanguageError(
            f"{src_item} / {tgt_item}",
            f"both sides are {language_name(iso_code(src_lang))} text; give a text and its translation",
        )
