"""Hostile servers on 127.0.0.1: every bad answer is that URL's one-line failure (or is
ignored for a polite default, with a note), and the rest of the fetch is done.

Classes: robots.txt values robotparser cannot read or that ask for absurd waits; headers
(Retry-After, Content-Length, Content-Type and its charset, Content-Encoding, Location)
that do not parse; list pages with unusable links and page numbers; reason phrases and
links holding terminal escape sequences and rich markup (``[/y]``); redirects; truncated
bodies. Each case runs the real job (``fetch_command``) or the real command
(``aligner fetch``) against a real server; nothing is mocked. Output is checked for raw
ESC/C1 bytes and markup errors, with hypothesis over hostile text as well.
"""

from __future__ import annotations

import contextlib
import io
import json
import time
from pathlib import Path
from xml.sax.saxutils import quoteattr

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st
from rich.console import Console

from aligner.cli import fetch_item_line, main
from aligner.display import json_text
from aligner.errors import InputError
from aligner.sources.cache import PageCache
from aligner.sources.client import Fetcher
from aligner.sources.fetch import ItemOutcome, fetch_command
from aligner.sources.listing import article_links, counted_next, next_page
from aligner.sources.manifest import read_manifest
from tests.httpserver import LocalServer, Reply, compress, raw_header, rewrite_hosts
from tests.local_site import EN_2017, EN_2019, HOSTS, KO_2023, KO_OLD, PAGES, local_links, serve_file

ESC_SEQUENCES = "\x1b]0;pwned\x07\x1b]52;c;ZXZpbA==\x07\x1b[2J"
MARKUP = "[/y][bold]x[/]"
RAW_BYTES = ("\x1b", "\x9b", "\x9d", "\x07")


def make_site(server: LocalServer, robots: str = "User-agent: *\nDisallow: /private/\n") -> LocalServer:
    server.page("/robots.txt", robots, "text/plain")
    serve_file(server, EN_2019, PAGES / "hani_en_2019.html")
    serve_file(server, EN_2017, PAGES / "hani_en_2017.html")
    serve_file(server, KO_OLD, PAGES / "hani_ko_old.html")
    serve_file(server, KO_2023, PAGES / "hani_ko_2023.html")
    return server


@pytest.fixture(scope="module")
def site():
    with LocalServer() as server:
        yield make_site(server)


def job(corpus: Path, urls=(), **options):
    """The fetch job against the local server: no rate limit, one retry, short waits."""
    settings = dict(rate=0, allowed_hosts=HOSTS, trust_env=False, retries=1, backoff=0.01, timeout=2.0, max_wait=0.5)
    settings.update(options)
    return fetch_command(corpus, list(urls), **settings)


def outcome(report, url: str) -> ItemOutcome:
    return next(i for i in report.items if i.en_url == url)


def failed_in_one_line(report, url: str, *words: str) -> str:
    item = outcome(report, url)
    assert item.status == "failed", item
    assert "\n" not in item.reason and not any(b in item.reason for b in RAW_BYTES), item.reason
    for w in words:
        assert w in item.reason, item.reason
    return item.reason


def good_ones_paired(report, server: LocalServer) -> None:
    for url in (server.url(EN_2019), server.url(EN_2017)):
        assert outcome(report, url).status == "paired", report.as_dict()


# -- robots.txt -----------------------------------------------------------------------------------


@pytest.mark.parametrize(
    "directive, note",
    [
        ("Crawl-delay: ²", "Crawl-delay '²' is not a number"),
        ("Crawl-delay: ٣", "is not a number"),  # an Arabic-Indic digit: int() would take it
        ("Crawl-delay: -1", "is not a number"),
        ("Crawl-delay: nan", "is not a number"),
        ("Crawl-delay: inf", "is not a number"),
        ("Crawl-delay: 1e400", "is not a number"),
        ("Crawl-delay: 1_0", "is not a number"),
        ("Crawl-delay: %C2%B2", "is not a number"),  # robotparser unquotes values before its isdigit()
        ("Request-rate: 1/²", "Request-rate '1/²' is not REQUESTS/SECONDS"),
        ("Request-rate: ²/1", "is not REQUESTS/SECONDS"),
        ("Request-rate: 1/99999999999999999999", "is not REQUESTS/SECONDS"),
        ("Request-rate: 1", "is not REQUESTS/SECONDS"),
        ("Disallow: //[x", "Disallow path '//[x' does not parse"),
        ("Crawl-delay: " + "9" * 400, "waiting 0.3 s instead"),
        ("Crawl-delay: 99999", "asks for 86400 s between requests; waiting 0.3 s instead"),
        ("Request-rate: 1/86400", "asks for 86400 s between requests"),
    ],
)
def test_bad_robots_values_are_ignored_or_capped_with_a_note_and_the_fetch_goes_on(tmp_path, directive, note):
    with LocalServer() as server:
        make_site(server, f"User-agent: *\n{directive}\nDisallow: /private/\n")
        report = job(tmp_path / "c", [server.url(EN_2019), server.url(EN_2017)], max_wait=0.3)
        good_ones_paired(report, server)
        robots = [server.url("/robots.txt"), server.url("/robots.txt", "localhost")]
    # one note per host (the Korean pages are on "localhost", with the same robots.txt)
    notes = [n for n in report.notes if note in n]
    assert len(notes) == 2, report.notes
    assert all(n.startswith(r) and "\n" not in n for n, r in zip(notes, robots, strict=True)), notes


@pytest.mark.timing
def test_a_crawl_delay_of_a_day_costs_seconds_not_a_day(tmp_path):
    with LocalServer() as server:
        make_site(server, "User-agent: *\nCrawl-delay: 99999\nDisallow: /private/\n")
        started = time.monotonic()
        report = job(tmp_path / "c", [server.url(EN_2019), server.url(EN_2017)], max_wait=0.3)
        seconds = time.monotonic() - started
        good_ones_paired(report, server)
    assert seconds < 10  # capped waits: 6 requests at most 0.3 s apart, not hours


def test_a_robots_txt_too_big_to_read_keeps_us_off_the_host_item_by_item(tmp_path):
    with LocalServer() as server:
        make_site(server)
        server.route("/robots.txt", Reply(200, "User-agent: *\n" + "#" * 3_000_000, "text/plain"))
        report = job(tmp_path / "c", [server.url(EN_2019), server.url(EN_2017)], max_bytes=1_000_000)
        for url in (server.url(EN_2019), server.url(EN_2017)):
            failed_in_one_line(report, url, "robots.txt could not be read", "cap")


def test_a_legal_crawl_delay_with_a_decimal_is_rounded_up_not_ignored(tmp_path):
    with LocalServer() as server:
        make_site(server, "User-agent: *\nCrawl-delay: 0.4\n")
        report = job(tmp_path / "c", [server.url(EN_2019), server.url(EN_2017)], max_wait=5)
        good_ones_paired(report, server)
    assert not report.notes
    # the two English pages are on one host: 1 s apart (0.4 rounded up), not 0.4 s or none
    first, second = (next(h.at for h in server.hits if h.path == path) for path in (EN_2019, EN_2017))
    assert second - first >= 0.9


# -- headers ---------------------------------------------------------------------------------------


HEADER_CASES = {
    # path: (replies, words expected in the one-line failure, or None when the page is fine)
    "/h/retry-after-sup.html": ([Reply(503, headers={"Retry-After": "²"})], ["HTTP 503", "gave up after 2 tries"]),
    "/h/retry-after-400-digits.html": (
        [Reply(503, headers={"Retry-After": "9" * 400})],
        ["asks to wait more than 10^15 s (more than 0 s)"],
    ),
    "/h/retry-after-year-9999.html": (
        [Reply(429, headers={"Retry-After": "Fri, 31 Dec 9999 23:59:59 GMT"})],
        ["HTTP 429", "asks to wait"],
    ),
    "/h/retry-after-year-99999.html": (
        [Reply(429, headers={"Retry-After": "Fri, 31 Dec 99999 23:59:59 GMT"})],
        ["HTTP 429", "gave up after 2 tries"],
    ),
    "/h/retry-after-negative.html": ([Reply(503, headers={"Retry-After": "-5"})], ["gave up after 2 tries"]),
    "/h/retry-after-arabic-digit.html": (
        [Reply(503, headers={"Retry-After": raw_header("٣")})],
        ["gave up after 2 tries"],
    ),
    "/h/content-length-sup.html": (
        [Reply(200, "<html><body>x</body></html>", headers={"Content-Length": "²"})],
        ["protocol error"],
    ),
    "/h/content-length-400-digits.html": (
        [Reply(200, "<html><body>x</body></html>", headers={"Content-Length": "9" * 400})],
        ["protocol error (bad Content-Length)"],
    ),
    "/h/content-encoding-sup.html": (
        [Reply(200, "<html>x</html>", encoding_label="²")],
        ["unsupported Content-Encoding ²"],
    ),
    "/h/content-encoding-escape.html": (
        [Reply(200, "<html>x</html>", encoding_label="br[/y]")],
        ["unsupported Content-Encoding br[/y]"],
    ),
    "/h/content-type-pdf-markup.html": (
        [Reply(200, "x", "application/pdf[/y]")],
        ["not an HTML page (Content-Type application/pdf[/y])"],
    ),
    "/h/location-broken.html": (
        [Reply(302, headers={"Location": "http://[x"})],
        ["redirect without a usable Location header"],
    ),
    "/h/location-empty.html": ([Reply(301, headers={"Location": " "})], ["redirect without a usable Location"]),
    "/h/location-off-site-markup.html": (
        [Reply(302, headers={"Location": "https://elsewhere.invalid/[/y]"})],
        ["redirects to https://elsewhere.invalid/[/y]: host"],
    ),
    "/h/truncated.html": ([Reply(200, "<html><body>half", declared_length=5000)], ["truncated body"]),
    "/h/truncated-gzip.html": (
        [Reply(200, compress(b"<html><body>" + b"x" * 5000, "gzip")[:20], encoding=None, encoding_label="gzip")],
        ["truncated body (gzip stream ends early)"],
    ),
    "/h/reason-escape.html": (
        [Reply(404, reason=f"Not {ESC_SEQUENCES}Found {MARKUP}")],
        ["HTTP 404 Not ␛]0;pwned␇␛]52;c;ZXZpbA==␇␛[2JFound [/y][bold]x[/]"],
    ),
    "/h/reason-escape-retried.html": ([Reply(503, reason=f"\x1b[2J{MARKUP}\x9b")], ["HTTP 503 ␛[2J[/y]", "2 tries"]),
}


@pytest.mark.parametrize("path", list(HEADER_CASES))
def test_bad_headers_fail_that_url_in_one_line_and_the_rest_is_fetched(site, tmp_path, path):
    replies, words = HEADER_CASES[path]
    url = site.route(path, *replies)
    report = job(tmp_path / "c", [url, site.url(EN_2019), site.url(EN_2017)], max_wait=0)
    failed_in_one_line(report, url, *words)
    good_ones_paired(report, site)


@pytest.mark.parametrize(
    "content_type",
    [
        "text/html; charset=zlib",
        "text/html; charset=base64",
        "text/html; charset=²",
        "text/html; charset=utf-7",
        "text/html; charset=unicode_escape",
        "text/html; charset=undefined",
        "text/html; charset=idna",
    ],
)
def test_a_charset_that_is_no_text_encoding_is_ignored_and_the_page_read(site, tmp_path, content_type):
    path = "/arti/english_edition/e_national/810001.html"
    english = (PAGES / "hani_en_2017.html").read_bytes()
    url = site.route(path, Reply(200, rewrite_hosts(english, local_links(site)), content_type))
    report = job(tmp_path / "c", [url])
    assert outcome(report, url).status == "paired", report.as_dict()


def test_an_unreadable_retry_after_is_noted_and_the_backoff_used(site, tmp_path):
    url = site.route(
        "/h/busy-sup.html", Reply(503, headers={"Retry-After": "²"}), Reply(200, "<html><body>ok</body></html>")
    )
    with Fetcher(PageCache(tmp_path), rate=0, allowed_hosts=HOSTS, trust_env=False, backoff=0.01) as f:
        assert f.fetch(url).status == 200
    assert any("Retry-After '²' is neither seconds nor an HTTP date" in n for n in f.notes), f.notes


def test_retry_after_in_the_past_is_no_wait(site, tmp_path):
    url = site.route(
        "/h/busy-past.html",
        Reply(503, headers={"Retry-After": "Mon, 01 Jan 1990 00:00:00 GMT"}),
        Reply(200, "<html><body>ok</body></html>"),
    )
    slept: list[float] = []
    with Fetcher(PageCache(tmp_path), rate=0, allowed_hosts=HOSTS, trust_env=False, sleep=slept.append) as f:
        assert f.fetch(url).status == 200
    assert slept == [0.0]


# -- list pages ------------------------------------------------------------------------------------


def list_page(*links: str, next_href: str | None = None) -> str:
    anchors = "".join(f'<li><a href="{href}">story</a></li>' for href in links)
    following = f'<a rel="next" href="{next_href}">Next</a>' if next_href else ""
    return f"<html><body><ul>{anchors}</ul>{following}</body></html>"


def test_a_next_page_number_that_is_no_number_ends_the_listing_not_the_run(site, tmp_path):
    url = site.page("/arti/english_edition/e_x/list1.html", list_page(EN_2019), "text/html")
    site.page("/arti/english_edition/e_x/list2.html", list_page(EN_2017, next_href="?page=²"))
    report = job(tmp_path / "c", section=url)
    good_ones_paired(report, site)
    assert counted_next(site.url("/arti/list?page=²")) is None
    assert counted_next(site.url("/arti/list?page=" + "9" * 400)) is None
    assert counted_next(site.url("/arti/list٣.html")) is None
    assert counted_next(site.url("/arti/list3.html")).endswith("/arti/list4.html")


def test_hostile_links_on_a_list_page_are_each_one_line_and_a_broken_later_page_a_problem(site, tmp_path):
    hostile = [
        "http://[x/arti/english_edition/e_x/1.html",  # not a URL: skipped
        f"/arti/english_edition/e_x/700001.html?q={ESC_SEQUENCES}",  # control characters: refused
        f"/arti/english_edition/e_x/700002.html?q={MARKUP}",  # markup: just a URL (404 here)
        "/arti/english_edition/e_x/700003.html?q=\u202eevil",  # bidi override (404)
        "javascript:alert(1)//arti/english_edition/e_x/1.html",
    ]
    first = site.page(
        "/arti/english_edition/e_y/list1.html", list_page(*hostile, EN_2019, EN_2017, next_href="list2.html")
    )
    site.route("/arti/english_edition/e_y/list2.html", Reply(200, b"\x89PNG\r\n\x1a\n" + bytes(100), "text/html"))
    report = job(tmp_path / "c", section=first)
    good_ones_paired(report, site)
    assert report.count("failed") == 3, report.as_dict()
    failed_in_one_line(
        report, next(i.en_url for i in report.items if "700001" in i.en_url), "control character in the URL"
    )
    failed_in_one_line(report, next(i.en_url for i in report.items if "700002" in i.en_url), "HTTP 404")
    assert report.listing_problems == [
        f"{site.url('/arti/english_edition/e_y/list2.html')}: not an HTML page (a PNG image)"
    ]


def test_one_article_linked_with_tracking_parameters_is_one_item(site, tmp_path):
    url = site.page(
        "/arti/english_edition/e_z/list1.html",
        list_page(EN_2019, EN_2019 + "?_fr=mt1", EN_2019 + "?_fr=mt2#comments", EN_2019 + "?utm_source=x"),
    )
    report = job(tmp_path / "c", section=url)
    assert [i.en_url for i in report.items] == [site.url(EN_2019)]


@settings(max_examples=300, deadline=None)
@given(st.lists(st.text(max_size=40), max_size=6))
def test_list_page_link_rules_never_raise(hrefs):
    base = "https://english.hani.co.kr/arti/english_edition/e_national/list3.html"
    page = ("<html><body>" + "".join(f"<a href={quoteattr(h)}>Next</a>" for h in hrefs) + "</body></html>").encode(
        "utf-8", "surrogatepass"
    )
    try:  # a page that is no HTML page is a one-line InputError (list_section's problem line)
        links = article_links(page, base)
        following = next_page(page, base)
    except InputError as exc:
        assert "\n" not in str(exc)
        return
    assert all(isinstance(u, str) for u in links)
    assert following is None or isinstance(following, str)


# -- what reaches the terminal -----------------------------------------------------------------------


def cli_fetch(server: LocalServer, corpus: Path, *argv: str) -> tuple[int, str, str]:
    """``aligner fetch`` in this process, stdout and stderr captured."""
    out, err = io.StringIO(), io.StringIO()
    with contextlib.redirect_stdout(out), contextlib.redirect_stderr(err):
        code = main(
            [
                "fetch",
                "-d",
                str(corpus),
                "--allow-host",
                f"127.0.0.1:{server.port}",
                "--allow-host",
                "localhost",
                "--rate",
                "1000",
                *argv,
            ]
        )
    return code, out.getvalue(), err.getvalue()


def assert_terminal_safe(*texts: str) -> None:
    for text in texts:
        assert not any(b in text for b in RAW_BYTES), text
        assert "Traceback" not in text and "MarkupError" not in text, text


def test_cli_fetch_over_a_hostile_section_prints_one_safe_line_per_failure(site, tmp_path, monkeypatch):
    for name in ("HTTP_PROXY", "HTTPS_PROXY", "ALL_PROXY", "http_proxy", "https_proxy", "all_proxy"):
        monkeypatch.delenv(name, raising=False)
    reason = site.route("/arti/english_edition/e_w/700010.html", Reply(404, reason=f"No {ESC_SEQUENCES} {MARKUP}"))
    busy = site.route(
        "/arti/english_edition/e_w/700011.html",  # one backoff (the CLI's 1 s), then gone
        Reply(503, headers={"Retry-After": "²"}, reason="\x1b]0;t\x07"),
        Reply(410),
    )
    later = site.route("/arti/english_edition/e_w/700012.html", Reply(429, headers={"Retry-After": "9" * 400}))
    section = site.page(
        "/arti/english_edition/e_w/list1.html",
        list_page(
            reason,
            busy,
            later,
            f"/arti/english_edition/e_w/700013.html?{ESC_SEQUENCES}",
            f"/arti/english_edition/e_w/700014.html?{MARKUP}",
            EN_2019,
            EN_2017,
            next_href="?page=²",
        ),
    )
    code, out, err = cli_fetch(site, tmp_path / "c", "--section", section)
    assert code == 1
    assert_terminal_safe(out, err)
    failed = [line for line in out.splitlines() if line.startswith("failed: ")]
    assert len(failed) == 5, out
    assert any(line.endswith(f"HTTP 404 No ␛]0;pwned␇␛]52;c;ZXZpbA==␇␛[2J {MARKUP}") for line in failed), out
    assert any("700014.html?[/y][bold]x[/]: HTTP 404" in line for line in failed), out
    assert any("700013.html?␛]0;pwned" in line and "control character" in line for line in failed), out
    assert "note: " in out and "Retry-After '²'" in out
    assert out.splitlines()[-1].startswith("paired 2, already done 0, failed 5;")
    assert len(read_manifest(tmp_path / "c")) == 2
    code, out, err = cli_fetch(site, tmp_path / "c", "--json", "--section", section)
    assert_terminal_safe(out, err)
    report = json.loads(out)
    assert report["paired"] == 0 and report["already_done"] == 2 and report["failed"] == 5
    assert any("\x1b]0;pwned" in i["en_url"] for i in report["items"])  # JSON keeps the value, escaped


def test_cli_fetch_error_for_a_hostile_section_page_is_one_safe_line(site, tmp_path):
    section = site.route("/arti/english_edition/e_v/list1.html", Reply(404, reason=f"{ESC_SEQUENCES}{MARKUP}"))
    code, out, err = cli_fetch(site, tmp_path / "c", "--section", section)
    assert code == 1 and out == ""
    assert_terminal_safe(err)
    assert err.count("\n") == 1 and err.startswith(f"aligner: error: {section}: HTTP 404 ␛]0;pwned")
    assert MARKUP in err


_TERMINAL_TEXT = st.text(
    st.one_of(
        st.sampled_from(list("\x1b\x9b\x9d\x07\x00\u202e\u2066[]/\\;:#?&=")),
        st.characters(codec="utf-8", exclude_categories=("Cs",)),
    ),
    max_size=60,
)


@settings(max_examples=300, deadline=None)
@given(_TERMINAL_TEXT, _TERMINAL_TEXT, st.sampled_from(["paired", "failed", "done"]), st.booleans())
def test_any_item_line_is_one_line_without_escapes_or_markup_errors(url, reason, status, terminal):
    console = Console(
        file=io.StringIO(),
        force_terminal=terminal,
        color_system="truecolor" if terminal else None,
        width=80,
        soft_wrap=True,
        highlight=False,
    )
    console.print(fetch_item_line(ItemOutcome(url, status, url + reason, reason)))
    shown = console.file.getvalue()
    assert not any(b in shown for b in ("\x1b", "\x9b", "\x9d", "\x07", "\x00"))
    assert shown.count("\n") == 1
    text = json_text({"url": url, "reason": reason})
    assert not any(b in text for b in ("\x1b", "\x9b", "\x9d", "\x07", "\x00", "\u202e"))
    assert json.loads(text) == {"url": url, "reason": reason}


_REASON = st.text(st.characters(min_codepoint=1, max_codepoint=255, exclude_characters="\r\n"), max_size=40)


@settings(max_examples=15, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture])
@given(_REASON, st.text(st.characters(codec="utf-8", exclude_categories=("Cs",)), max_size=20))
def test_any_reason_phrase_and_link_through_the_real_command(site, tmp_path_factory, reason, link_text):
    """Whatever a server puts in its reason phrase and its links: one line, no ESC, no markup error."""
    corpus = tmp_path_factory.mktemp("c")
    bad = site.route("/arti/english_edition/e_u/700020.html", Reply(404, reason=reason))
    section = site.page(
        "/arti/english_edition/e_u/list1.html",
        list_page(bad, "/arti/english_edition/e_u/700021.html?" + link_text.replace('"', ""), EN_2017),
    )
    code, out, err = cli_fetch(site, corpus, "--section", section)
    assert_terminal_safe(out, err)
    assert code == 1
    lines = out.splitlines()
    assert sum(line.startswith("failed: ") for line in lines) == 2, out
    assert lines[-1].startswith("paired 1,")
