"""Tokenizing for MT exports: Moses rules for English, Kiwi morphemes for Korean."""

from __future__ import annotations

from hypothesis import given, settings
from hypothesis import strategies as st

from aligner.text.tokenize import get_kiwi, get_moses, primary_lang, tokenize


def test_english_splits_punctuation_and_clitics_without_escaping() -> None:
    assert tokenize("Hello, world! It's 3.5% of the U.S. budget.", "en") == (
        "Hello , world ! It 's 3.5 % of the U.S. budget ."
    )
    # no Moses HTML escaping: the export formats do their own
    assert tokenize('AT&T said "<no>" [sic] | x', "en") == 'AT & T said " < no > " [ sic ] | x'


def test_korean_gives_morphemes() -> None:
    tokens = tokenize("한겨레는 1988년에 창간했다.", "ko").split(" ")
    assert tokens[:5] == ["한겨레", "는", "1988", "년", "에"]
    assert tokens[-1] == "."
    assert "창간" in tokens


def test_language_codes_are_normalised() -> None:
    assert primary_lang("ko-KR") == primary_lang("KO_kr") == primary_lang(" ko ") == "ko"
    assert tokenize("서울에 갔다", "ko-KR") == tokenize("서울에 갔다", "ko")
    assert tokenize("Don't.", "EN") == tokenize("Don't.", "en") == "Don 't ."


def test_other_latin_script_languages_use_moses() -> None:
    assert tokenize("Bonjour, le monde!", "fr") == "Bonjour , le monde !"
    assert tokenize("Guten Tag, Welt.", "de") == "Guten Tag , Welt ."


def test_empty_and_multiline_text() -> None:
    for lang in ("en", "ko"):
        assert tokenize("", lang) == ""
        assert tokenize(" \t\n ", lang) == ""
    assert tokenize("one line\nand\tanother\r\n", "en") == "one line and another"
    assert "\n" not in tokenize("첫 줄\n둘째 줄", "ko")


def test_models_are_built_once() -> None:
    assert get_kiwi() is get_kiwi()
    assert get_moses("en") is get_moses("en")
    assert get_moses("en") is not get_moses("fr")


@settings(max_examples=40, deadline=None)
@given(
    st.text(st.characters(exclude_categories=("Cs",)), max_size=60),
    st.sampled_from(["en", "ko"]),
)
def test_property_output_is_one_line_of_single_spaced_tokens(text: str, lang: str) -> None:
    out = tokenize(text, lang)
    assert out == " ".join(out.split())  # no line breaks, no runs of whitespace, no padding
    assert len(out.splitlines()) <= 1
