"""The polite fetcher, the fetch job and the URL listing, against a real HTTP server.

The server (tests/httpserver.py) runs on 127.0.0.1 and answers for two host names:
English-edition pages on ``127.0.0.1`` and Korean pages on ``localhost``, both with
their ``english.hani.co.kr`` / ``www.hani.co.kr`` links pointed at it. Nothing here
touches the network beyond the loopback interface, and httpx is not mocked.
"""

from __future__ import annotations

import json
import re
import time
from pathlib import Path

import pytest

from aligner.errors import FetchError, InputError
from aligner.sources import PageCache, parse_page
from aligner.sources.client import DEFAULT_HOSTS, Fetcher, default_user_agent
from aligner.sources.fetch import FAILURES_NAME, fetch_articles, fetch_command
from aligner.sources.listing import (
    article_links,
    collect_urls,
    counted_next,
    list_section,
    next_page,
    parse_id_range,
    read_url_file,
    urls_for_ids,
)
from aligner.sources.manifest import MANIFEST_NAME, ManifestEntry, read_manifest, record_pair
from aligner.sources.urls import normalize_url
from tests.httpserver import LocalServer, Reply, rewrite_hosts
from tests.local_site import (
    EN_2017,
    EN_2019,
    HOSTS,
    HTTP,
    KO_2023,
    KO_OLD,
    LIST1,
    PAGES,
    fetcher,
    local_links,
    no_proxies,
)


def paths_hit(server: LocalServer) -> list[str]:
    return [h.path for h in server.hits]


# -- the fetcher: cache, identity, robots.txt, rate --------------------------------------


def test_fetch_caches_the_page_and_never_asks_twice(site, tmp_path):
    url = site.url(EN_2019)
    with fetcher(tmp_path) as f:
        first = f.fetch(url)
        before = site.count(EN_2019)
        second = f.fetch(url)
    assert (first.status, first.from_cache, first.final_url) == (200, False, url)
    assert second.from_cache and second.data == first.data
    assert site.count(EN_2019) == before
    assert (tmp_path / "pages" / f"127.0.0.1_{site.port}" / EN_2019.lstrip("/")).read_bytes() == first.data


def test_user_agent_names_the_tool_and_robots_txt_is_read_once_per_host(site, tmp_path):
    robots_before = site.count("/robots.txt")
    with fetcher(tmp_path) as f:
        f.fetch(site.url(EN_2019))
        f.fetch(site.url(EN_2017))
        f.fetch(site.url(KO_OLD, "localhost"))
    assert site.count("/robots.txt") - robots_before == 2  # 127.0.0.1 and localhost
    hit = [h for h in site.hits if h.path == EN_2017][-1]
    assert hit.headers["User-Agent"].startswith("aligner/")
    assert default_user_agent("corpus@example.org").endswith("+corpus@example.org)")


def test_robots_txt_disallow_is_obeyed_without_asking_for_the_page(site, tmp_path):
    with fetcher(tmp_path) as f, pytest.raises(FetchError, match="robots.txt disallows /private/secret.html"):
        f.fetch(site.url("/private/secret.html"))
    assert site.count("/private/secret.html") == 0


def test_unreadable_robots_txt_means_keep_out_and_missing_means_allowed(tmp_path):
    with LocalServer() as server:
        server.route("/robots.txt", Reply(503))
        server.page("/a.html", "<html><body>a</body></html>")
        with fetcher(tmp_path / "a", retries=1) as f, pytest.raises(FetchError, match="robots.txt could not be read"):
            f.fetch(server.url("/a.html"))
        assert server.count("/a.html") == 0
        server.route("/robots.txt", Reply(404))
        with fetcher(tmp_path / "b") as f:
            assert f.fetch(server.url("/a.html")).status == 200


@pytest.mark.timing
def test_rate_limit_spaces_requests_to_one_host(site, tmp_path):
    paths = [
        "/arti/english_edition/e_business/863807.html",
        "/arti/english_edition/e_business/863808.html",
        "/arti/english_edition/e_sports/863810.html",
    ]
    with fetcher(tmp_path, rate=4.0) as f:
        for p in paths:
            f.fetch(site.url(p))
    times = [h.at for h in site.hits if h.path in paths][-3:]
    gaps = [b - a for a, b in zip(times, times[1:])]
    # the server notes arrival, which a busy machine delays by some milliseconds: a
    # 0.25 s spacing keeps that jitter small beside it (unthrottled, the gaps are ~1 ms)
    assert min(gaps) >= 0.8 / 4.0, gaps


@pytest.mark.timing
def test_crawl_delay_in_robots_txt_slows_us_down(tmp_path):
    with LocalServer() as server:
        server.page("/robots.txt", "User-agent: aligner\nCrawl-delay: 1\n", "text/plain")
        server.page("/a.html", "<html>a</html>")
        server.page("/b.html", "<html>b</html>")
        with fetcher(tmp_path, rate=100.0) as f:
            f.fetch(server.url("/a.html"))
            f.fetch(server.url("/b.html"))
        a, b = (h.at for h in server.hits if h.path in ("/a.html", "/b.html"))
        assert b - a >= 0.9


# -- retries and failures --------------------------------------------------------------------


def test_500_then_success_is_retried(site, tmp_path):
    url = site.route("/flaky.html", Reply(500), Reply(502), Reply(200, "<html><body>ok</body></html>"))
    with fetcher(tmp_path) as f:
        assert f.fetch(url).data == b"<html><body>ok</body></html>"
    assert site.count("/flaky.html") == 3


def test_persistent_5xx_gives_up_after_the_retries(site, tmp_path):
    url = site.route("/down.html", Reply(503))
    with fetcher(tmp_path, retries=2) as f, pytest.raises(FetchError, match=r"HTTP 503 .*gave up after 3 tries"):
        f.fetch(url)
    assert site.count("/down.html") == 3


def test_429_waits_as_long_as_retry_after_says(site, tmp_path):
    url = site.route("/busy.html", Reply(429, headers={"Retry-After": "1"}), Reply(200, "<html>ok</html>"))
    t = time.monotonic()
    with fetcher(tmp_path) as f:
        assert f.fetch(url).status == 200
    assert time.monotonic() - t >= 0.9


def test_retry_after_beyond_the_limit_gives_up_at_once(site, tmp_path):
    url = site.route("/later.html", Reply(429, headers={"Retry-After": "3600"}))
    with fetcher(tmp_path) as f, pytest.raises(FetchError, match="asks to wait 3600 s"):
        f.fetch(url)
    assert site.count("/later.html") == 1


def test_404_is_not_retried(site, tmp_path):
    with fetcher(tmp_path) as f, pytest.raises(FetchError, match="HTTP 404"):
        f.fetch(site.url("/arti/english_edition/e_national/404404.html"))
    assert site.count("/arti/english_edition/e_national/404404.html") == 1


@pytest.mark.timing
def test_slow_answer_times_out_and_is_retried(site, tmp_path):
    url = site.route("/slow.html", Reply(200, "<html>late</html>", delay=0.8))
    t = time.monotonic()
    with (
        fetcher(tmp_path, timeout=0.2, retries=1) as f,
        pytest.raises(FetchError, match=r"timed out after 0.2 s .*2 tries"),
    ):
        f.fetch(url)
    assert time.monotonic() - t < 2.0
    assert site.count("/slow.html") == 2


def test_truncated_body_is_noticed_and_retried(site, tmp_path):
    url = site.route(
        "/short.html",
        Reply(200, "<html><body>half", declared_length=4000),
        Reply(200, "<html><body>whole</body></html>"),
    )
    with fetcher(tmp_path) as f:
        assert f.fetch(url).data.endswith(b"</html>")
    url = site.route("/always-short.html", Reply(200, "<html><body>half", declared_length=4000))
    with fetcher(tmp_path, retries=1) as f, pytest.raises(FetchError, match="truncated body"):
        f.fetch(url)
    assert not PageCache(tmp_path).has(url)


def test_non_html_response_is_refused(site, tmp_path):
    url = site.route("/report.pdf", Reply(200, b"%PDF-1.4 ...", "application/pdf"))
    with fetcher(tmp_path) as f, pytest.raises(FetchError, match=r"not an HTML page \(Content-Type application/pdf\)"):
        f.fetch(url)


def test_size_cap_by_header_and_while_streaming(site, tmp_path):
    big = "<html><body>" + "x" * 50_000 + "</body></html>"
    declared = site.route("/big.html", Reply(200, big))
    streamed = site.route("/big-chunked.html", Reply(200, big, chunked=True))
    with fetcher(tmp_path, max_bytes=20_000) as f:
        with pytest.raises(FetchError, match="over the 20000-byte cap"):
            f.fetch(declared)
        with pytest.raises(FetchError, match="over the 20000-byte cap"):
            f.fetch(streamed)


def test_only_http_and_allowed_hosts(site, tmp_path):
    with fetcher(tmp_path) as f:
        for url, why in [
            ("ftp://127.0.0.1/x.html", "only http and https"),
            ("file:///etc/passwd", "only http and https"),
            ("http://example.invalid/x.html", "not one of the allowed hosts"),
            ("http://user:pw@127.0.0.1:1/x.html", "user info"),
        ]:
            with pytest.raises(FetchError, match=why):
                f.fetch(url)
    assert DEFAULT_HOSTS == {"english.hani.co.kr", "www.hani.co.kr", "hani.co.kr"}


# -- redirects ----------------------------------------------------------------------------------


def test_redirects_within_allowed_hosts_are_followed(site, tmp_path):
    target = site.url(KO_OLD, "localhost")
    url = site.redirect("/go/1", "/go/2", 301)
    site.redirect("/go/2", target, 302)
    with fetcher(tmp_path) as f:
        result = f.fetch(url)
    assert result.final_url == target
    assert result.redirects == [site.url("/go/2"), target]
    assert PageCache(tmp_path).get(url) == result.data  # cached under the URL asked for


def test_redirect_off_the_allowed_hosts_is_refused(site, tmp_path):
    url = site.redirect("/go/away", "https://elsewhere.invalid/page.html")
    with (
        fetcher(tmp_path) as f,
        pytest.raises(FetchError, match="redirects to https://elsewhere.invalid/page.html: host"),
    ):
        f.fetch(url)
    url = site.redirect("/go/ftp", "ftp://127.0.0.1/file")
    with fetcher(tmp_path) as f, pytest.raises(FetchError, match="only http and https"):
        f.fetch(url)


def test_redirect_loop_and_too_many_redirects(site, tmp_path):
    site.redirect("/loop/a", "/loop/b")
    site.redirect("/loop/b", "/loop/a")
    for k in range(8):
        site.redirect(f"/chain/{k}", f"/chain/{k + 1}")
    with fetcher(tmp_path, max_redirects=5) as f:
        with pytest.raises(FetchError, match="redirect loop"):
            f.fetch(site.url("/loop/a"))
        with pytest.raises(FetchError, match="more than 5 redirects"):
            f.fetch(site.url("/chain/0"))
    assert site.count("/loop/a") == 1


# -- offline, encodings ---------------------------------------------------------------------------


def test_offline_uses_the_cache_only(site, tmp_path):
    url = site.url(EN_2017)
    with fetcher(tmp_path) as f:
        f.fetch(url)
    hits = len(site.hits)
    with fetcher(tmp_path, offline=True) as f:
        assert f.fetch(url).from_cache
        with pytest.raises(FetchError, match=r"not in the page cache \(offline"):
            f.fetch(site.url(EN_2019))
    assert len(site.hits) == hits


def test_euc_kr_page_decodes_through_the_sources_decoder(site, tmp_path):
    url = site.url("/arti/society/society_general/500001.html", "localhost")
    with fetcher(tmp_path) as f:
        result = f.fetch(url)
    assert b"euc-kr" in result.data.lower()
    text = result.text()
    assert "\ufffd" not in text and any("\uac00" <= c <= "\ud7a3" for c in text)
    article = parse_page(PageCache(tmp_path).get(url), url)
    assert article.lang == "ko" and article.paragraphs


def test_euc_kr_declared_only_in_the_http_header_still_reads_from_the_cache(site, tmp_path):
    raw = (PAGES / "hani_ko_old_euckr.html").read_bytes()
    bare = raw.replace(b'<meta http-equiv="Content-Type" content="text/html; charset=euc-kr">', b"")
    assert b"euc-kr" not in bare.lower()
    url = site.route("/arti/society/society_general/500002.html", Reply(200, bare, "text/html; charset=EUC-KR"))
    with fetcher(tmp_path) as f:
        fetched = f.fetch(url)
    expected = parse_page(raw, url)
    assert fetched.text() == raw.decode("cp949").replace(
        '<meta http-equiv="Content-Type" content="text/html; charset=euc-kr">', ""
    )
    cached = parse_page(PageCache(tmp_path).get(url), url)  # no header any more: sniffed as CP949
    assert (cached.title, cached.paragraphs) == (expected.title, expected.paragraphs)


# -- the fetch job ---------------------------------------------------------------------------------


def test_fetch_articles_follows_the_original_link_and_records_the_pair(site, tmp_path):
    urls = [site.url(EN_2019), site.url(EN_2017)]
    with fetcher(tmp_path) as f:
        report = fetch_articles(urls, PageCache(tmp_path), fetcher=f)
    assert [i.status for i in report.items] == ["paired", "paired"], report.as_dict()
    assert report.items[0].ko_url == site.url(KO_OLD, "localhost")
    assert report.items[1].ko_url == site.url(KO_2023, "localhost")
    cache = PageCache(tmp_path)
    for item in report.items:
        assert cache.has(item.en_url) and cache.has(item.ko_url)
    entries = read_manifest(tmp_path)
    assert [(e.en_url, e.ko_url, e.how) for e in entries] == [(i.en_url, i.ko_url, "link") for i in report.items]
    assert entries[0].en_title and entries[0].ko_title
    lines = (tmp_path / MANIFEST_NAME).read_text(encoding="utf-8").splitlines()
    assert json.loads(lines[0])["en_url"] == urls[0]


def test_one_bad_item_is_reported_and_skipped(site, tmp_path):
    broken_link = site.page(
        "/arti/english_edition/e_national/700001.html",
        rewrite_hosts((PAGES / "hani_en_2019.html").read_bytes(), local_links(site)).replace(
            b"863790.html", b"700000.html"
        ),
    )
    off_site = site.page(
        "/arti/english_edition/e_national/700002.html",
        (PAGES / "hani_en_2019.html").read_bytes(),  # links left pointing at www.hani.co.kr
    )
    urls = [
        site.url("/arti/english_edition/e_national/404404.html"),  # 404
        site.url("/arti/english_edition/e_national/863000.html"),  # photo only: no body
        site.url("/news/generic.html"),  # a news page, but not the English edition
        broken_link,  # Korean original is 404
        off_site,  # Korean original on a host we may not fetch
        site.url("/private/secret.html"),  # robots.txt
        site.url(EN_2017),  # fine
    ]
    with fetcher(tmp_path) as f:
        report = fetch_articles(urls, PageCache(tmp_path), fetcher=f)
    status = {i.en_url: (i.status, i.reason) for i in report.items}
    assert status[site.url(EN_2017)][0] == "paired"
    assert report.count("failed") == 6
    reasons = [status[u][1] for u in urls[:-1]]
    assert "HTTP 404" in reasons[0]
    assert reasons[1].startswith("not an article page") and "no article body" in reasons[1]
    assert reasons[2].startswith("not an English-edition article")
    assert reasons[3].startswith("Korean original: ") and "HTTP 404" in reasons[3]
    assert "www.hani.co.kr is not one of the allowed hosts" in reasons[4]
    assert "robots.txt" in reasons[5]
    assert all("\n" not in r for r in reasons)
    cache = PageCache(tmp_path)
    assert not cache.has(urls[1]) and not cache.has(urls[2])  # junk never enters the cache
    assert cache.has(broken_link)  # a real English article, kept: `aligner run` reports it unpaired
    failures = (tmp_path / FAILURES_NAME).read_text(encoding="utf-8").splitlines()
    assert len(failures) == 6
    assert [e.en_url for e in read_manifest(tmp_path)] == [site.url(EN_2017)]


def test_interrupted_run_resumes_without_asking_again(site, tmp_path):
    cache = PageCache(tmp_path)
    urls = [site.url(EN_2019), site.url(EN_2017)]
    with fetcher(tmp_path) as f:
        fetch_articles(urls[:1], cache, fetcher=f)
        # As if killed after the English page of the second item was stored:
        cache.put(urls[1], f.fetch(urls[1], store=False).data)
    with open(tmp_path / MANIFEST_NAME, "a", encoding="utf-8") as fh:
        fh.write('{"en_url": "torn')  # a half-written last line
    ko_before, en_before = site.count(KO_2023), site.count(EN_2017)
    with fetcher(tmp_path) as f:
        report = fetch_articles(urls, cache, fetcher=f)
    assert [i.status for i in report.items] == ["done", "paired"]
    assert report.items[0].requests == 0
    assert site.count(EN_2017) == en_before and site.count(KO_2023) == ko_before + 1
    assert len(read_manifest(tmp_path)) == 2
    with fetcher(tmp_path, offline=True) as f:
        again = fetch_articles(urls + [site.url(EN_2019).replace("863805", "863806")], cache, fetcher=f)
    assert [i.status for i in again.items] == ["done", "done", "failed"]
    assert "offline" in again.items[2].reason and again.requests == 0


def test_manifest_keeps_the_latest_record_per_english_url(tmp_path):
    record_pair(tmp_path, ManifestEntry("https://e/1", "https://k/1"))
    record_pair(tmp_path, ManifestEntry("https://e/2", "https://k/2", how="content", score=0.91))
    record_pair(tmp_path, ManifestEntry("https://e/1", "https://k/9", how="manual"))
    entries = read_manifest(tmp_path)
    assert [(e.en_url, e.ko_url, e.how) for e in entries] == [
        ("https://e/2", "https://k/2", "content"),
        ("https://e/1", "https://k/9", "manual"),
    ]
    assert entries[0].score == 0.91 and entries[0].fetched


# -- listing ------------------------------------------------------------------------------------


def test_section_listing_follows_pages_up_to_the_limit(site, tmp_path):
    with fetcher(tmp_path) as f:
        listing = list_section(f, site.url(LIST1))
        limited = list_section(f, site.url(LIST1), limit=2)
    paths = [u.split(str(site.port))[1] for u in listing.urls]
    assert paths == [
        "/arti/english_edition/e_business/863807.html",
        "/arti/english_edition/e_northkorea/863801.html",
        "/arti/english_edition/e_national/999999.html",
        "/arti/english_edition/e_international/863803.html",
        "/arti/english_edition/e_national/863000.html",
    ]
    assert len(listing.pages) == 2  # list2 has no Next link; counted list3 is missing
    assert listing.problems and "list3.html" in listing.problems[0] and "404" in listing.problems[0]
    assert len(limited.urls) == 2 and len(limited.pages) == 1
    assert not any("list" in p.name for p in (tmp_path / "pages").rglob("*.html"))  # list pages not cached


def test_section_page_that_fails_is_an_error(site, tmp_path):
    with fetcher(tmp_path) as f, pytest.raises(FetchError, match="HTTP 404"):
        list_section(f, site.url("/arti/english_edition/e_nothing/list1.html"))


def test_link_extraction_and_next_page_rules():
    data = (HTTP / "section_list1.html").read_bytes()
    base = "https://english.hani.co.kr/arti/english_edition/e_business/list1.html"
    links = article_links(data, base)
    assert links[0] == "https://english.hani.co.kr/arti/english_edition/e_business/863807.html"
    assert len(links) == 3
    assert next_page(data, base).endswith("/e_business/list2.html")
    assert counted_next(base.replace("list1", "list7")).endswith("list8.html")
    assert counted_next("https://english.hani.co.kr/arti/english_edition/e_national/").endswith("e_national/list2.html")
    assert counted_next("https://example.org/news?section=x&page=3") == "https://example.org/news?section=x&page=4"
    assert counted_next("https://example.org/news") is None
    rel_next = b'<html><head><link rel="next" href="/list?p=9"></head><body></body></html>'
    assert next_page(rel_next, "https://example.org/list?p=8") == "https://example.org/list?p=9"
    # Korean-style pagination: "다음" jumps to the next block of ten; page 2 comes first.
    block = (
        '<html><body><strong>1</strong> <a href="list2.html">2</a> <a href="list3.html">3</a> '
        '<a href="list11.html">다음</a></body></html>'
    ).encode()
    assert next_page(block, base).endswith("/list2.html")
    only_next = b'<html><body><a href="/archive?from=20">Next</a></body></html>'
    assert next_page(only_next, "https://example.org/archive") == "https://example.org/archive?from=20"


def test_id_ranges_and_url_files(tmp_path):
    assert list(parse_id_range("1107050-1107052")) == [1107050, 1107051, 1107052]
    assert list(parse_id_range(" 42 ")) == [42]
    for bad, why in [("9-3", "backwards"), ("a-b", "A-B"), ("1-999999999", "split the range")]:
        with pytest.raises(InputError, match=why):
            parse_id_range(bad)
    assert urls_for_ids([5], section="e_business") == [
        "https://english.hani.co.kr/arti/english_edition/e_business/5.html"
    ]
    assert urls_for_ids([5], template="https://english.hani.co.kr/arti/{id}.html") == [
        "https://english.hani.co.kr/arti/5.html"
    ]
    with pytest.raises(InputError, match=r"\{id\}"):
        urls_for_ids([5], template="https://x/")
    listed = tmp_path / "urls.txt"
    listed.write_text(
        "# English pages\nenglish.hani.co.kr/arti/english_edition/e_national/1.html  note\n\n"
        "https://english.hani.co.kr/arti/english_edition/e_national/1.html\n",
        encoding="utf-8",
    )
    urls = collect_urls(
        ["https://english.hani.co.kr/arti/english_edition/e_national/0.html"],
        from_file=listed,
        ids="2-3",
        id_section="e_national",
    )
    assert len(urls) == 5  # the bare host form is a different string until normalised
    assert normalize_url("english.hani.co.kr/arti/x.html#top") == "https://english.hani.co.kr/arti/x.html"
    with pytest.raises(InputError, match="no such file"):
        read_url_file(tmp_path / "missing.txt")


def test_fetch_command_gathers_urls_and_refuses_nothing_to_do(site, tmp_path):
    with pytest.raises(InputError, match="no article URLs"):
        fetch_command(tmp_path / "c0", [])
    with pytest.raises(FetchError, match="offline"):
        fetch_command(tmp_path / "c1", section=site.url(LIST1), offline=True, allowed_hosts=HOSTS)
    report = fetch_command(
        tmp_path / "c2", [site.url(EN_2017)], rate=0, allowed_hosts=HOSTS, trust_env=False, retries=0
    )
    assert report.count("paired") == 1 and report.ok and report.as_dict()["paired"] == 1


# -- the command line against the local server ------------------------------------------------------

EUC_KR = "/arti/society/society_general/500001.html"  # served as bare text/html: charset only in the page


def cli_fetch(capsys, monkeypatch, site, corpus: Path, *argv: str) -> tuple[int, str, str]:
    """``aligner fetch -d CORPUS --allow-host 127.0.0.1:PORT --allow-host localhost --rate 100 ARGV``."""
    from aligner.cli import main

    no_proxies(monkeypatch)
    code = main(
        [
            "fetch",
            "-d",
            str(corpus),
            "--allow-host",
            f"127.0.0.1:{site.port}",
            "--allow-host",
            "localhost",
            "--rate",
            "100",
            *argv,
        ]
    )
    out, err = capsys.readouterr()
    return code, out, err


def test_allow_host_matches_any_port_without_one_and_only_its_port_with_one(tmp_path):
    f = Fetcher(None, allowed_hosts=DEFAULT_HOSTS | {"127.0.0.1:8000", "LocalHost.", "[::1]:9000", "example.org:443"})
    for url in (
        "http://127.0.0.1:8000/a.html",
        "http://localhost:1234/a.html",
        "http://localhost/a.html",
        "http://[::1]:9000/a.html",
        "https://example.org/a.html",
        "http://example.org:443/a.html",
        "https://english.hani.co.kr:8443/a.html",
    ):
        f.check_url(url)
    for url, shown in [
        ("http://127.0.0.1:8001/a.html", "127.0.0.1:8001"),
        ("http://127.0.0.1/a.html", "127.0.0.1"),
        ("http://[::1]:9001/a.html", "[::1]:9001"),
        ("http://example.org/a.html", "example.org"),
    ]:
        with pytest.raises(FetchError, match=rf"host {re.escape(shown)} is not one of the allowed hosts"):
            f.check_url(url)
    for bad in ("http://127.0.0.1:8000", "127.0.0.1:80/x", "127.0.0.1:port", "", "a host"):
        with pytest.raises(InputError, match="not a host name"):
            Fetcher(None, allowed_hosts={bad})


def test_cli_allow_host_refuses_a_url_in_one_line(capsys, tmp_path):
    from aligner.cli import main

    code = main(["fetch", "-d", str(tmp_path), "--allow-host", "http://127.0.0.1:8000/", "https://x/1.html"])
    err = capsys.readouterr().err
    assert code == 1 and err.count("\n") == 1
    assert err.startswith("aligner: error: http://127.0.0.1:8000/: not a host name")


def test_cli_fetch_from_file_follows_a_link_to_an_euc_kr_original(site, tmp_path, capsys, monkeypatch):
    english = rewrite_hosts((PAGES / "hani_en_2019.html").read_bytes(), local_links(site))
    linked = site.page(
        "/arti/english_edition/e_national/500101.html", english.replace(KO_OLD.encode(), EUC_KR.encode())
    )
    urls = tmp_path / "urls.txt"
    urls.write_text(f"# two English pages\n{linked}\n\n{site.url(EN_2017)}  the 2017 layout\n", encoding="utf-8")
    code, out, err = cli_fetch(capsys, monkeypatch, site, tmp_path / "c", "--from-file", str(urls))
    assert code == 0, out + err
    assert f"paired: {linked} -> {site.url(EUC_KR, 'localhost')}" in out.splitlines()
    assert "paired 2, already done 0, failed 0" in out
    entries = read_manifest(tmp_path / "c")
    assert [(e.en_url, e.ko_url) for e in entries] == [
        (linked, site.url(EUC_KR, "localhost")),
        (site.url(EN_2017), site.url(KO_2023, "localhost")),
    ]
    raw = PageCache(tmp_path / "c").get(site.url(EUC_KR, "localhost"))
    assert raw == (PAGES / "hani_ko_old_euckr.html").read_bytes()  # the EUC-KR bytes, as served
    korean = parse_page(raw, entries[0].ko_url)
    assert korean.lang == "ko" and entries[0].ko_title == korean.title and "\ufffd" not in korean.text


def test_fetch_ids_through_a_real_fetch(site, tmp_path):
    template = site.url("/arti/english_edition/{section}/{id}.html")
    report = fetch_command(
        tmp_path,
        ids="863807-863808",
        id_section="e_business",
        id_template=template,
        rate=0,
        allowed_hosts=HOSTS,
        trust_env=False,
        retries=0,
    )
    assert [(i.en_url.rsplit("/", 2)[1:], i.status) for i in report.items] == [
        (["e_business", "863807.html"], "paired"),
        (["e_business", "863808.html"], "paired"),
    ]
    assert [e.ko_url for e in read_manifest(tmp_path)] == [
        site.url("/arti/economy/it/863707.html", "localhost"),
        site.url("/arti/economy/economy_general/863708.html", "localhost"),
    ]


def test_cli_fetch_prints_list_page_problems_with_the_failures(site, tmp_path, capsys, monkeypatch):
    code, out, _ = cli_fetch(capsys, monkeypatch, site, tmp_path, "--section", site.url(LIST1), "--limit", "10")
    assert code == 1
    lines = out.splitlines()
    assert [line for line in lines if line.startswith("list page failed: ")] == [
        f"list page failed: {site.url(LIST1.replace('list1', 'list3'))}: HTTP 404 Not Found"
    ]
    assert lines[-1].startswith("paired 3, already done 0, failed 2;")


@pytest.mark.parametrize("value", ["0", "-1", "1.5", "ten"])
def test_cli_limit_must_be_a_positive_whole_number(capsys, tmp_path, value):
    from aligner.cli import main

    with pytest.raises(SystemExit) as exc:
        main(["fetch", "-d", str(tmp_path / "c"), "--offline", "--limit", value, "https://english.hani.co.kr/1.html"])
    assert exc.value.code == 2
    assert "argument --limit: must be" in capsys.readouterr().err
    assert not (tmp_path / "c").exists()


def test_limit_counts_every_article_not_only_the_section(site, tmp_path, capsys):
    from aligner.cli import main

    urls = [f"https://english.hani.co.kr/arti/english_edition/e_national/{n}.html" for n in (1, 2, 3)]
    code = main(
        [
            "fetch",
            "-d",
            str(tmp_path / "a"),
            "--offline",
            "--limit",
            "2",
            "--json",
            urls[0],
            "english.hani.co.kr/arti/english_edition/e_national/1.html",
            *urls[1:],
        ]
    )
    items = json.loads(capsys.readouterr().out)["items"]
    assert code == 1 and [i["en_url"] for i in items] == urls[:2]  # the duplicate counts once
    report = fetch_command(
        tmp_path / "b",
        [site.url(EN_2017)],
        section=site.url(LIST1),
        limit=2,
        rate=0,
        allowed_hosts=HOSTS,
        trust_env=False,
        retries=0,
    )
    assert [i.en_url for i in report.items] == [
        site.url(EN_2017),
        site.url("/arti/english_edition/e_business/863807.html"),
    ]


@pytest.mark.parametrize("value", ["0", "-2", "inf", "nan"])
def test_cli_rate_must_be_above_zero(capsys, tmp_path, value):
    from aligner.cli import main

    code = main(["fetch", "-d", str(tmp_path / "c"), "--rate", value, "https://english.hani.co.kr/1.html"])
    err = capsys.readouterr().err
    assert code == 1 and err.count("\n") == 1
    assert err.startswith(f"aligner: error: --rate {float(value):g}: must be more than 0 requests a second")
    assert not (tmp_path / "c").exists()


@pytest.mark.timing
def test_default_rate_spaces_requests_to_one_host_by_about_a_second(tmp_path):
    from aligner.cli import build_parser

    assert build_parser().parse_args(["fetch"]).rate == Fetcher(None).rate == 1.0
    with LocalServer() as server:
        server.page("/robots.txt", "User-agent: *\nAllow: /\n", "text/plain")
        server.page("/a.html", "<html>a</html>")
        server.page("/b.html", "<html>b</html>")
        with Fetcher(PageCache(tmp_path), allowed_hosts=HOSTS, trust_env=False) as f:
            f.fetch(server.url("/a.html"))
            f.fetch(server.url("/b.html"))
        times = [h.at for h in server.hits]
    assert [h.path for h in server.hits] == ["/robots.txt", "/a.html", "/b.html"]
    assert min(b - a for a, b in zip(times, times[1:])) >= 0.9, times


@pytest.mark.parametrize(
    "replies, tries",
    [
        ([Reply(429, headers={"Retry-After": "0"})], 3),  # throttled on every try
        ([Reply(429, headers={"Retry-After": "3600"})], 1),  # told to come back in an hour
    ],
)
def test_robots_txt_answered_429_keeps_us_off_the_host(tmp_path, replies, tries):
    with LocalServer() as server:
        server.route("/robots.txt", *replies)
        server.page("/a.html", "<html><body>a</body></html>")
        with fetcher(tmp_path, retries=2) as f:
            for _ in range(2):
                with pytest.raises(FetchError, match=r"robots.txt could not be read \(HTTP 429 .*; not fetching"):
                    f.fetch(server.url("/a.html"))
        assert server.count("/robots.txt") == tries and server.count("/a.html") == 0


def test_robots_txt_429_then_rules_is_retried_like_other_429s(tmp_path):
    with LocalServer() as server:
        server.route(
            "/robots.txt",
            Reply(429, headers={"Retry-After": "1"}),
            Reply(200, "User-agent: *\nDisallow: /private/\n", "text/plain"),
        )
        server.page("/a.html", "<html><body>a</body></html>")
        t = time.monotonic()
        with fetcher(tmp_path) as f:
            assert f.fetch(server.url("/a.html")).status == 200
            with pytest.raises(FetchError, match="robots.txt disallows /private/"):
                f.fetch(server.url("/private/b.html"))
        assert time.monotonic() - t >= 0.9  # the Retry-After was waited out
        assert server.count("/robots.txt") == 2


@pytest.mark.parametrize("status, allowed", [(401, False), (403, False), (404, True), (410, True)])
def test_robots_txt_401_403_mean_keep_out_other_4xx_mean_no_rules(tmp_path, status, allowed):
    with LocalServer() as server:
        server.route("/robots.txt", Reply(status))
        server.page("/a.html", "<html><body>a</body></html>")
        with fetcher(tmp_path) as f:
            if allowed:
                assert f.fetch(server.url("/a.html")).status == 200
            else:
                with pytest.raises(FetchError, match=f"robots.txt answered HTTP {status}: the site asks crawlers"):
                    f.fetch(server.url("/a.html"))
        assert server.count("/robots.txt") == 1 and server.count("/a.html") == int(allowed)


def test_javascript_and_mailto_urls_are_refused_for_their_scheme(capsys, tmp_path):
    from aligner.cli import main

    assert normalize_url("javascript:alert(1)") == "javascript:alert(1)"
    assert normalize_url("mailto:x@y") == "mailto:x@y"
    assert normalize_url("localhost:8000/arti/a.html") == "https://localhost:8000/arti/a.html"
    assert normalize_url("english.hani.co.kr:443") == "https://english.hani.co.kr:443"
    code = main(["fetch", "-d", str(tmp_path), "--offline", "javascript:alert(1)", "mailto:x@y"])
    lines = capsys.readouterr().out.splitlines()
    assert code == 1
    assert lines[:2] == [
        "failed: javascript:alert(1): only http and https URLs are fetched, not 'javascript'",
        "failed: mailto:x@y: only http and https URLs are fetched, not 'mailto'",
    ]
