"""Page parsers, decoding, plain-text readers and the page cache, on real fixture files."""

from __future__ import annotations

import logging
import os
from pathlib import Path

import pytest

from aligner.errors import AlignerError, InputError
from aligner.sources import (
    LAYOUTS,
    PageCache,
    UnsafeURLError,
    guess_url,
    is_html,
    parse_page,
    path_to_url,
    read_article,
    read_lines,
    read_text,
    url_to_path,
)
from aligner.sources.decode import decode_html, normalize_charset
from aligner.sources.hani_en import parse_en_date, split_byline
from aligner.sources.hani_ko import is_byline, is_plea

PAGES = Path(__file__).parent / "fixtures" / "pages"
EN_2019_URL = "http://english.hani.co.kr/arti/english_edition/e_northkorea/863805.html"
EN_2017_URL = "http://english.hani.co.kr/arti/english_edition/e_northkorea/820210.html"
KO_OLD_URL = "http://www.hani.co.kr/arti/politics/defense/863790.html"
KO_2023_URL = "https://www.hani.co.kr/arti/international/america/820195.html"


def page(name: str) -> bytes:
    return (PAGES / name).read_bytes()


# -- English edition -------------------------------------------------------------------


@pytest.fixture(scope="module")
def en2019():
    return parse_page(page("hani_en_2019.html"), EN_2019_URL)


@pytest.fixture(scope="module")
def en2017():
    return parse_page(page("hani_en_2017.html"), EN_2017_URL)


def test_en_metadata(en2019):
    assert en2019.layout == "hani-en"
    assert en2019.lang == "en"
    assert en2019.title == "North Korea defector numbers ‘drop’ under Kim"
    assert en2019.subtitle.startswith("Lawmaker cites unification ministry data")
    assert en2019.published == "2018-10-01T16:26:00+09:00"
    assert en2019.modified == "2018-10-01T18:02:00+09:00"
    assert en2019.section == "e_northkorea"
    assert en2019.url == EN_2019_URL
    assert en2019.byline == "Kim Ji-hoon, staff reporter"


def test_en_original_link_is_resolved_against_the_page(en2019):
    # the page links "//www.hani.co.kr/..." (protocol-relative)
    assert en2019.original_url == KO_OLD_URL


def test_en_body_paragraphs_from_br_runs(en2019):
    paras = en2019.paragraphs
    assert len(paras) == 8
    assert paras[0].startswith("The number of North Korean defectors")
    assert paras[-1].startswith("“Without any trust in the US")
    # a single newline inside a paragraph is a soft wrap
    assert paras[3] == (
        "The vast majority of defectors from the North are eventually offered South Korean "
        "citizenship. Seoul says more than 30,000 North Koreans have illegally crossed the "
        "border since the end of the Korean War in 1953."
    )


def test_en_drops_caption_byline_trailer_and_subheading(en2019):
    text = en2019.text
    for junk in (
        "Incheon International Airport",
        "By Kim Ji-hoon",
        "Please direct",
        "english@hani.co.kr",
        "Related stories",
        "Most viewed",
        "Ryder Cup",
        "button that move",
        "Copyright",
    ):
        assert junk not in text, junk
    assert "Most flee via China" not in en2019.paragraphs  # the bold subheading
    assert any(p.startswith("Most flee via China, which") for p in en2019.paragraphs)
    assert all(p.strip() for p in en2019.paragraphs)


def test_en_old_date_format_and_p_paragraphs(en2017):
    assert en2017.published == "2017-11-22T16:20:00+09:00"
    assert en2017.modified is None
    assert en2017.byline == "Lee Seung-jun, Washington correspondent"
    assert en2017.original_url == "http://www.hani.co.kr/arti/international/america/820195.html"
    assert en2017.title == "North Korea says nuclear disarmament won’t come unless it can trust US"
    assert len(en2017.paragraphs) == 6
    assert "Second summit" not in en2017.paragraphs
    assert "UN General Assembly in New York. (AP" not in en2017.text  # photo table caption
    assert "Related stories" not in en2017.text and "Trump and Kim to meet again" not in en2017.text


def test_en_blocks_put_the_title_first(en2017):
    assert en2017.blocks()[0] == en2017.title
    assert en2017.blocks()[1:] == en2017.paragraphs


@pytest.mark.parametrize(
    ("text", "iso"),
    [
        ("2015-03-30 16:26", "2015-03-30T16:26:00+09:00"),
        ("Nov.22,2017 16:20", "2017-11-22T16:20:00+09:00"),
        ("Sept. 3, 2017 09:05", "2017-09-03T09:05:00+09:00"),
        ("Mar.1,2016", "2016-03-01T00:00:00+09:00"),
        ("Feb.30,2016 10:00", None),
        ("no date here", None),
    ],
)
def test_en_dates(text, iso):
    assert parse_en_date(text) == iso


@pytest.mark.parametrize(
    ("text", "who"),
    [
        ("By Park Hyun, Washington correspondent", "Park Hyun, Washington correspondent"),
        ("By Kim Ji-eun, staff reporter", "Kim Ji-eun, staff reporter"),
        ("By Kim Ji-eun and Lee Je-hun, staff reporters", "Kim Ji-eun and Lee Je-hun, staff reporters"),
        (
            "By Choi Hyun-june, staff reporter, and Kim Mi-hyang, editorial writer",
            "Choi Hyun-june, staff reporter, and Kim Mi-hyang, editorial writer",
        ),
        ("By Gil Yun-hyung", "Gil Yun-hyung"),
        ("By contrast, the government said nothing.", None),
        ("By Monday, the staff had left the building", None),
        ("By Friday the ministry will announce a plan to cut fees for students", None),
    ],
)
def test_en_byline_rule(text, who):
    assert split_byline(text) == who


def test_en_page_without_url_uses_markers_and_og_url():
    art = parse_page(page("hani_en_2019.html"))
    assert art.layout == "hani-en"
    assert art.url == EN_2019_URL  # from og:url
    assert art.section == "e_northkorea"


def test_en_byline_after_the_trailer_and_loose_captions():
    html = """<?xml version="1.0" encoding="utf-8"?>
    <html><body><h2 id="titleapp">Kanye West changes his name to Ye</h2>
    <div class="headline-data">Posted on : 2018-10-01 10:00 KST</div>
    <div id="bodyapp">
      <p>Rapper Kanye West poses at an event. (AP/Yonhap News)</p>
      <p>Rapper Kanye West poses at an event. (AP/Yonhap News)</p>
      <p>Rapper Kanye West is changing his name - to Ye.</p>
      <p>He is one of a number of famous rappers to change their name.</p>
      <p>Please direct questions or comments to [english@hani.co.kr]</p>
      <p>By Yoon Ha-neul, staff reporter</p>
    </div></body></html>"""
    art = parse_page(html, "https://english.hani.co.kr/arti/english_edition/e_entertainment/1.html")
    assert art.paragraphs == [
        "Rapper Kanye West is changing his name - to Ye.",
        "He is one of a number of famous rappers to change their name.",
    ]
    assert art.byline == "Yoon Ha-neul, staff reporter"
    assert art.section == "e_entertainment"
    assert art.original_url is None


def test_en_page_with_no_body_is_refused():
    with pytest.raises(InputError, match="no article body found") as info:
        read_article(PAGES / "hani_en_nobody.html")
    assert str(PAGES / "hani_en_nobody.html") in str(info.value)
    assert "\n" not in str(info.value)


# -- Korean site -----------------------------------------------------------------------


@pytest.fixture(scope="module")
def ko_old():
    return parse_page(page("hani_ko_old.html"), KO_OLD_URL)


@pytest.fixture(scope="module")
def ko_2023():
    return parse_page(page("hani_ko_2023.html"), KO_2023_URL)


def test_ko_old_metadata(ko_old):
    assert ko_old.layout == "hani-ko-old"
    assert ko_old.lang == "ko"
    assert ko_old.title == "김정은 정권하에서 탈북자 숫자 '감소'"
    assert ko_old.published == "2018-10-01T09:12:00+09:00"
    assert ko_old.modified == "2018-10-01T10:40:00+09:00"
    assert ko_old.subtitle == "박병석 의원, 통일부 자료 인용\n2011년 2706명에서 지난해 1127명으로"
    assert ko_old.section == "politics/defense"
    assert ko_old.byline == "김아무개 기자 kim@hani.co.kr"
    assert ko_old.original_url is None


def test_ko_old_body(ko_old):
    paras = ko_old.paragraphs
    assert len(paras) == 12
    assert (
        paras[0]
        == "7년 전 김정은이 집권한 이후 남한으로 들어오는 탈북자의 수가 감소했다고 한국의 한 국회의원이 말했다."
    )
    assert paras[-1].startswith("리용호는 뉴욕 유엔 총회 연설에서")
    for junk in (
        "탈북민들이 인천국제공항에",
        "중국 거쳐 탈북",
        "kim@hani.co.kr",
        "구독신청",
        "▶",
        "관련기사",
        "박병석 의원, 통일부 자료 인용",
    ):
        assert junk not in ko_old.text, junk


def test_ko_2023_metadata(ko_2023):
    assert ko_2023.layout == "hani-ko-2023"
    assert ko_2023.lang == "ko"
    assert ko_2023.title == "북한이 미국을 믿을 수 있을 때까지 핵폐기는 없다고 말하다"
    assert ko_2023.published == "2017-11-22T11:05:00+09:00"
    assert ko_2023.modified == "2017-11-22T14:31:00+09:00"
    assert ko_2023.subtitle == "유엔 총회 연설\n리용호 “제재로 굴복시키려는 건 몽상”\n폼페이오 다음달 방북"
    assert ko_2023.section == "international/america"
    assert ko_2023.byline == "워싱턴/박현 특파원 hyun21@hani.co.kr"


def test_ko_2023_body(ko_2023):
    paras = ko_2023.paragraphs
    assert len(paras) == 9
    assert paras[0].startswith("북한 외무부 장관 리용호가")
    assert paras[-1].startswith("폼페이오는 김 위원장과")
    for junk in (
        "광고",
        "기사를 읽어드립니다",
        "audio",
        "뉴욕/AP 연합뉴스",
        "두 번째 정상회담 원해",
        "회의론 여전",
        "후원",
        "구독",
        "hyun21",
        "특파원",
        "All Rights Reserved",
        "youtube",
    ):
        assert junk not in ko_2023.text, junk


def test_ko_2023_dates_from_list_items_when_no_meta():
    html = page("hani_ko_2023.html").decode("utf-8")
    html = html.replace('property="article:published_time"', 'property="x:a"')
    html = html.replace('property="article:modified_time"', 'property="x:b"')
    art = parse_page(html, KO_2023_URL)
    assert art.published == "2017-11-22T11:05:00+09:00"
    assert art.modified == "2017-11-22T14:31:00+09:00"


def test_ko_2023_reporter_list_is_the_byline_fallback():
    html = page("hani_ko_2023.html").decode("utf-8")
    html = html.replace("워싱턴/박현 특파원", "").replace(">hyun21@hani.co.kr<", "><")
    art = parse_page(html, KO_2023_URL)
    assert art.byline == "박현기자"


def test_euc_kr_page_is_decoded():
    data = page("hani_ko_old_euckr.html")
    with pytest.raises(UnicodeDecodeError):
        data.decode("utf-8")
    art = parse_page(data, "http://www.hani.co.kr/arti/international/china/863650.html")
    assert art.layout == "hani-ko-old"
    assert art.title == "HIV/에이즈: 중국, 신규 감염 14% 급증"
    assert art.published == "2018-09-30T20:15:00+09:00"
    assert art.paragraphs[0] == "중국은 HIV와 에이즈에 걸린 자국민의 수가 14% 증가했다고 발표했다."
    assert len(art.paragraphs) == 5
    assert art.byline == "베이징/이아무개 특파원 lee@hani.co.kr"
    assert art.section == "international/china"


@pytest.mark.parametrize(
    ("text", "expected"),
    [
        ("워싱턴/박현 특파원 hyun21@hani.co.kr", True),
        ("김아무개 기자 kim@hani.co.kr", True),
        ("hyun21@hani.co.kr", True),
        ("최원형 기자 circle@hani.co.kr, 고경주 기자 goh@hani.co.kr", True),
        ("이재명 대통령이 기자회견에서 말했다.", False),
        ("문의는 help@example.com 으로 보내면 된다고 밝혔다.", False),
    ],
)
def test_ko_byline_rule(text, expected):
    assert is_byline(text) is expected


def test_ko_plea_rule():
    assert is_plea("▶ 한겨레 절친이 되어 주세요! 신문 구독신청 하기")
    assert is_plea("한겨레는 독자 여러분의 후원으로 만들어집니다. 한겨레 후원하기")
    assert not is_plea("넷플릭스 구독료가 다음달부터 오른다고 회사가 밝혔다.")


# -- generic pages ---------------------------------------------------------------------


def test_generic_page():
    art = read_article(PAGES / "generic_news.html")
    assert art.layout == "generic"
    assert art.lang == "en"
    assert art.title == "U.S. ambassador accuses China of 'bullying' with 'propaganda ads'"
    assert art.url == "https://news.example.com/world/2018/09/30/us-ambassador-china-propaganda-ads"
    assert art.published == "2018-09-30"
    assert art.paragraphs[0].startswith("A week after an official Chinese newspaper")
    assert art.paragraphs[-1].startswith("He added that")
    assert len(art.paragraphs) == 7
    for junk in ("Sign up for our daily briefing", "More stories", "Privacy", "Search"):
        assert junk not in art.text


def test_generic_lang_given_wins():
    art = parse_page(page("generic_news.html"), lang="xx")
    assert art.lang == "xx"


def test_generic_korean_page_detects_ko():
    body = "".join(
        f"<p>{s}</p>"
        for s in [
            "중국은 HIV와 에이즈에 걸린 자국민의 수가 14% 증가했다고 발표했다.",
            "82만 명 이상의 사람들이 이 나라에서 피해를 보았다고 보건당국은 밝혔다.",
            "2018년 2분기에만 약 4만 건의 새로운 사례가 보고되었다.",
            "대부분의 새로운 사례는 성관계를 통해 전염되었고, 이것은 과거와 달라진 것을 보여준다.",
            "전통적으로, HIV는 감염된 수혈의 결과로 중국의 일부 지역에서 빠르게 확산했다.",
        ]
    )
    html = f"<html><head><title>HIV 급증</title></head><body><article><h1>HIV 급증</h1>{body}</article></body></html>"
    art = parse_page(html, "https://news.example.kr/a/1")
    assert art.layout == "generic"
    assert art.lang == "ko"


def test_generic_page_with_no_text_is_refused():
    html = "<html><head><title>Menu</title></head><body><nav><a href='/'>Home</a></nav></body></html>"
    with pytest.raises(InputError, match="no article body found"):
        parse_page(html, "https://news.example.com/", item="menu.html")


def test_layout_names():
    assert set(LAYOUTS) == {"hani-en", "hani-ko-old", "hani-ko-2023", "generic", "text"}


# -- decoding --------------------------------------------------------------------------


def test_decode_meta_charset_forms():
    body = "<p>한겨레 기사</p>"
    for head in (
        '<meta charset="euc-kr">',
        '<meta http-equiv="Content-Type" content="text/html; charset=EUC-KR">',
        "<meta charset='ks_c_5601-1987'>",
    ):
        data = f"<html><head>{head}</head><body>{body}</body></html>".encode("euc-kr")
        assert body in decode_html(data)


def test_decode_undeclared_korean_and_bom():
    body = "<html><body><p>한겨레 기사 본문입니다.</p></body></html>"
    assert decode_html(body.encode("cp949")) == body
    assert decode_html(b"\xef\xbb\xbf" + body.encode("utf-8")) == body
    assert decode_html(body.encode("utf-16")) == body


def test_decode_http_header_wins_over_meta():
    data = '<html><head><meta charset="utf-8"></head><body>한국</body></html>'.encode("euc-kr")
    assert "한국" in decode_html(data, content_type="text/html; charset=euc-kr")


def test_invalid_utf8_is_refused(tmp_path):
    bad = tmp_path / "bad.html"
    bad.write_bytes(b'<html><head><meta charset="utf-8"></head><body><p>caf\xc3\x28 ok</p></body></html>')
    with pytest.raises(InputError, match="invalid UTF-8 at byte") as info:
        read_article(bad)
    assert str(bad) in str(info.value)
    with pytest.raises(InputError, match="invalid UTF-8"):
        parse_page(b"<html><body>\xff\xc3\x28</body></html>", "https://x.example/a")


@pytest.mark.parametrize(
    ("data", "what"),
    [
        (b"\x89PNG\r\n\x1a\n" + b"\x00" * 64, "PNG"),
        (b"%PDF-1.7\n%\xe2\xe3\xcf\xd3\n", "PDF"),
        (b"PK\x03\x04" + b"\x14\x00" * 20, "zip"),
        (b"<html>" + b"\x00\x01\x02\x03" * 200, "NUL"),
    ],
    ids=["png", "pdf", "zip", "nul"],
)
def test_binary_is_not_an_html_page(data, what):
    with pytest.raises(InputError, match="not an HTML page") as info:
        parse_page(data, "https://www.hani.co.kr/arti/a/b/1.html")
    assert what in str(info.value)


def test_binary_file_with_html_name(tmp_path):
    f = tmp_path / "photo.html"
    f.write_bytes(b"\x89PNG\r\n\x1a\n" + bytes(range(256)))
    with pytest.raises(InputError, match="not an HTML page"):
        read_article(f)


def test_normalize_charset():
    assert normalize_charset("EUC-KR") == "cp949"
    assert normalize_charset("utf8") == "utf-8"
    assert normalize_charset("no-such-charset") is None


# -- files: read_article, read_text, read_lines ---------------------------------------


def test_read_article_sniffs_html_without_extension(tmp_path):
    f = tmp_path / "863790"
    f.write_bytes(page("hani_ko_old.html"))
    art = read_article(f)
    assert art.layout == "hani-ko-old"
    assert art.source_path == str(f)


def test_read_article_from_a_cache_folder_knows_its_url(tmp_path):
    cache = PageCache(tmp_path)
    path = cache.put(EN_2017_URL, page("hani_en_2017.html"))
    art = read_article(path)
    assert art.url == "https://english.hani.co.kr/arti/english_edition/e_northkorea/820210.html"
    assert art.section == "e_northkorea"
    assert guess_url(path) == art.url


def test_read_text_paragraphs_and_title(tmp_path):
    f = tmp_path / "a.txt"
    f.write_text(
        "Welsh AMs worried about 'looking like muppets'\n\nThere is consternation among some AMs.\n"
        "It has arisen because of plans.\n\n\nAMs across the political spectrum are worried.\n",
        encoding="utf-8",
    )
    art = read_article(f, lang="en")
    assert art.layout == "text" and art.lang == "en" and art.title == ""
    assert art.paragraphs == [
        "Welsh AMs worried about 'looking like muppets'",
        "There is consternation among some AMs. It has arisen because of plans.",
        "AMs across the political spectrum are worried.",
    ]
    titled = read_text(f, lang="en", title_first=True)
    assert titled.title == "Welsh AMs worried about 'looking like muppets'"
    assert len(titled.paragraphs) == 2


def test_read_text_one_paragraph_a_line_and_detected_language(tmp_path):
    f = tmp_path / "ko.txt"
    f.write_text(
        "중국은 HIV와 에이즈에 걸린 자국민의 수가 14% 증가했다고 발표했다.\r\n"
        "82만 명 이상의 사람들이 이 나라에서 피해를 보았다고 보건당국은 밝혔다.\r\n",
        encoding="utf-8",
    )
    art = read_article(f)
    assert art.lang == "ko"
    assert len(art.paragraphs) == 2


def test_read_text_seed_article():
    seed = Path(__file__).resolve().parents[1] / "seeds" / "000_44b1d1decceb186f.txt"
    art = read_text(seed, title_first=True)
    assert art.lang == "en"
    assert art.title.startswith("US official hints at bilateral intelligence sharing")


def test_read_lines(tmp_path, caplog):
    f = tmp_path / "lines.txt"
    f.write_text("\ufeffFirst sentence.\n\n  Second   sentence.  \n\nThird.\n", encoding="utf-8")
    with caplog.at_level(logging.WARNING, logger="aligner.sources.text"):
        lines = read_lines(f)
    assert lines == ["First sentence.", "Second sentence.", "Third."]
    assert lines.blank_lines == [2, 4]
    assert "skipped 2 blank line" in caplog.text


def test_read_lines_without_blank_lines_reports_none(tmp_path):
    f = tmp_path / "lines.txt"
    f.write_text("One.\nTwo.", encoding="utf-8")
    lines = read_lines(f)
    assert lines == ["One.", "Two."] and lines.blank_lines == []


@pytest.mark.parametrize("reader", [read_lines, read_text, read_article])
def test_missing_file(tmp_path, reader):
    with pytest.raises(InputError, match="no such file") as info:
        reader(tmp_path / "nope.txt")
    assert "nope.txt" in str(info.value)


@pytest.mark.parametrize("reader", [read_lines, read_text, read_article])
@pytest.mark.parametrize("content", [b"", b"\n\n  \n"])
def test_empty_file(tmp_path, reader, content):
    f = tmp_path / "empty.txt"
    f.write_bytes(content)
    with pytest.raises(InputError, match="empty file"):
        reader(f)


@pytest.mark.parametrize("reader", [read_lines, read_text, read_article])
def test_invalid_utf8_text_file(tmp_path, reader):
    f = tmp_path / "latin1.txt"
    f.write_bytes("Caf\u00e9 au lait.\nSecond line.\n".encode("latin-1"))
    with pytest.raises(InputError, match=r"invalid UTF-8 at byte 3 \(line 1\)"):
        reader(f)


def test_folder_and_binary_are_refused(tmp_path):
    with pytest.raises(InputError, match="is a folder"):
        read_lines(tmp_path)
    f = tmp_path / "x.txt"
    f.write_bytes(b"PK\x03\x04" + bytes(100))
    with pytest.raises(InputError, match="not a text file"):
        read_text(f)


def test_unreadable_file():
    """A file the user may not read. Root reads anything, so as root the reader runs as nobody."""
    import subprocess
    import sys
    import tempfile

    with tempfile.TemporaryDirectory() as folder:
        os.chmod(folder, 0o755)
        f = Path(folder) / "secret.txt"
        f.write_text("text", encoding="utf-8")
        f.chmod(0)
        if os.geteuid() != 0:
            with pytest.raises(InputError, match="permission denied"):
                read_lines(f)
            return
        code = (  # import first, then give up root for good, then read
            "import os\n"
            "from aligner.errors import InputError\n"
            "from aligner.sources import read_lines\n"
            "os.setgid(65534)\nos.setuid(65534)\n"
            f"try:\n    read_lines({str(f)!r})\nexcept InputError as exc:\n    print(exc)\n"
        )
        root = Path(__file__).resolve().parent.parent
        out = subprocess.run(
            [sys.executable, "-c", code],
            capture_output=True,
            text=True,
            cwd=root,
            env={**os.environ, "PYTHONPATH": str(root)},
            timeout=60,
        )
        assert "permission denied" in out.stdout, out.stderr


def test_is_html():
    assert is_html(b"<!DOCTYPE html><html>", None)
    assert is_html(b"  <!-- saved --> <html lang='ko'>", None)
    assert is_html(b"anything", "page.HTML")
    assert not is_html(b"Plain text about <html> tags.", "notes.txt")


# -- the page cache --------------------------------------------------------------------


def test_url_to_path_layout(tmp_path):
    root = tmp_path
    assert (
        url_to_path(root, EN_2019_URL)
        == (root / "pages/english.hani.co.kr/arti/english_edition/e_northkorea/863805.html").resolve()
    )
    assert url_to_path(root, KO_OLD_URL) == (root / "pages/www.hani.co.kr/arti/politics/defense/863790.html").resolve()
    # http and https, host case, fragments and %-escapes of plain letters are the same entry
    assert url_to_path(root, "https://WWW.Hani.co.kr/arti/politics/defense/863790.html#comments") == url_to_path(
        root, KO_OLD_URL
    )
    assert url_to_path(root, "http://www.hani.co.kr/arti/politics/%64efense/863790.html") == url_to_path(
        root, KO_OLD_URL
    )


def test_url_to_path_query_and_index(tmp_path):
    p = url_to_path(tmp_path, "https://www.hani.co.kr/arti/a/b/1.html?id=7&x=a/b")
    assert p.name == "1.html@id=7&x=a%2Fb"
    # tracking parameters name no other page (aligner.sources.urls)
    assert url_to_path(tmp_path, "https://www.hani.co.kr/arti/a/b/1.html?_fr=mt1&x=a/b").name == "1.html@x=a%2Fb"
    assert p.parent == (tmp_path / "pages/www.hani.co.kr/arti/a/b").resolve()
    assert url_to_path(tmp_path, "https://www.hani.co.kr/").name == "index.html"
    assert url_to_path(tmp_path, "https://www.hani.co.kr").name == "index.html"
    assert url_to_path(tmp_path, "http://127.0.0.1:8765/a.html").parent.name == "127.0.0.1_8765"


@pytest.mark.parametrize(
    "url",
    [
        "http://www.hani.co.kr/../../etc/passwd",
        "http://www.hani.co.kr/arti/%2e%2e/%2E%2E/secret",
        "http://www.hani.co.kr/arti/..%2F..%2Fsecret",
        "http://www.hani.co.kr/arti/a%2Fb.html",
        "http://www.hani.co.kr/arti/a%5Cb.html",
        "http://www.hani.co.kr/arti\\..\\..\\x.html",
        "http://www.hani.co.kr/arti/a%00.html",
        "file:///etc/passwd",
        "/etc/passwd",
        "../pages/x.html",
        "ftp://www.hani.co.kr/a.html",
        "javascript:alert(1)",
        "http://user:pw@www.hani.co.kr/a.html",
        "http://../a.html",
        "http:///a.html",
        "http://www.hani.co.kr/" + "a" * 300 + ".html",
        "",
    ],
)
def test_unsafe_urls_are_refused(tmp_path, url):
    with pytest.raises(UnsafeURLError) as info:
        url_to_path(tmp_path, url)
    assert isinstance(info.value, InputError)
    assert isinstance(info.value, AlignerError)
    assert isinstance(info.value, ValueError)
    cache = PageCache(tmp_path)
    with pytest.raises(UnsafeURLError):
        cache.put(url, b"<html></html>")
    assert not any(tmp_path.rglob("*.html"))


def test_cache_roundtrip(tmp_path):
    cache = PageCache(tmp_path)
    assert cache.get(KO_OLD_URL) is None and not cache.has(KO_OLD_URL)
    path = cache.put(KO_OLD_URL, page("hani_ko_old.html"))
    assert path.is_file() and path.is_relative_to(tmp_path.resolve() / "pages")
    assert cache.has(KO_OLD_URL)
    assert cache.has(KO_OLD_URL.replace("http://", "https://"))
    assert cache.get(KO_OLD_URL) == page("hani_ko_old.html")
    cache.put(KO_OLD_URL, "<html>replaced</html>")
    assert cache.get(KO_OLD_URL) == b"<html>replaced</html>"
    assert [p.name for p in path.parent.iterdir()] == ["863790.html"]  # no temp file left


def test_cache_iter_pages(tmp_path):
    cache = PageCache(tmp_path)
    assert list(cache.iter_pages()) == []
    urls = [
        EN_2019_URL,
        EN_2017_URL,
        KO_OLD_URL,
        "https://www.hani.co.kr/arti/a/b/1.html?id=1",
        "http://127.0.0.1:8765/x/y.html",
    ]
    for u in urls:
        cache.put(u, b"<html></html>")
    (cache.pages_dir / "www.hani.co.kr" / ".tmp-abc123").write_bytes(b"half a page")
    en = list(cache.iter_pages("english.hani.co.kr"))
    assert [u for u, _ in en] == [
        "https://english.hani.co.kr/arti/english_edition/e_northkorea/820210.html",
        "https://english.hani.co.kr/arti/english_edition/e_northkorea/863805.html",
    ]
    everything = dict(cache.iter_pages())
    assert len(everything) == 5
    assert "https://www.hani.co.kr/arti/a/b/1.html?id=1" in everything
    assert "http://127.0.0.1:8765/x/y.html" in everything
    for url, path in everything.items():
        assert path == cache.path(url)
        assert path_to_url(tmp_path, path) == url
        assert cache.get(url) == b"<html></html>"
    assert path_to_url(tmp_path, tmp_path / "elsewhere.html") is None


def test_cache_parse_pairs_through_original_link(tmp_path):
    cache = PageCache(tmp_path)
    cache.put(EN_2019_URL, page("hani_en_2019.html"))
    cache.put(KO_OLD_URL, page("hani_ko_old.html"))
    ((url, _),) = cache.iter_pages("english.hani.co.kr")
    en = parse_page(cache.get(url), url)
    ko_data = cache.get(en.original_url)
    assert ko_data is not None
    ko = parse_page(ko_data, en.original_url)
    assert (en.lang, ko.lang) == ("en", "ko")
