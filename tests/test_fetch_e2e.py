"""The whole job on the local test server: a section page -> ``aligner fetch`` -> ``aligner run``.

Kept apart from test_fetch.py because ``run`` loads the sentence encoder and the Korean
analyser, which takes most of this file's time.
"""

from __future__ import annotations

from aligner import pipeline
from aligner.cli import main
from aligner.sources.fetch import fetch_command
from aligner.sources.manifest import read_manifest
from aligner.store import Store
from tests.local_site import HOSTS, LIST1, no_proxies


def test_section_fetch_then_run_gives_aligned_pairs_and_lists_failures(site, tmp_path):
    corpus = tmp_path / "corpus"
    report = fetch_command(
        corpus, section=site.url(LIST1), limit=5, rate=0, allowed_hosts=HOSTS, trust_env=False, retries=0, timeout=2.0
    )
    assert report.count("paired") == 3, report.as_dict()
    failed = {i.en_url.rsplit("/", 1)[1]: i.reason for i in report.failed}
    assert set(failed) == {"999999.html", "863000.html"}
    assert "HTTP 404" in failed["999999.html"] and "no article body" in failed["863000.html"]
    assert len(read_manifest(corpus)) == 3
    # the test server's pages are not on the English edition's host: `run` finds them
    # through the fetch manifest (pairs.jsonl), as it does pairs found by content
    summary = pipeline.run_corpus(corpus, pipeline.RunOptions(formats=("tsv",)))
    assert summary.count("aligned") == 3, [(r.item, r.outcome, r.reason) for r in summary.items]
    assert summary.pairs == 3 and summary.bead_types
    with Store(corpus / "corpus.db") as store:
        assert {store.pair(p).how for p in store.pair_ids()} == {"link"}


def test_cli_fetch_with_allow_host_then_cli_run_gives_aligned_pairs(site, tmp_path, capsys, monkeypatch):
    """The issue's "done means", with the real commands: only --allow-host points them at the test server."""
    no_proxies(monkeypatch)
    corpus = tmp_path / "corpus"
    code = main(
        [
            "fetch",
            "-d",
            str(corpus),
            "--allow-host",
            f"127.0.0.1:{site.port}",
            "--allow-host",
            "localhost",
            "--section",
            site.url(LIST1),
            "--limit",
            "10",
            "--rate",
            "100",
        ]
    )
    out = capsys.readouterr().out
    assert code == 1, out  # two articles failed
    lines = out.splitlines()
    failed = sorted(line for line in lines if line.startswith("failed: "))
    assert len(failed) == 2, out
    assert failed[0].startswith(f"failed: {site.url('/arti/english_edition/e_national/863000.html')}: not an article")
    assert failed[1] == f"failed: {site.url('/arti/english_edition/e_national/999999.html')}: HTTP 404 Not Found"
    assert f"list page failed: {site.url(LIST1.replace('list1', 'list3'))}: HTTP 404 Not Found" in lines
    assert lines[-1].startswith("paired 3, already done 0, failed 2;")
    assert len(read_manifest(corpus)) == 3
    assert main(["run", str(corpus), "--format", "tsv", "--quiet"]) == 0
    with Store(corpus / "corpus.db") as store:
        pairs = [store.pair(p) for p in store.pair_ids()]
        assert len(pairs) == 3 and {p.how for p in pairs} == {"link"}
        assert all(store.beads(p.id) for p in pairs)
    assert (corpus / "export" / "corpus.tsv").stat().st_size > 0


def test_one_article_linked_three_ways_is_one_cache_entry_one_pair_one_export(site, tmp_path, capsys, monkeypatch):
    """A list page linking 1.html, 1.html?_fr=mt1 and 1.html?_fr=mt2 (as the Hankyoreh links its
    own articles): one page in the cache, one line in pairs.jsonl, one pair, each bead exported once.
    A corpus written before the rule (tracked file names and manifest keys) runs the same."""
    import json
    import shutil

    from aligner.sources import PageCache

    no_proxies(monkeypatch)
    english = "/arti/english_edition/e_northkorea/863805.html"
    links = "".join(f'<a href="{english}{q}">story</a>' for q in ("", "?_fr=mt1", "?_fr=mt2#comments"))
    section = site.page("/arti/english_edition/e_tracked/list1.html", f"<html><body>{links}</body></html>")
    corpus = tmp_path / "corpus"
    assert (
        main(
            [
                "fetch",
                "-d",
                str(corpus),
                "--allow-host",
                f"127.0.0.1:{site.port}",
                "--allow-host",
                "localhost",
                "--section",
                section,
                "--rate",
                "100",
            ]
        )
        == 0
    )
    out = capsys.readouterr().out
    assert out.count("paired: ") == 1 and out.splitlines()[-1].startswith("paired 1, already done 0, failed 0")
    pages = sorted(p.name for p in (corpus / "pages").rglob("*.html*"))
    assert pages == ["863790.html", "863805.html"]
    assert (corpus / "pairs.jsonl").read_text(encoding="utf-8").count("\n") == 1

    legacy = tmp_path / "legacy"  # the same corpus as an older fetch wrote it
    shutil.copytree(corpus / "pages", legacy / "pages")
    for path in (legacy / "pages").rglob("*.html"):
        path.rename(path.with_name(path.name + "@_fr=mt1"))
        shutil.copy(path.with_name(path.name + "@_fr=mt1"), path.with_name(path.name + "@_fr=mt2"))
    record = json.loads((corpus / "pairs.jsonl").read_text(encoding="utf-8"))
    with (legacy / "pairs.jsonl").open("w", encoding="utf-8") as fh:
        for q in ("?_fr=mt1", "?_fr=mt2"):
            fh.write(json.dumps({**record, "en_url": record["en_url"] + q, "ko_url": record["ko_url"] + q}) + "\n")

    for folder in (corpus, legacy):
        assert main(["run", str(folder), "--format", "tsv", "--quiet"]) == 0, capsys.readouterr()
        with Store(folder / "corpus.db") as store:
            pair_ids = store.pair_ids()
            assert len(pair_ids) == 1
            beads = [b for b in store.beads(pair_ids[0]) if b.src_ids and b.tgt_ids]
        rows = (folder / "export" / "corpus.tsv").read_text(encoding="utf-8").splitlines()
        assert len(rows) - 1 == len(beads) > 0  # a header and each bead once
        assert len(list(PageCache(folder).iter_pages())) == 2
