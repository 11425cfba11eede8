"""The whole job on the local test server: a section page -> ``aligner fetch`` -> ``aligner run``.

Kept apart from test_fetch.py because ``run`` loads the sentence encoder and the Korean
analyser, which takes most of this file's time.
"""

from __future__ import annotations

from aligner import pipeline
from aligner.cli import main
from aligner.sources.fetch import fetch_command, read_manifest
from aligner.store import Store
from test_fetch import HOSTS, LIST1, no_proxies, site  # noqa: F401 - the module-scoped server fixture


def test_section_fetch_then_run_gives_aligned_pairs_and_lists_failures(site, tmp_path):
    corpus = tmp_path / "corpus"
    report = fetch_command(corpus, section=site.url(LIST1), limit=5, rate=0, allowed_hosts=HOSTS,
                           trust_env=False, retries=0, timeout=2.0)
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
    code = main(["fetch", "-d", str(corpus), "--allow-host", f"127.0.0.1:{site.port}", "--allow-host", "localhost",
                 "--section", site.url(LIST1), "--limit", "10", "--rate", "100"])
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
