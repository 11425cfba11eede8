"""clean_text keeps what was published; normalize_for_alignment makes typography uniform."""

from __future__ import annotations

import unicodedata

from hypothesis import given, settings
from hypothesis import strategies as st

from aligner.text.normalize import clean_text, get_punct_normalizer, normalize_for_alignment, normalize_many


def test_clean_text_removes_invisible_characters_only() -> None:
    text = "\ufeffSeoul\u200b said\u00a0 “no”\u00ad —\u200e again…\x07 ‘yes’"
    assert clean_text(text) == "Seoul said “no” — again… ‘yes’"


def test_clean_text_keeps_newlines_and_tabs_and_unifies_line_ends() -> None:
    assert clean_text("one  \r\ntwo\rthree\t4 \n five ") == "one\ntwo\nthree\t4\nfive"


def test_clean_text_composes_hangul() -> None:
    decomposed = unicodedata.normalize("NFD", "한겨레")
    assert decomposed != "한겨레"
    assert clean_text(decomposed) == "한겨레"


def test_normalize_english_quotes_dashes_ellipsis() -> None:
    assert normalize_for_alignment("“Peace,” he said — again… ‘yes’ don’t", "en") == (
        "\"Peace,\" he said - again... 'yes' don't"
    )


def test_normalize_collapses_all_whitespace() -> None:
    assert normalize_for_alignment("  He\n\nsaid\t\u00a0so. ", "en") == "He said so."


def test_normalize_korean_keeps_particles_on_their_words() -> None:
    text = "“정말 대단하다!”라며 한겨레(Hankyoreh)는 「좋다」, ‘왜’ 했다… 7만2,500원（원화）"
    assert (
        normalize_for_alignment(text, "ko")
        == '"정말 대단하다!"라며 한겨레(Hankyoreh)는 "좋다", \'왜\' 했다... 7만2,500원(원화)'
    )


def test_normalize_korean_does_not_move_commas_into_quotes() -> None:
    assert normalize_for_alignment('그는 "좋다", "싫다"라고 했다.', "ko") == '그는 "좋다", "싫다"라고 했다.'
    assert normalize_for_alignment('He said "yes", then left.', "en") == 'He said "yes," then left.'


def test_normalize_keeps_compatibility_jamo() -> None:
    # NFKC would turn ㅋ (U+314B) into a conjoining jamo; NFC keeps it.
    assert normalize_for_alignment("ㅋㅋ 좋다", "ko") == "ㅋㅋ 좋다"


def test_normalize_other_languages() -> None:
    assert normalize_for_alignment("«Bonjour», dit-il.", "fr") == '"Bonjour", dit-il.'
    assert normalize_for_alignment("„Ja“, sagte er.", "de-DE") == '"Ja", sagte er.'
    assert normalize_for_alignment("Hola – adiós", "es") == "Hola - adiós"


def test_normalizers_are_built_once_per_language() -> None:
    assert get_punct_normalizer("ko") is get_punct_normalizer("ko")
    assert get_punct_normalizer("en") is not get_punct_normalizer("ko")


def test_empty_text() -> None:
    assert clean_text(" \u200b ") == ""
    assert normalize_for_alignment("\u200b", "en") == ""


@settings(max_examples=200, deadline=None)
@given(st.text(max_size=200), st.sampled_from(["en", "ko", "de"]))
def test_normalized_text_is_one_clean_line(text: str, lang: str) -> None:
    out = normalize_for_alignment(text, lang)
    assert out == out.strip()
    assert "\n" not in out and "  " not in out
    assert not any(ch in out for ch in "“”„「」『』")
    assert clean_text(clean_text(text)) == clean_text(text)


#: Text rich in what the Moses rules rewrite: quotes, brackets, spaces, full-width marks.
_PUNCTUATION_HEAVY = st.lists(
    st.sampled_from(list("ab 1,.;:!?%()\"'`´‘’“”„–—…。．，「」（）％\n\u00a0\ue000가") + ["''", " :", "\u00a0%"]),
    max_size=20,
).map("".join)


@settings(max_examples=300, deadline=None)
@given(
    st.lists(st.one_of(st.text(max_size=40), _PUNCTUATION_HEAVY), max_size=8),
    st.sampled_from(["en", "ko", "de", "fr", "ja"]),
)
def test_normalizing_a_document_at_once_gives_each_sentence_its_own_answer(texts: list[str], lang: str) -> None:
    assert normalize_many(texts, lang) == [normalize_for_alignment(t, lang) for t in texts]
