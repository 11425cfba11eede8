"""Bad and awkward inputs through the real command line: each is one line on stderr and a
non-zero exit (or, in `aligner run`, one reported item while the rest completes).

Real files under tmp_path and ``aligner.cli.main`` in process (the encoder loads once per
session); `aligner run` uses the length aligner where the aligner's quality does not matter.
"""

from __future__ import annotations

import io
import json
import logging
import os
import re
import shutil
import sqlite3
import subprocess
import sys
from contextlib import redirect_stderr, redirect_stdout
from pathlib import Path

import pytest

from aligner.cli import main
from aligner.sources import PageCache
from aligner.store import Store
from tests.conftest import EN_PAGE, KO_PAGE, ROOT
from tests.review_data import build_corpus

KO_LINK = b"http://www.hani.co.kr/arti/international/america/863703.html"  # as the English page has it
KO_URL = "https://www.hani.co.kr/arti/international/america/863703.html"
EN_BASE = "https://english.hani.co.kr/arti/english_edition/e_national/"

EN_LINES = "The minister arrived in Seoul on Monday.\nShe met the president.\nThey talked for three hours.\n"
KO_LINES = "장관은 월요일 서울에 도착했다.\n그는 대통령을 만났다.\n두 사람은 세 시간 동안 이야기했다.\n"


def one_error_line(err: str, *parts: str) -> None:
    """stderr is exactly one ``aligner: error:`` line holding every part."""
    assert err.count("\n") == 1 and err.startswith("aligner: error: "), err
    assert "Traceback" not in err
    for part in parts:
        assert part in err, (part, err)


def write(path: Path, text: str) -> Path:
    path.write_text(text, encoding="utf-8")
    return path


def unreadable(path: Path) -> Path:
    """chmod 000 the file (see :func:`run_denied` for running as root)."""
    path.chmod(0)
    return path


#: Root reads a chmod-000 file through these two capabilities; without them it is refused.
_NO_OVERRIDE = ["--inh-caps=-dac_override,-dac_read_search", "--bounding-set=-dac_override,-dac_read_search"]


def run_denied(*argv: str | Path) -> tuple[int, str, str]:
    """``aligner ARGV`` in a child process that file permissions apply to, even as root
    (as in CI): there it runs under util-linux's ``setpriv`` without the capabilities
    that let root read any file."""
    command = [sys.executable, "-m", "aligner", *map(str, argv)]
    if os.geteuid() == 0:
        setpriv = shutil.which("setpriv")
        if setpriv is None:
            pytest.skip("running as root without setpriv: chmod 000 does not stop root from reading")
        command = [setpriv, *_NO_OVERRIDE, *command]
    done = subprocess.run(
        command, capture_output=True, text=True, timeout=300, env={**os.environ, "PYTHONPATH": str(ROOT)}
    )
    return done.returncode, done.stdout, done.stderr


# -- aligner align: languages -------------------------------------------------------------------


def test_align_swapped_pages_without_languages_says_swapped(cli):
    code, out, err = cli("align", KO_PAGE, EN_PAGE)
    assert code == 1 and out == ""
    one_error_line(err, str(KO_PAGE), str(EN_PAGE), "swapped", "give the English text first")


@pytest.mark.parametrize(("page", "language"), [(EN_PAGE, "English"), (KO_PAGE, "Korean")])
def test_align_the_same_language_on_both_sides_is_an_error(cli, page, language):
    code, out, err = cli("align", page, page)
    assert code == 1 and out == ""
    one_error_line(err, f"both sides are {language} text")


def test_align_a_side_in_the_wrong_language_with_one_language_given(cli, tmp_path):
    ko = write(tmp_path / "ko.txt", KO_LINES)
    code, _, err = cli("align", "--src-lang", "en", ko, ko)
    assert code == 1
    one_error_line(err, str(ko), "expected English text but found Korean")


def test_align_presplit_checks_languages_too(cli, tmp_path):
    en = write(tmp_path / "en.lines", EN_LINES)
    ko = write(tmp_path / "ko.lines", KO_LINES)
    code, out, err = cli("align", "--presplit", "--src-lang", "en", "--tgt-lang", "ko", ko, en)
    assert code == 1 and out == ""
    one_error_line(err, f"{ko}: expected English text but found Korean (are the English and Korean sides swapped?)")
    code, out, err = cli("align", "--presplit", ko, en)
    assert code == 1 and out == ""
    one_error_line(err, "swapped")
    code, out, err = cli("align", "--presplit", en, en)
    assert code == 1
    one_error_line(err, "both sides are English text")


def test_align_presplit_folders_report_a_swapped_pair_and_align_the_others(cli, tmp_path):
    src, tgt, out_dir = tmp_path / "src", tmp_path / "tgt", tmp_path / "out"
    src.mkdir()
    tgt.mkdir()
    write(src / "a", EN_LINES)
    write(tgt / "a", KO_LINES)
    write(src / "b", KO_LINES)  # swapped
    write(tgt / "b", EN_LINES)
    code, _, err = cli("align", "--presplit", src, tgt, "-o", out_dir)
    assert code == 1
    lines = err.splitlines()
    assert [line for line in lines if line.startswith("aligner: error: b: ")] == lines[:1]
    assert "swapped" in lines[0] and lines[1] == f"aligned 1 pairs into {out_dir}"
    assert sorted(p.name for p in out_dir.iterdir()) == ["a"]


# -- aligner align: where the output goes -----------------------------------------------------


def test_align_output_to_an_existing_folder_is_one_line(cli, tmp_path):
    code, out, err = cli("align", EN_PAGE, KO_PAGE, "-o", tmp_path)
    assert code == 1 and out == ""
    one_error_line(err, f"{tmp_path}: is a directory, not a file name")


def test_align_output_under_a_file_is_one_line(cli, tmp_path):
    blocker = write(tmp_path / "file", "x")
    code, _, err = cli("align", EN_PAGE, KO_PAGE, "-o", blocker / "dir" / "x.beads")
    assert code == 1
    one_error_line(err, f"{blocker / 'dir' / 'x.beads'}: cannot write: {blocker} is a file, not a folder")
    assert blocker.read_text() == "x"


def test_align_output_in_a_missing_folder_creates_it_as_export_does(cli, tmp_path):
    target = tmp_path / "new" / "deeper" / "x.beads"
    code, _, err = cli("align", EN_PAGE, KO_PAGE, "-o", target)
    assert code == 0, err
    assert target.read_text().startswith("[0]:[0]:")


def test_align_folders_into_an_existing_file_is_one_line(cli, tmp_path):
    src, tgt = tmp_path / "src", tmp_path / "tgt"
    src.mkdir()
    tgt.mkdir()
    write(src / "a", EN_LINES)
    write(tgt / "a", KO_LINES)
    blocker = write(tmp_path / "out", "keep me")
    code, _, err = cli("align", "--presplit", src, tgt, "-o", blocker)
    assert code == 1
    one_error_line(err, f"{blocker}: is a file, not a folder")
    assert blocker.read_text() == "keep me"


def test_align_an_unreadable_file_is_one_line(tmp_path):
    en = unreadable(write(tmp_path / "en.txt", EN_LINES))
    ko = write(tmp_path / "ko.txt", KO_LINES)
    code, out, err = run_denied("align", en, ko)
    assert code == 1 and out == ""
    one_error_line(err, f"{en}: cannot read the file: permission denied")


# -- aligner align --presplit: ids are line numbers ---------------------------------------------


def test_presplit_bead_ids_are_the_files_line_numbers_across_blank_lines(cli, tmp_path, caplog):
    en = write(
        tmp_path / "en.lines",
        "The minister arrived in Seoul on Monday.\n\nShe met the president.\nThey talked for three hours.\n",
    )
    ko = write(
        tmp_path / "ko.lines",
        "장관은 월요일 서울에 도착했다.\n그는 대통령을 만났다.\n\n두 사람은 세 시간 동안 이야기했다.\n",
    )
    with caplog.at_level(logging.WARNING):
        code, out, err = cli("align", "--presplit", en, ko)
    assert code == 0, err
    assert out.splitlines() == [line for line in out.splitlines() if re.fullmatch(r"\[.*\]:\[.*\]:[0-9.]+", line)]
    beads = [tuple(line.rsplit(":", 1)[0].split(":")) for line in out.splitlines()]
    assert beads == [("[0]", "[0]"), ("[2]", "[1]"), ("[3]", "[3]")]
    warnings = [r.getMessage() for r in caplog.records if r.levelno == logging.WARNING]
    assert any(str(en) in w and "first at line 2" in w and "belong to no bead" in w for w in warnings)
    tsv = tmp_path / "out.tsv"
    code, _, err = cli("align", "--presplit", en, ko, "--output-format", "tsv", "-o", tsv)
    assert code == 0, err
    rows = [line.split("\t") for line in tsv.read_text(encoding="utf-8").splitlines()[1:]]
    assert [(r[0], r[1], r[4]) for r in rows] == [
        ("0", "0", "The minister arrived in Seoul on Monday."),
        ("2", "1", "She met the president."),
        ("3", "3", "They talked for three hours."),
    ]


# -- read-only commands never create or change a database ------------------------------------


def _zero_bytes(path: Path) -> None:
    path.write_bytes(b"")


def _text(path: Path) -> None:
    path.write_text("not a database\n")


def _foreign_sqlite(path: Path) -> None:
    conn = sqlite3.connect(path)
    conn.execute("CREATE TABLE notes (x)")
    conn.commit()
    conn.close()


READ_ONLY = {
    "stats": lambda db, tmp: ["stats", db],
    "export": lambda db, tmp: ["export", db, "--format", "tsv", "-o", tmp / "out.tsv"],
    "review": lambda db, tmp: ["review", db],
    "lexicon show": lambda db, tmp: ["lexicon", "show", db, "minister"],
    "lexicon train": lambda db, tmp: ["lexicon", "train", db],
    "lexicon forget": lambda db, tmp: ["lexicon", "forget", db],
}


@pytest.mark.parametrize("command", sorted(READ_ONLY))
@pytest.mark.parametrize(
    ("make", "problem"),
    [
        (_zero_bytes, "empty file, not a corpus database"),
        (_text, "not an SQLite database"),
        (_foreign_sqlite, "is an SQLite file but not a corpus database"),
    ],
    ids=["zero-bytes", "text", "foreign-sqlite"],
)
def test_commands_on_an_existing_database_leave_other_files_alone(cli, tmp_path, command, make, problem):
    db = tmp_path / "zero.db"
    make(db)
    before = db.read_bytes()
    code, out, err = cli(*READ_ONLY[command](db, tmp_path))
    assert code == 1 and out == ""
    one_error_line(err, str(db), problem)
    assert db.read_bytes() == before
    assert sorted(p.name for p in tmp_path.iterdir()) == ["zero.db"]


@pytest.mark.parametrize("command", sorted(READ_ONLY))
def test_commands_on_a_missing_database_do_not_create_it(cli, tmp_path, command):
    db = tmp_path / "none.db"
    code, _, err = cli(*READ_ONLY[command](db, tmp_path))
    assert code == 1
    one_error_line(err, str(db), "no such corpus database")
    assert list(tmp_path.iterdir()) == []


# -- --min-confidence ----------------------------------------------------------------------------


@pytest.mark.parametrize("value", ["1.5", "nan", "-0.1", "inf", "high"])
@pytest.mark.parametrize("command", ["export", "run"])
def test_min_confidence_outside_0_to_1_is_refused(capsys, tmp_path, command, value):
    db = build_corpus(tmp_path / "c.db")
    argv = ["export", db, "--format", "tsv", "-o", tmp_path / "o.tsv"] if command == "export" else ["run", tmp_path]
    with pytest.raises(SystemExit) as exc:
        main([str(a) for a in argv] + [f"--min-confidence={value}"])
    assert exc.value.code == 2
    err = capsys.readouterr().err
    assert "argument --min-confidence: must be a number from 0 to 1" in err and value in err
    assert not (tmp_path / "o.tsv").exists()


def test_accepted_beads_pass_any_min_confidence(cli, tmp_path):
    db = build_corpus(tmp_path / "c.db")
    with Store(db, create=False) as store:
        accepted = store.conn.execute("SELECT count(*) FROM beads WHERE status='accepted'").fetchone()[0]
        below_one = store.conn.execute(
            "SELECT count(*) FROM beads WHERE status='accepted' AND confidence < 1"
        ).fetchone()[0]
    assert below_one > 0
    code, out, _ = cli("export", db, "--format", "jsonl", "-o", tmp_path / "o.jsonl", "--min-confidence", "1", "--json")
    assert code == 0 and json.loads(out)["count"] == accepted


# -- stats in 80 columns ----------------------------------------------------------------------------


def test_stats_table_is_readable_in_80_columns(cli, tmp_path, monkeypatch):
    db = build_corpus(tmp_path / "c.db")
    monkeypatch.setenv("COLUMNS", "80")
    code, out, _ = cli("stats", db)
    assert code == 0
    lines = out.splitlines()
    assert max(len(line.rstrip()) for line in lines) <= 80
    header = next(line for line in lines if "English title" in line)
    assert header.split() == ["#", "English", "title", "EN", "KO", "beads", "acc", "rej", "todo", "conf", "status"]
    assert "Seoul to open 100 new" in out and "corpus: 3 article pairs" in out


def test_stats_table_shows_both_titles_and_the_date_when_wide(cli, tmp_path, monkeypatch):
    db = build_corpus(tmp_path / "c.db")
    monkeypatch.setenv("COLUMNS", "160")
    code, out, _ = cli("stats", db)
    assert code == 0
    header = next(line for line in out.splitlines() if "English title" in line)
    assert "Korean title" in header and "date" in header
    assert "2024-03-04" in out and "서울시" in out


# -- aligner run CONFIG -------------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("name", "data", "problem"),
    [
        ("notes.txt", b"hello world\n", "not valid TOML (Expected '=' after a key in a key/value pair (at line 1"),
        ("corpus.db", b"SQLite format 3\x00" + bytes(range(128, 256)), "not UTF-8 text"),
    ],
)
def test_run_on_a_file_that_is_no_run_config_says_what_it_is(cli, tmp_path, name, data, problem):
    path = tmp_path / name
    path.write_bytes(data)
    code, _, err = cli("run", path)
    assert code == 1
    one_error_line(err, str(path), "is a file, so not a corpus folder, and not a run config", problem)


def test_run_on_a_toml_config_with_a_syntax_error_names_the_line(cli, tmp_path):
    path = write(tmp_path / "run.toml", 'corpus = "c"\nworkers = \n')
    code, _, err = cli("run", path)
    assert code == 1
    one_error_line(err, f"{path}: not valid TOML", "line 2")


# -- aligner run: bad cached pages ---------------------------------------------------------------


def _config(root: Path, corpus: Path) -> Path:
    return write(
        root / "run.toml", f'corpus = "{corpus.name}"\n[align]\nmethod = "length"\n[export]\nformats = ["tsv"]\n'
    )


def _corpus(root: Path, pages: dict[str, bytes]) -> Path:
    """A corpus folder holding the sample pair (as page 1) and ``pages``."""
    cache = PageCache(root)
    cache.put(EN_BASE + "1.html", EN_PAGE.read_bytes())
    cache.put(KO_URL, KO_PAGE.read_bytes())
    for url, data in pages.items():
        cache.put(url, data)
    return root


def _run(*argv: str | Path) -> tuple[int, str, str]:
    out, err = io.StringIO(), io.StringIO()
    with redirect_stdout(out), redirect_stderr(err):
        code = main([str(a) for a in argv])
    return code, out.getvalue(), err.getvalue()


def _without_link(page: bytes) -> bytes:
    return re.sub(rb"<a[^>]*863703\.html[^>]*>.*?</a>", b"", page, flags=re.S)


BAD_PAGES = {
    # url: (page, outcome, reason pattern)
    "empty": (b"", "failed", r"{url}: empty page"),
    "utf8": (
        EN_PAGE.read_bytes().replace(b"</p>", b"\xff\xc0</p>", 1) + b"\xa0" * 40,
        "failed",
        r"{url}: invalid UTF-8 at byte \d+ \(line \d+\) in a page declared UTF-8",
    ),
    "nolink": (_without_link(EN_PAGE.read_bytes()), "unpaired", r"no link to the Korean original on the page"),
    "bad-href": (
        EN_PAGE.read_bytes().replace(KO_LINK, b"http://[www.hani.co.kr/arti/1.html"),
        "unpaired",
        r"no link to the Korean original on the page",
    ),
    "bad-port": (
        EN_PAGE.read_bytes().replace(KO_LINK, b"http://www.hani.co.kr:99999/arti/1.html"),
        "failed",
        r"http://www\.hani\.co\.kr:99999/arti/1\.html: refused as a cache key: malformed URL \(Port out of range 0-65535\)",
    ),
    "empty-ko": (
        EN_PAGE.read_bytes().replace(KO_LINK, b"http://www.hani.co.kr/arti/empty.html"),
        "failed",
        r"http://www\.hani\.co\.kr/arti/empty\.html: empty page",
    ),
}


@pytest.fixture(scope="module")
def bad_run(tmp_path_factory):
    root = tmp_path_factory.mktemp("bad-run")
    pages = {EN_BASE + f"{name}.html": page for name, (page, _, _) in BAD_PAGES.items()}
    pages["https://www.hani.co.kr/arti/empty.html"] = b""
    corpus = _corpus(root / "c", pages)
    code, out, err = _run("run", _config(root, corpus), "--json")
    return code, json.loads(out), err


@pytest.mark.parametrize("name", sorted(BAD_PAGES))
def test_run_reports_each_bad_cached_page_and_aligns_the_rest(bad_run, name):
    code, summary, _ = bad_run
    assert code == 1 and summary["aligned"] == 1
    url = EN_BASE + f"{name}.html"
    _, outcome, reason = BAD_PAGES[name]
    problem = next(p for p in summary["problems"] if p["item"] == url)
    assert problem["outcome"] == outcome
    assert re.fullmatch(reason.format(url=re.escape(url)), problem["reason"]), problem["reason"]


def test_run_reports_an_unreadable_cached_page(tmp_path):
    url = EN_BASE + "2.html"
    corpus = _corpus(tmp_path / "c", {url: EN_PAGE.read_bytes()})
    unreadable(PageCache(corpus).path(url))
    code, out, _ = run_denied("run", _config(tmp_path, corpus), "--json")
    summary = json.loads(out)
    assert code == 1 and summary["aligned"] == 1
    problem = next(p for p in summary["problems"] if p["item"] == url)
    assert problem["outcome"] == "failed" and "cannot read cached page: Permission denied" in problem["reason"]


def test_run_quiet_prints_each_failure_once_on_stderr_and_no_unpaired(tmp_path):
    bad, lonely = EN_BASE + "2.html", EN_BASE + "3.html"
    corpus = _corpus(tmp_path / "c", {bad: b"", lonely: _without_link(EN_PAGE.read_bytes())})
    config = _config(tmp_path, corpus)
    code, out, err = _run("run", config, "-q")
    assert code == 1 and out == ""
    assert err.splitlines() == [f"aligner: failed: {bad}: empty page"]
    # again, without -q: the summary on stdout, the failure on stderr; the unpaired page, found
    # by the first run, is counted (not reported again as news), and -v lists it with its reason
    code, out, err = _run("run", config)
    assert code == 1
    assert "1 English page unpaired (as in earlier runs; -v lists them)" in out
    assert lonely not in out and bad not in out
    assert err.splitlines() == [
        f"aligner: failed: {bad}: empty page (earlier run; pages unchanged since, --retry-failed tries again)"
    ]
    code, out, err = _run("run", config, "-v")
    assert f"  {lonely}: no link to the Korean original on the page" in out.splitlines()
    assert "not an error" in out and bad not in out


# -- documents keyed by canonical URL -------------------------------------------------------------


def test_http_and_https_links_to_one_korean_article_make_one_document(tmp_path):
    https_link = EN_PAGE.read_bytes().replace(KO_LINK, KO_URL.encode())
    corpus = _corpus(tmp_path / "c", {EN_BASE + "2.html": https_link})
    code, out, err = _run("run", _config(tmp_path, corpus), "--json")
    assert code == 0, err
    assert json.loads(out)["aligned"] == 2
    with Store(corpus / "corpus.db", create=False) as store:
        ko_docs = store.conn.execute("SELECT key FROM documents WHERE lang='ko'").fetchall()
        assert [k[0] for k in ko_docs] == [KO_URL]
        assert len({store.pair(p).tgt_doc for p in store.pair_ids()}) == 1


def test_a_database_from_before_canonical_keys_runs_again_unchanged(tmp_path):
    corpus = _corpus(tmp_path / "c", {})
    config = _config(tmp_path, corpus)
    assert _run("run", config)[0] == 0
    db = corpus / "corpus.db"
    with Store(db) as store:
        with store.transaction() as c:
            c.execute("UPDATE beads SET status='accepted' WHERE position=0")
    # as version 2 stored it (the Korean key as the page linked it), then upgraded by the
    # migration to version 3 (a real version 2 file is migrated in tests/test_store.py)
    from aligner.store.schema import _canonical_keys

    conn = sqlite3.connect(db)
    conn.execute("UPDATE documents SET key=? WHERE key=?", (KO_LINK.decode(), KO_URL))
    _canonical_keys(conn)
    conn.commit()
    conn.close()
    code, out, err = _run("run", config, "--json")
    assert code == 0, err
    summary = json.loads(out)
    assert summary["unchanged"] == 1 and summary["aligned"] == 0 and summary["kept_reviewed"] == 0
    with Store(db, create=False) as store:
        assert store.document_id(KO_URL) is not None
        assert [b.status for b in store.beads(store.pair_ids()[0])][0] == "accepted"


# -- choosing the method and the encoder ----------------------------------------------------


def test_align_method_and_encoder_flags_choose_the_aligner(cli, tmp_path):
    en, ko = write(tmp_path / "en.txt", EN_LINES), write(tmp_path / "ko.txt", KO_LINES)
    for flags in (["--method", "length"], ["--encoder", "use"]):
        code, out, err = cli("align", "--presplit", en, ko, *flags)
        assert code == 0, err
        assert [line.rsplit(":", 1)[0] for line in out.splitlines()] == ["[0]:[0]", "[1]:[1]", "[2]:[2]"]
    code, out, err = cli("align", "--presplit", en, ko, "--encoder", "nonesuch")
    assert code != 0 and not out
    one_error_line(err, "nonesuch", "unknown encoder")


def test_run_method_flag_overrides_the_config(tmp_path):
    corpus = _corpus(tmp_path / "corpus", {})
    config = write(tmp_path / "run.toml", f'corpus = "{corpus.name}"\n[export]\nformats = ["tsv"]\n')
    code, _, err = _run("run", config, "--method", "length", "-q")
    assert code == 0, err
    with sqlite3.connect(corpus / "corpus.db") as conn:
        assert {row[0] for row in conn.execute("SELECT method FROM pairs")} == {"length"}
