"""Anchors across languages: the same number, name or quote must make the same token
whatever the language's conventions, or a true pair loses its reward."""

from __future__ import annotations

from aligner.align.anchors import AnchorSignal, anchor_bag, latin_tokens, number_tokens
from aligner.align.lexicon import lexicon_tokens


def test_numbers_meet_across_separator_conventions():
    assert (
        number_tokens("7,500 people")
        == number_tokens("7.500 Menschen")
        == number_tokens("7 500 personnes")
        == number_tokens("7\u202f500 personnes")
        == number_tokens("7,500명")
        == ["#7500"]
    )
    assert number_tokens("1.048.576 Bytes") == number_tokens("1 048 576 octets") == ["#1048576"]
    assert number_tokens("3.5%") == number_tokens("3,5 %") == ["#35"]
    assert number_tokens("1'000 Franken") == ["#1000"]


def test_a_space_joins_only_groups_of_three():
    assert number_tokens("in 2019 100 people came") == ["#2019", "#100"]
    assert number_tokens("on 12 1990 votes") == ["#12", "#1990"]
    assert number_tokens("Seite 12, Zeile 3.") == ["#12", "#3"]


def test_latin_words_keep_their_accents():
    assert latin_tokens("Die Größe der Überprüfung", in_korean=False) == ["@die", "@größe", "@überprüfung"]
    assert latin_tokens("삼성전자(Samsung)는 Zürich에서", in_korean=True) == ["@samsung", "@zürich"]
    assert latin_tokens("5×3 ÷ 2", in_korean=True) == []  # multiplication and division signs are no letters
    assert lexicon_tokens("Überprüfung déjà 삼성전자 7,500") == ["überp", "déjà", "삼성", "7500"]


def test_quote_marks_of_german_and_french_are_anchors():
    for text, lang in (
        ("Er sagte: „Ja.“", "de"),
        ("Er sagte: »Ja.«", "de"),
        ("Il a dit « oui ».", "fr"),
        ("그는 “예”라고 말했다.", "ko"),
    ):
        assert anchor_bag(text, lang)['"quote'] == 1, text
    assert '"quote' not in anchor_bag("It’s the mayor’s bridge.", "en")  # apostrophes are not quotes


def test_a_shared_accented_name_rewards_the_true_pair():
    src = ["Der Bürgermeister von Zürich eröffnete die Brücke.", "Die Preise stiegen um 3,5 Prozent."]
    tgt = ["Le maire de Zürich a inauguré le pont.", "Les prix ont augmenté de 3,5 pour cent."]
    costs = AnchorSignal(0.3, 0.1, "de", "fr").prepare(src, tgt)
    matrix = costs.matrix(1, 1)
    assert matrix[1, 1] < matrix[1, 2] and matrix[2, 2] < matrix[2, 1]
