"""Sentence splitting: hand-written cases for every known failure mode, and the
no-character-lost property on generated text."""

from __future__ import annotations

import re

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from aligner.model import Sentence
from aligner.text.split import (
    get_segmenter,
    sentence_spans,
    sentence_spans_many,
    split_paragraph,
    split_sentences,
)
from aligner.text.tokenize import get_kiwi


@pytest.fixture(scope="session", autouse=True)
def kiwi_loaded() -> None:
    """Load Kiwi once for the session and run it once (its first analysis initialises
    lazily); the splitter reuses the same instance."""
    get_kiwi().split_into_sents("그는 갔다. 그는 왔다.")


# -- English ---------------------------------------------------------------------------

EN_CASES = [
    # quotes
    ('"It is fine," he said. Then he left.', ['"It is fine," he said.', "Then he left."]),
    ("“It is fine,” he said. Then he left.", ["“It is fine,” he said.", "Then he left."]),
    ('"Is it?" she asked. Yes.', ['"Is it?" she asked.', "Yes."]),
    ('"Stop!" John said. Then he left.', ['"Stop!" John said.', "Then he left."]),
    ('"Are you ready?" CNN reported.', ['"Are you ready?" CNN reported.']),
    (
        'He read "Who Moved My Cheese?" in 1998. Then he slept.',
        ['He read "Who Moved My Cheese?" in 1998.', "Then he slept."],
    ),
    ("“But we‘ve seen it,” he said. “It works.”", ["“But we‘ve seen it,” he said.", "“It works.”"]),
    # several sentences inside one quotation are split, the marks stay with their sentence
    ('He said: "We came. We saw." Then he left.', ['He said: "We came.', 'We saw."', "Then he left."]),
    ("Shear said, “We welcomed it. I think so.”", ["Shear said, “We welcomed it.", "I think so.”"]),
    (
        "He continued: 'What's innate? What is taught?' Then.",
        ["He continued: 'What's innate?", "What is taught?'", "Then."],
    ),
    (
        'Evans: "Say, it is popping now!" "Hans" Geiger died.',
        ['Evans: "Say, it is popping now!"', '"Hans" Geiger died.'],
    ),
    ("'Where have we gone wrong?,' he said.", ["'Where have we gone wrong?,' he said."]),
    # a stray quote mark must not swallow the following sentences
    (
        'He left Dragons" Den. Sources say Jones was "furious" then. He left.',
        ['He left Dragons" Den.', 'Sources say Jones was "furious" then.', "He left."],
    ),
    # abbreviations
    (
        "The U.S. economy grew in Jan. last year. Mr. Kim met Dr. Lee.",
        ["The U.S. economy grew in Jan. last year.", "Mr. Kim met Dr. Lee."],
    ),
    ("He met Gen. Smith and Sen. Jones at St. Mary's. OK.", ["He met Gen. Smith and Sen. Jones at St. Mary's.", "OK."]),
    ("J.P. Morgan rose. It fell.", ["J.P. Morgan rose.", "It fell."]),
    ("They met at 9 a.m. on Monday. It rained.", ["They met at 9 a.m. on Monday.", "It rained."]),
    ("The rally is at 7 p.m. ET Saturday. Fine.", ["The rally is at 7 p.m. ET Saturday.", "Fine."]),
    ("He was No. 1 in the list. She was No. 2.", ["He was No. 1 in the list.", "She was No. 2."]),
    (
        "The talks ended on Mar. 27 in Washington. Both agreed.",
        ["The talks ended on Mar. 27 in Washington.", "Both agreed."],
    ),
    ("It was hosted in Washington, D.C., by CSIS. Then.", ["It was hosted in Washington, D.C., by CSIS.", "Then."]),
    ("He moved to the U.S. He then left.", ["He moved to the U.S.", "He then left."]),
    ("E.g. this one. And i.e. that one.", ["E.g. this one.", "And i.e. that one."]),
    # company names: "Co." goes on with more of the name, or with what a bare name starts
    (
        "Samsung Electronics Co. Ltd. said on Tuesday that its operating profit rose 12 percent.",
        ["Samsung Electronics Co. Ltd. said on Tuesday that its operating profit rose 12 percent."],
    ),
    ("Hyundai Motor Co. Chairman Chung Eui-sun said so.", ["Hyundai Motor Co. Chairman Chung Eui-sun said so."]),
    (
        "Bank of America Corp. Chief Executive Brian Moynihan said rates would fall.",
        ["Bank of America Corp. Chief Executive Brian Moynihan said rates would fall."],
    ),
    (
        "Shares of LG Electronics Inc. fell 3 percent. SK Hynix Inc. Vice Chairman Park Jung-ho disagreed.",
        ["Shares of LG Electronics Inc. fell 3 percent.", "SK Hynix Inc. Vice Chairman Park Jung-ho disagreed."],
    ),
    (
        "The union reached a deal with Hyundai Motor Co. The talks lasted 12 hours.",
        ["The union reached a deal with Hyundai Motor Co.", "The talks lasted 12 hours."],
    ),
    (
        "The union reached a deal with Samsung Electronics Co. Ltd. The talks lasted 12 hours.",
        ["The union reached a deal with Samsung Electronics Co. Ltd.", "The talks lasted 12 hours."],
    ),
    (
        "The contract was signed with Hyundai Motor Co. President Yoon Suk-yeol attended the ceremony.",
        ["The contract was signed with Hyundai Motor Co.", "President Yoon Suk-yeol attended the ceremony."],
    ),
    # numbers
    ("Prices rose 3.5% to $7.25 a share. Fine.", ["Prices rose 3.5% to $7.25 a share.", "Fine."]),
    ("The vote was 52-48. Sen. Collins voted yes.", ["The vote was 52-48.", "Sen. Collins voted yes."]),
    ("3. Arginine", ["3. Arginine"]),
    # ellipses, brackets, datelines
    ("It was... odd. Fine.", ["It was... odd.", "Fine."]),
    ("He paused… Then he spoke.", ["He paused…", "Then he spoke."]),
    ("It ended (finally.) Then more.", ["It ended (finally.)", "Then more."]),
    ("(He left.) Then…", ["(He left.)", "Then…"]),
    ("(CNN) A typhoon hit Taiwan. It rained.", ["(CNN) A typhoon hit Taiwan.", "It rained."]),
    ("I got bit! I got bit!", ["I got bit!", "I got bit!"]),
    ("Title without punctuation", ["Title without punctuation"]),
]


@pytest.mark.parametrize(("text", "expected"), EN_CASES, ids=[c[0][:40] for c in EN_CASES])
def test_english_cases(text: str, expected: list[str]) -> None:
    assert split_paragraph(text, "en") == expected


# -- Korean ----------------------------------------------------------------------------

KO_CASES = [
    # quote endings followed by a quotative particle: no cut after ! or ?
    ('"정말 대단하다!"라며 웃었다. 그는 떠났다.', ['"정말 대단하다!"라며 웃었다.', "그는 떠났다."]),
    ("그는 “정말 대단하다!”라며 웃었다.", ["그는 “정말 대단하다!”라며 웃었다."]),
    ('그는 "왜 그랬니?"고 말했다. 다음 문장이다.', ['그는 "왜 그랬니?"고 말했다.', "다음 문장이다."]),
    ('그는 "정말?"이라고 물었다.', ['그는 "정말?"이라고 물었다.']),
    ("그는 “가자!” 하고 외쳤다. 다음.", ["그는 “가자!” 하고 외쳤다.", "다음."]),
    ("“가자!”고 그는 외쳤다.", ["“가자!”고 그는 외쳤다."]),
    ("“좋다.”고 말했다. 다음.", ["“좋다.”고 말했다.", "다음."]),
    (
        "“총 3인치의 비가 예상됩니다.” 라고 weather.com이 발표했습니다.",
        ["“총 3인치의 비가 예상됩니다.” 라고 weather.com이 발표했습니다."],
    ),
    # a speech tag after a quote joins it; reported speech after a quote does not
    (
        '"역사적으로 바와 교회였습니다.” 아담 씨가 말했다. 다음이다.',
        ['"역사적으로 바와 교회였습니다.” 아담 씨가 말했다.', "다음이다."],
    ),
    (
        '"오늘날은, 둘 다 아닙니다." 그는 바가 사라진 것을 이해할 수 없었다고 말했다.',
        ['"오늘날은, 둘 다 아닙니다."', "그는 바가 사라진 것을 이해할 수 없었다고 말했다."],
    ),
    ('그가 말했다. "좋다!" 다음.', ["그가 말했다.", '"좋다!"', "다음."]),
    ('농부는 그렇게 말했다." "그들은 장난치고 있습니다.', ['농부는 그렇게 말했다."', '"그들은 장난치고 있습니다.']),
    (
        "화산이 발견됐다. ‘돈 고요’로 알려진 이 화산은 활동중이었다.",
        ["화산이 발견됐다.", "‘돈 고요’로 알려진 이 화산은 활동중이었다."],
    ),
    # dates and numbers
    ("2024. 3. 1. 서울에서 열렸다. 가격은 7만2,500원이다.", ["2024. 3. 1. 서울에서 열렸다.", "가격은 7만2,500원이다."]),
    ("지난 2024. 3. 1. 경찰은 그를 체포했다. 다음이다.", ["지난 2024. 3. 1. 경찰은 그를 체포했다.", "다음이다."]),
    ("이는 2019. 10. 19. 수정됐다. 끝.", ["이는 2019. 10. 19. 수정됐다.", "끝."]),
    ("주가는 3.5% 올랐다. 다음은 7만2,500원이다.", ["주가는 3.5% 올랐다.", "다음은 7만2,500원이다."]),
    # ellipses, brackets, Latin abbreviations, e-mail addresses
    ("그는 올랐다고 말했다… 그리고 떠났다.", ["그는 올랐다고 말했다…", "그리고 떠났다."]),
    ("그는 떠났다(사진). 다음 문장이다.", ["그는 떠났다(사진).", "다음 문장이다."]),
    ("(그는 떠났다.) 다음이다.", ["(그는 떠났다.)", "다음이다."]),
    (
        "회의가 열렸다. U.S. 대표가 참석했다. Mr. Kim이 말했다.",
        ["회의가 열렸다.", "U.S. 대표가 참석했다.", "Mr. Kim이 말했다."],
    ),
    ("한겨레 기자(kim@hani.co.kr). 다음.", ["한겨레 기자(kim@hani.co.kr).", "다음."]),
    # no final punctuation: a title, a clause Kiwi would cut
    ("그는 갔다 그리고 왔다", ["그는 갔다 그리고 왔다"]),
    ("김아무개 기자 kim@hani.co.kr", ["김아무개 기자 kim@hani.co.kr"]),
]


@pytest.mark.parametrize(("text", "expected"), KO_CASES, ids=[c[0][:30] for c in KO_CASES])
def test_korean_cases(text: str, expected: list[str]) -> None:
    assert split_paragraph(text, "ko") == expected


# -- other languages, API shape ----------------------------------------------------------


@pytest.mark.parametrize(
    ("text", "lang", "expected"),
    [
        ("Er kam um 9 Uhr. Dann ging er.", "de", ["Er kam um 9 Uhr.", "Dann ging er."]),
        ("Il est venu. Puis il est parti.", "fr", ["Il est venu.", "Puis il est parti."]),
        ("Llegó ayer. Luego se fue.", "es", ["Llegó ayer.", "Luego se fue."]),
        ("Hij kwam. Toen ging hij.", "nl-NL", ["Hij kwam.", "Toen ging hij."]),
        ("Hän tuli. Sitten hän lähti.", "fi", ["Hän tuli.", "Sitten hän lähti."]),  # no pysbd rules: English ones
    ],
)
def test_other_languages(text: str, lang: str, expected: list[str]) -> None:
    assert split_paragraph(text, lang) == expected


def test_language_tags_are_normalised() -> None:
    assert split_paragraph("그는 갔다. 그는 왔다.", "ko-KR") == ["그는 갔다.", "그는 왔다."]
    assert split_paragraph("He went. He came.", "EN_us") == ["He went.", "He came."]
    assert get_segmenter("xx") is get_segmenter("xx")  # built once


def test_split_sentences_keeps_paragraphs_and_document_index() -> None:
    paragraphs = ["Title of the story", "", "He went. He came.", "It rained."]
    assert split_sentences(paragraphs, "en") == [
        Sentence(0, 0, "Title of the story"),
        Sentence(1, 2, "He went."),
        Sentence(2, 2, "He came."),
        Sentence(3, 3, "It rained."),
    ]
    ko = split_sentences(["제목", "그는 갔다. 그는 왔다.", "비가 왔다."], "ko")
    assert [(s.index, s.paragraph, s.text) for s in ko] == [
        (0, 0, "제목"),
        (1, 1, "그는 갔다."),
        (2, 1, "그는 왔다."),
        (3, 2, "비가 왔다."),
    ]


def test_blank_and_whitespace() -> None:
    assert split_paragraph("", "en") == []
    assert split_paragraph(" \n\t ", "ko") == []
    assert split_paragraph("  He went.  He came.  ", "en") == ["He went.", "He came."]
    assert sentence_spans("  He went.", "en") == [(2, 10)]
    assert split_sentences([], "ko") == []


def test_line_breaks_inside_a_paragraph_are_kept_as_cuts() -> None:
    assert split_paragraph("A heading\nHe went. He came.", "en") == ["A heading", "He went.", "He came."]
    assert split_paragraph("소제목\n그는 갔다. 그는 왔다.", "ko") == ["소제목", "그는 갔다.", "그는 왔다."]


# -- the property: nothing lost, nothing added ---------------------------------------------

_PIECES = st.sampled_from(
    [
        "He said",
        " ",
        "  ",
        "\n",
        ". ",
        "! ",
        "? ",
        "…",
        "...",
        '"',
        "“",
        "”",
        "‘",
        "’",
        "'",
        "(",
        ")",
        "U.S.",
        "Mr.",
        "Dr. Lee",
        "Jan. 3",
        "3.5%",
        "a.m.",
        "No. 1",
        ",",
        ":",
        "Kim",
        "the",
        "it",
        "And",
        "그는",
        "말했다",
        "다.",
        "요.",
        "라며",
        "고",
        "2024. 3. 1.",
        "7만2,500원",
        "기자",
        "\u00a0",
        "\t",
        "😀",
        "x",
        "1.",
        "—",
        "「",
        "」",
    ]
)
_TEXTS = st.one_of(st.lists(_PIECES, max_size=40).map("".join), st.text(max_size=120))


def _check_partition(text: str, spans: list[tuple[int, int]]) -> None:
    """Sentences are non-empty, trimmed, in order, and only whitespace lies between them."""
    position = 0
    for start, end in spans:
        assert start < end
        assert text[position:start].strip() == "", (text, spans)
        piece = text[start:end]
        assert piece == piece.strip()
        position = end
    assert text[position:].strip() == ""
    rebuilt = "".join(
        text[spans[i][0] : spans[i][1]] + (text[spans[i][1] : spans[i + 1][0]] if i + 1 < len(spans) else "")
        for i in range(len(spans))
    )
    assert rebuilt == text.strip()


@settings(max_examples=150, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(text=_TEXTS, lang=st.sampled_from(["en", "ko", "de"]))
def test_splitting_loses_and_duplicates_nothing(text: str, lang: str) -> None:
    spans = sentence_spans(text, lang)
    _check_partition(text, spans)
    sentences = split_paragraph(text, lang)
    assert sentences == [text[s:e] for s, e in spans]
    # joined with the whitespace that was between them, the sentences give the paragraph back
    gaps = [text[spans[i][1] : spans[i + 1][0]] for i in range(len(spans) - 1)]
    assert "".join(s + g for s, g in zip(sentences, [*gaps, ""])) == text.strip()
    assert all(re.fullmatch(r"\s+", g) or g == "" for g in gaps)


@settings(max_examples=40, deadline=None)
@given(texts=st.lists(_TEXTS, max_size=6))
def test_batch_equals_one_by_one(texts: list[str]) -> None:
    """Korean paragraphs go to Kiwi as one batch; the result must not depend on it."""
    assert sentence_spans_many(texts, "ko") == [sentence_spans(t, "ko") for t in texts]
