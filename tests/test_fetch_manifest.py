"""URL identity (one article, one key) and the manifest, pairs.jsonl, read as untrusted.

Tracking parameters and fragments name no other article: the ways the Hankyoreh links
its own pages (``?_fr=mt1`` from the front page, ``?_ns=t1`` from the news stand,
``#comments``) and the usual share trackers all reach one cache file, one manifest key
and one document key. Caches and manifests written before that rule are still read.
"""

from __future__ import annotations

import json
import logging
from pathlib import Path

import pytest

from aligner.sources import PageCache
from aligner.sources.fetch import fetch_articles
from aligner.sources.manifest import (
    MANIFEST_NAME,
    ManifestEntry,
    load_manifest,
    read_manifest,
    record_pair,
)
from aligner.sources.urls import article_url, canonical_url, normalize_url, page_key, same_page
from aligner.store import document_key

EN = "https://english.hani.co.kr/arti/english_edition/e_national/1107055.html"
KO = "https://www.hani.co.kr/arti/politics/defense/1107001.html"


@pytest.mark.parametrize(
    "link",
    [
        EN,
        EN + "?_fr=mt1",
        EN + "?_fr=mt2",
        EN + "?_fr=mt0#comments",
        EN + "?_ns=t1",
        EN + "?_ns=r2",
        EN + "#comments",
        EN + "?utm_source=twitter&utm_medium=social&utm_campaign=x",
        EN + "?fbclid=IwAR0abc",
        EN + "?gclid=abc&_fr=sr1",
        EN + "?UTM_Source=x",
        EN + "?",
        EN + "?_fr=mt1&",
        EN.replace("https", "http"),
        EN.replace("english.hani", "English.Hani") + "?_fr=mt1",
        EN.replace("1107055", "%31107055"),
    ],
)
def test_the_ways_hankyoreh_links_an_article_are_one_page(link):
    assert canonical_url(link) == EN
    assert page_key(link) == EN and same_page(link, EN)
    assert document_key(link) == EN  # the store keys documents by the same rule


def test_parameters_that_choose_content_stay_in_their_order():
    url = "https://news.example.org/view.php?id=7&_fr=mt1&page=2&utm_source=x&lang=ko"
    assert article_url(url) == "https://news.example.org/view.php?id=7&page=2&lang=ko"
    assert canonical_url(url) == "https://news.example.org/view.php?id=7&page=2&lang=ko"
    assert not same_page(url, "https://news.example.org/view.php?page=2&id=7&lang=ko")
    assert article_url("http://EN.example.org/a?x=1#f") == "http://EN.example.org/a?x=1"  # scheme and host as written
    assert normalize_url(" english.hani.co.kr/arti/x.html?_fr=mt1#top ") == "https://english.hani.co.kr/arti/x.html"
    assert page_key("/home/me/article.txt") == "/home/me/article.txt"  # not a URL: as it is
    assert page_key("javascript:alert(1)") == "javascript:alert(1)"
    assert article_url("http://[x/a?_fr=1#y") == "http://[x/a"  # string work only: never raises


# -- caches and manifests written before the rule -------------------------------------------------


def test_a_cache_written_with_tracking_parameters_is_still_read(tmp_path):
    cache = PageCache(tmp_path)
    folder = tmp_path / "pages/english.hani.co.kr/arti/english_edition/e_national"
    folder.mkdir(parents=True)
    (folder / "1107055.html@_fr=mt2").write_bytes(b"<html>second</html>")
    (folder / "1107055.html@_fr=mt1").write_bytes(b"<html>first</html>")
    (folder / "1107056.html@id=3").write_bytes(b"<html>other</html>")  # a real parameter: its own page
    for link in (EN, EN + "?_fr=mt1", EN + "?_fr=mt2", EN + "#x"):
        assert cache.has(link) and cache.get(link) == b"<html>first</html>"  # first legacy name, sorted
    assert [u for u, _ in cache.iter_pages()] == [EN, EN.replace("1107055", "1107056") + "?id=3"]
    cache.put(EN + "?_fr=mt9", b"<html>new</html>")  # written under the canonical name from now on
    assert (folder / "1107055.html").read_bytes() == b"<html>new</html>"
    assert PageCache(tmp_path).get(EN + "?_fr=mt1") == b"<html>new</html>"  # the canonical file wins
    assert [u for u, p in PageCache(tmp_path).iter_pages()] == [EN, EN.replace("1107055", "1107056") + "?id=3"]


def test_a_manifest_written_with_tracking_parameters_reads_as_one_pair_and_is_done(tmp_path):
    with (tmp_path / MANIFEST_NAME).open("w", encoding="utf-8") as fh:
        fh.write(json.dumps({"en_url": EN + "?_fr=mt1", "ko_url": KO + "?_ns=t1", "how": "link"}) + "\n")
        fh.write(json.dumps({"en_url": EN.replace("https", "http") + "?_fr=mt2", "ko_url": KO, "how": "link"}) + "\n")
    entries = read_manifest(tmp_path)
    assert [(e.en_url, e.ko_url) for e in entries] == [(EN.replace("https", "http"), KO)]
    cache = PageCache(tmp_path)
    cache.put(EN, b"<html>en</html>")
    cache.put(KO + "?_fr=mt1", b"<html>ko</html>")
    report = fetch_articles([EN + "?_fr=mt3", EN + "#top", EN], cache, offline=True)
    assert [(i.en_url, i.status) for i in report.items] == [(EN, "done")] and report.requests == 0


def test_record_pair_writes_urls_without_tracking(tmp_path):
    record_pair(tmp_path, ManifestEntry(EN + "?_fr=mt1#c", KO + "?utm_source=x"))
    line = json.loads((tmp_path / MANIFEST_NAME).read_text(encoding="utf-8"))
    assert (line["en_url"], line["ko_url"]) == (EN, KO)


# -- hostile lines -------------------------------------------------------------------------------


def good(n: int) -> str:
    return json.dumps({"en_url": f"{EN[:-5]}{n}.html", "ko_url": f"{KO[:-5]}{n}.html"})


HOSTILE_LINES = [
    (json.dumps({"en_url": 5, "ko_url": KO}), "en_url is a number, not a URL"),
    (json.dumps({"en_url": ["a"], "ko_url": KO}), "en_url is a list, not a URL"),
    (json.dumps({"en_url": EN, "ko_url": None}), "no ko_url"),
    (json.dumps({"en_url": {"x": 1}, "ko_url": KO}), "en_url is a JSON object, not a URL"),
    (json.dumps({"en_url": True, "ko_url": KO}), "en_url is a true/false, not a URL"),
    (json.dumps({"en_url": EN + "?q=" + "a" * 10_000, "ko_url": KO}), "en_url is 10"),
    (json.dumps({"en_url": "https://x/" + "a" * 70_000, "ko_url": KO}), "longer than 65536 bytes"),
    ('{"en_url": "' + EN + '", "ko_url": "https://k', "not JSON"),
    (json.dumps({"en_url": EN + "\x1b]0;pwned\x07", "ko_url": KO}), "control character in en_url"),
    (json.dumps({"en_url": EN, "ko_url": KO + "\x9b2J"}), "control character in ko_url"),
    (json.dumps({"en_url": "javascript:alert(1)", "ko_url": KO}), "en_url is not a page address"),
    (json.dumps({"en_url": "https://x/%2e%2e/%2e%2e/etc/passwd", "ko_url": KO}), "en_url is not a page address"),
    (json.dumps({"en_url": EN, "ko_url": KO, "score": "high"}), "score is a string, not a number"),
    (json.dumps({"en_url": EN, "ko_url": KO, "score": 10**400}), "score is not a finite number"),
    ('{"en_url": "' + EN + '", "ko_url": "' + KO + '", "score": NaN}', "score is not a finite number"),
    (json.dumps({"en_url": EN, "ko_url": KO, "how": 7}), "how is a number, not text"),
    (json.dumps([EN, KO]), "a JSON list, not an object"),
    ("null", "a JSON null, not an object"),
    ("[" * 30_000 + "]" * 30_000, "not JSON (nested too deep)"),
]


def test_hostile_manifest_lines_are_each_one_line_naming_the_file_and_line(tmp_path, caplog):
    path = tmp_path / MANIFEST_NAME
    with path.open("wb") as fh:
        fh.write((good(1) + "\n").encode())
        for line, _ in HOSTILE_LINES:
            fh.write(line.encode("utf-8") + b"\n")
        fh.write(b'{"en_url": "\xff\xfe", "ko_url": "x"}\n')  # not UTF-8
        fh.write(b"\n")  # blank: nothing to say
        fh.write((good(2) + "\n").encode())
        fh.write(b'{"en_url": "torn')  # the last line, cut short
    manifest = load_manifest(tmp_path)
    assert [e.en_url for e in manifest.entries] == [f"{EN[:-5]}1.html", f"{EN[:-5]}2.html"]
    expected = [why for _, why in HOSTILE_LINES] + ["not UTF-8 (byte 13 of the line)", "cut short"]
    assert len(manifest.problems) == len(expected), manifest.problems
    for number, (problem, why) in enumerate(zip(manifest.problems, expected, strict=True), start=2):
        assert problem.startswith(f"{path}, line {number if why != 'cut short' else number + 2}: "), problem
        assert why in problem and problem.endswith("skipped"), (why, problem)
        assert "\n" not in problem and "\x1b" not in problem and len(problem) < 400
    with caplog.at_level(logging.WARNING, logger="aligner.sources.manifest"):
        assert len(read_manifest(tmp_path)) == 2
    assert [r.getMessage() for r in caplog.records] == manifest.problems


def test_cli_fetch_reads_a_hostile_manifest_and_says_which_lines_it_skipped(tmp_path, capsys):
    from aligner.cli import main

    cache = PageCache(tmp_path)
    cache.put(EN, b"<html>en</html>")
    cache.put(KO, b"<html>ko</html>")
    (tmp_path / MANIFEST_NAME).write_text(
        json.dumps({"en_url": 5, "ko_url": KO})
        + "\n"
        + json.dumps({"en_url": EN, "ko_url": KO})
        + "\n"
        + json.dumps({"en_url": EN + "\x1b]0;x\x07[/y]", "ko_url": KO})
        + "\n",
        encoding="utf-8",
    )
    code = main(["fetch", "-d", str(tmp_path), "--offline", EN + "?_fr=mt1"])
    out, err = capsys.readouterr()
    assert code == 0, out + err
    lines = out.splitlines()
    assert lines[0] == f"done: {EN} -> {KO}"
    assert f"note: {tmp_path / MANIFEST_NAME}, line 1: en_url is a number, not a URL; skipped" in lines
    assert f"note: {tmp_path / MANIFEST_NAME}, line 3: control character in en_url; skipped" in lines
    assert "\x1b" not in out + err


def test_an_unreadable_manifest_file_is_one_line(tmp_path):
    from aligner.errors import InputError

    (tmp_path / MANIFEST_NAME).mkdir()
    with pytest.raises(InputError, match="pairs.jsonl: cannot read"):
        load_manifest(tmp_path)
    assert load_manifest(tmp_path / "nowhere").entries == []


def test_existing_manifests_are_written_at_a_line_boundary(tmp_path):
    path: Path = tmp_path / MANIFEST_NAME
    path.write_bytes(good(1).encode() + b"\n" + b'{"en_url": "to')  # torn by a killed run
    record_pair(tmp_path, ManifestEntry(f"{EN[:-5]}3.html", f"{KO[:-5]}3.html"))
    assert [e.en_url for e in read_manifest(tmp_path)] == [f"{EN[:-5]}1.html", f"{EN[:-5]}3.html"]
