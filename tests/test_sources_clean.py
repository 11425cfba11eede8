"""Page text loses its control characters once, when parsed: every parser, every field.

A page holding ``ESC ]0;...BEL`` in its title would rename the reviewer's terminal
window wherever the title is shown; ``ESC ]52;...`` in a paragraph would write their
clipboard. Each layout (English edition, Korean old and 2023, generic, plain text) is
fed hostile text in each field it reads, raw and as character references.
"""

from __future__ import annotations

import unicodedata
from dataclasses import fields

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from aligner.model import Article
from aligner.sources import parse_page, read_lines, read_text
from aligner.sources.clean import clean_article, clean_url, strip_controls

#: Terminal sequences (window title, clipboard, clear screen, colour in 7- and 8-bit
#: form, a DCS), C0/C1 controls, bidi overrides and isolates, zero-width characters.
HOSTILE = (
    "\x1b]0;pwned\x07\x1b]52;c;ZXZpbA==\x1b\\\x1b[2J\x9b31m\x1bP1;2q\x1b\\\x1bc"
    "\x01\x7f\x9d8;;x\x9c\u202e\u202c\u2066\u2069\u200b\ufeff"
)
#: NUL (the HTML parser turns it into U+FFFD, as browsers do) and NEL (whitespace) go in text files.
TEXT_ONLY = "\x00\x85"
DEBRIS = ("]0;", "pwned", "]52;", "ZXZpbA", "[2J", "31m", "1;2q")
MARKUP = "[/y]"  # not a control character: kept as text (aligner.display shows it literally)


def _controls(text: str, keep_newlines: bool = False) -> list[str]:
    return [c for c in text if unicodedata.category(c) in ("Cc", "Cf") and not (keep_newlines and c == "\n")]


def assert_clean(article: Article) -> None:
    """No control or format character and no sequence debris in any text field."""
    for f in fields(article):
        value = getattr(article, f.name)
        values = value if isinstance(value, list) else [value]
        for text in values:
            if not isinstance(text, str):
                continue
            assert not _controls(text, keep_newlines=f.name == "subtitle"), (f.name, text)
            if f.name not in ("url", "original_url", "source_path"):
                for bit in DEBRIS:
                    assert bit not in text, (f.name, bit, text)


def hostile(text: str, entities: bool) -> str:
    """``text`` with the hostile characters inserted, raw or as HTML character references.

    A reference to a C1 code point (``&#155;``) is no control character: HTML reads it as
    the Windows-1252 character of that number ("›"), so the 8-bit sequences go in raw only.
    """
    chars = HOSTILE.replace("\x9b31m", "").replace("\x9d8;;x\x9c", "") if entities else HOSTILE
    bad = "".join(f"&#{ord(c)};" if entities else c for c in chars)
    return f"{bad}{text}{bad}"


SENTENCES = (
    "The ministry said the plan would go ahead next year despite the protests. "
    "Officials met on Monday to discuss the budget and the schedule for the works."
)
MORE = (
    "Critics said the decision ignored the views of local residents. "
    "The ministry will publish the full plan in the spring, a spokesperson said."
)
KO_MORE = "비판론자들은 이번 결정이 주민들의 의견을 무시했다고 말했다. 부처는 봄에 전체 계획을 공개할 예정이다."
KO_SENTENCES = (
    "정부는 내년에 계획을 그대로 추진하겠다고 밝혔다. 관계자들은 월요일에 만나 예산과 일정을 논의했다. "
    "시민단체는 반대 의견을 냈지만 정부는 입장을 바꾸지 않았다."
)


def hani_en_page(h) -> bytes:
    return f"""<html><head><title>{h("Page title")}</title></head><body>
<h2 id="titleapp">{h("Ministry plan goes ahead")}</h2>
<div class="headline-data">Posted on : 2015-03-30 16:26 KST Modified on : 2015-03-31 10:00 KST</div>
<div id="bodyapp"><div class="subtitle">{h("The subtitle line")}</div>
<p>{h(SENTENCES)}</p><p>{h(MORE)}</p>
<p>By {h("Park Hyun")}, staff reporter</p>
<a href="http://www.hani.co.kr/arti/politics/defense/{h("1")}.html"><img alt="button that move to original korean article (클릭시 원문으로 이동하는 버튼)"></a>
</div></body></html>""".encode()


def hani_ko_old_page(h) -> bytes:
    return f"""<html><body><div id="article_view_headline"><h4><span class="title">{h("계획 추진")}</span></h4>
<p class="date-time"><span>등록 :2015-03-30 16:26</span><span>수정 :2015-03-31 10:00</span></p></div>
<div class="article-text"><div class="subtitle">{h("부제목 줄")}</div><div class="text">{h(KO_SENTENCES)}<br><br>
{h(KO_MORE)}<br><br>홍길동{h("")} 기자 gildong@hani.co.kr</div></div></body></html>""".encode()


def hani_ko_2023_page(h) -> bytes:
    return f"""<html><body><div class="ArticleDetailView_article__aB1">
<h3 class="ArticleDetailView_title__9kRU_">{h("계획 추진")}</h3>
<div class="ArticleDetailView_subtitle__x1">{h("부제목 줄")}</div>
<ul><li class="ArticleDetailView_dateListItem__a">등록 2023-03-30 16:26</li></ul>
<div class="article-text"><p class="text">{h(KO_SENTENCES)}</p><p class="text">{h(KO_MORE)}</p></div>
<div class="ArticleDetailView_reporterList__r">{h("홍길동 기자")}</div>
</div></body></html>""".encode()


def generic_page(h) -> bytes:
    paras = "".join(f"<p>{h(text)}</p>" for text in (SENTENCES, MORE, SENTENCES.upper(), MORE.upper()))
    return f"""<html lang="{h("en")}"><head><title>{h("Ministry plan goes ahead")}</title>
<meta name="author" content="{h("Jane Doe")}"><meta name="description" content="{h("What the story says")}">
<meta property="article:published_time" content="2020-01-02T03:04:05+09:00"></head>
<body><article><h1>{h("Ministry plan goes ahead")}</h1>{paras}</article></body></html>""".encode()


LAYOUTS = {
    "hani-en": (hani_en_page, "https://english.hani.co.kr/arti/english_edition/e_national/1.html"),
    "hani-ko-old": (hani_ko_old_page, "https://www.hani.co.kr/arti/politics/defense/1.html"),
    "hani-ko-2023": (hani_ko_2023_page, "https://www.hani.co.kr/arti/politics/defense/2.html"),
    "generic": (generic_page, "https://news.example.org/story.html"),
}


@pytest.mark.parametrize("entities", [False, True], ids=["raw", "character-references"])
@pytest.mark.parametrize("layout", list(LAYOUTS))
def test_every_html_parser_cleans_every_field(layout, entities):
    build, url = LAYOUTS[layout]
    article = parse_page(build(lambda text: hostile(text, entities)), url)
    assert article.layout == layout
    assert_clean(article)
    plain = parse_page(build(lambda text: text), url)
    # the same article as without the hostile characters: nothing else was lost
    assert article.title == plain.title and article.paragraphs == plain.paragraphs
    assert (article.subtitle, article.byline) == (plain.subtitle, plain.byline)
    assert article.title and article.paragraphs


def test_markup_brackets_are_text_and_stay():
    build, url = LAYOUTS["hani-en"]
    article = parse_page(build(lambda text: f"{MARKUP} {text}"), url)
    assert article.title.startswith(MARKUP) and article.paragraphs[0].startswith(MARKUP)


def test_section_and_links_from_a_hostile_url_are_clean():
    build, _ = LAYOUTS["hani-en"]
    url = "https://english.hani.co.kr/arti/english_edition/e_\x1b]0;x\x07nat\u202eional/1.html"
    article = parse_page(build(lambda text: hostile(text, False)), url)
    assert_clean(article)
    assert article.section == "e_national"  # the sequence and the override gone, nothing else
    assert "%1B" in article.url and "%E2%80%AE" in article.url  # percent-encoded, as a browser would
    assert article.original_url == "http://www.hani.co.kr/arti/politics/defense/1.html"


def test_plain_text_and_line_files_are_cleaned(tmp_path):
    text = tmp_path / "story.txt"
    text.write_text(
        f"{TEXT_ONLY}{hostile('Title line', False)}\n\n{hostile(SENTENCES, False)}\n\n{MORE}\n", encoding="utf-8"
    )
    article = read_text(text, title_first=True)
    assert_clean(article)
    assert article.title == "Title line" and article.paragraphs == [SENTENCES, MORE]
    lines = tmp_path / "lines.txt"
    lines.write_text(f"{hostile('One.', False)}\n\x1b[2J\x07\nTwo.\n", encoding="utf-8")
    got = read_lines(lines)
    assert list(got) == ["One.", "Two."] and got.numbers == [0, 2] and got.blank_lines == [2]


def test_a_text_file_of_nothing_but_controls_is_refused(tmp_path):
    from aligner.errors import InputError

    path = tmp_path / "junk.txt"
    path.write_text("\x1b[2J\x07\u202e\n\n\x1b]0;x\x07\n", encoding="utf-8")
    with pytest.raises(InputError, match="no text left"):
        read_text(path)


def test_whitespace_controls_still_separate_words():
    assert strip_controls("a\rb\x85c\x1cd") == "a b c d"
    assert strip_controls("a\x1b[31mb\x1b]0;t\x07c\x9b2Jd") == "abcd"
    assert strip_controls("tab\tand\nnewline") == "tab\tand\nnewline"
    assert clean_url("https://x/a\x1bb?c=\u202e") == "https://x/a%1Bb?c=%E2%80%AE"


@settings(max_examples=200, deadline=None)
@given(st.text(st.characters(codec="utf-8", exclude_categories=("Cs",)), max_size=300))
def test_clean_article_leaves_no_control_character(text):
    article = clean_article(
        Article(
            lang="en",
            title=text,
            paragraphs=[text, "ok"],
            subtitle=text + "\n" + text,
            byline=text,
            section=text,
            published=text,
            url="https://x/" + text,
        )
    )
    assert_clean(article)
    assert "ok" in article.paragraphs
    assert clean_article(article) == article  # once is enough: cleaning again changes nothing
