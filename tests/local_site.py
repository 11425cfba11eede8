"""A local copy of the two Hankyoreh sites for the fetch tests: a real HTTP server on 127.0.0.1.

English-edition pages are served on ``127.0.0.1`` and Korean pages on ``localhost`` (two
host names, one server), with the pages' ``english.hani.co.kr`` / ``www.hani.co.kr``
links pointed at it. The ``site`` fixture (tests/conftest.py) serves :func:`serve_site`.
"""

from __future__ import annotations

from pathlib import Path

import pytest

from aligner.sources import PageCache
from aligner.sources.client import Fetcher
from tests.httpserver import LocalServer, rewrite_hosts

TESTS = Path(__file__).parent
PAGES = TESTS / "fixtures" / "pages"
HTTP = TESTS / "fixtures" / "http"
SAMPLE_PAGES = TESTS.parent / "corpora" / "sample" / "pages"
HOSTS = {"127.0.0.1", "localhost"}

EN_2019 = "/arti/english_edition/e_northkorea/863805.html"  # original: KO_OLD
EN_2017 = "/arti/english_edition/e_northkorea/820210.html"  # original: KO_2023
KO_OLD = "/arti/politics/defense/863790.html"
KO_2023 = "/arti/international/america/820195.html"
LIST1 = "/arti/english_edition/e_business/list1.html"


def local_links(server: LocalServer) -> dict[str, str]:
    en, ko = server.url("", "127.0.0.1"), server.url("", "localhost")
    mapping = {}
    for scheme in ("https:", "http:", ""):
        mapping[f"{scheme}//english.hani.co.kr"] = en if scheme else en.replace("http:", "")
        mapping[f"{scheme}//www.hani.co.kr"] = ko if scheme else ko.replace("http:", "")
    return mapping


def serve_file(server: LocalServer, path: str, file: Path, content_type: str = "text/html; charset=utf-8") -> str:
    return server.page(path, rewrite_hosts(file.read_bytes(), local_links(server)), content_type)


def serve_site(server: LocalServer) -> LocalServer:
    """The test site: the fixture pages (both layouts, EUC-KR, generic news), the sample
    corpus's pages, two section list pages, and a robots.txt that keeps us off /private/."""
    server.page("/robots.txt", "User-agent: *\nDisallow: /private/\n", "text/plain")
    serve_file(server, EN_2019, PAGES / "hani_en_2019.html")
    serve_file(server, EN_2017, PAGES / "hani_en_2017.html")
    serve_file(server, KO_OLD, PAGES / "hani_ko_old.html")
    serve_file(server, KO_2023, PAGES / "hani_ko_2023.html")
    # An old Korean page: EUC-KR bytes, the charset only in the page's http-equiv.
    serve_file(server, "/arti/society/society_general/500001.html", PAGES / "hani_ko_old_euckr.html", "text/html")
    serve_file(server, "/arti/english_edition/e_national/863000.html", PAGES / "hani_en_nobody.html")
    serve_file(server, "/news/generic.html", PAGES / "generic_news.html")
    for host_dir in ("english.hani.co.kr", "www.hani.co.kr"):
        for file in sorted((SAMPLE_PAGES / host_dir).rglob("*.html")):
            serve_file(server, "/" + file.relative_to(SAMPLE_PAGES / host_dir).as_posix(), file)
    serve_file(server, LIST1, HTTP / "section_list1.html")
    serve_file(server, LIST1.replace("list1", "list2"), HTTP / "section_list2.html")
    server.page("/private/secret.html", "<html><body>secret</body></html>")
    return server


def fetcher(root: Path, **options) -> Fetcher:
    """A fetcher for the local server: no rate limit unless asked, short waits, our two hosts."""
    settings = dict(rate=0, timeout=2.0, retries=2, backoff=0.01, max_wait=5.0, allowed_hosts=HOSTS, trust_env=False)
    settings.update(options)
    return Fetcher(PageCache(root), **settings)


def no_proxies(monkeypatch: pytest.MonkeyPatch) -> None:
    """The CLI's client trusts the environment; a proxy there must not carry loopback requests."""
    for name in ("HTTP_PROXY", "HTTPS_PROXY", "ALL_PROXY", "http_proxy", "https_proxy", "all_proxy"):
        monkeypatch.delenv(name, raising=False)
