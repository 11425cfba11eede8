"""Exports never destroy: not the corpus, not another database, not a device, not a link.

Each refusal is one line naming the path, and the file that was there is byte-identical
afterwards; a symbolic link is written through and stays a link; a killed two-file (Moses)
export never leaves line N of one export beside line N of another.
"""

from __future__ import annotations

import hashlib
import os
import sqlite3
import stat
import subprocess
import sys
import textwrap
from pathlib import Path

import pytest

from aligner.cli import main
from aligner.errors import AlignerError
from aligner.export import export_corpus
from aligner.export.atomic import atomic_write, atomic_write_many, writable_target
from aligner.store import Store
from tests.conftest import ROOT
from tests.review_data import build_corpus


def digest(path: Path) -> str:
    return hashlib.sha256(path.read_bytes()).hexdigest()


@pytest.fixture
def corpus(tmp_path: Path) -> Path:
    return build_corpus(tmp_path / "corpus.db")


@pytest.mark.parametrize("fmt", ["tsv", "tmx", "jsonl", "parquet"])
def test_export_onto_the_corpus_itself_is_refused_and_the_database_is_untouched(corpus, capsys, fmt):
    before = digest(corpus)
    assert main(["export", str(corpus), "--format", fmt, "-o", str(corpus)]) == 1
    err = capsys.readouterr().err
    assert err.count("\n") == 1 and f"{corpus}: is the corpus database being exported" in err
    assert digest(corpus) == before
    with Store(corpus) as store:  # still a corpus database that opens and reads
        assert store.integrity_problems() == []


def test_the_wal_and_shm_of_an_open_corpus_are_refused(corpus):
    with Store(corpus) as store:  # an open WAL database has both side files
        store.conn.execute("SELECT count(*) FROM beads").fetchone()
        for side in ("-wal", "-shm"):
            target = corpus.with_name(corpus.name + side)
            assert target.exists()
            with pytest.raises(AlignerError, match=f"is the {side[1:]} file of the corpus database"):
                export_corpus(store, "tsv", target)
        # through a symbolic link, or spelled another way, it is still the corpus
        link = corpus.parent / "innocent.tsv"
        link.symlink_to(corpus)
        with pytest.raises(AlignerError, match="is the corpus database"):
            export_corpus(store, "tsv", link)
        with pytest.raises(AlignerError, match="is the corpus database"):
            export_corpus(store, "tmx", corpus.parent / "." / corpus.name)
        assert link.is_symlink()


def test_any_other_sqlite_file_is_refused(tmp_path, corpus):
    other = tmp_path / "notes.sqlite"
    with sqlite3.connect(other) as conn:
        conn.execute("CREATE TABLE t (x)")
    before = digest(other)
    with Store(corpus) as store, pytest.raises(AlignerError, match="is an SQLite database"):
        export_corpus(store, "jsonl", other)
    assert digest(other) == before
    # a Moses export whose second file would land on a database refuses before writing either
    db_ko = tmp_path / "train.ko"
    db_ko.write_bytes(other.read_bytes())
    with Store(corpus) as store, pytest.raises(AlignerError, match="train.ko: is an SQLite database"):
        export_corpus(store, "moses", tmp_path / "train")
    assert not (tmp_path / "train.en").exists()


def test_a_symbolic_link_is_written_through_and_stays_a_link(tmp_path, corpus):
    real_dir = tmp_path / "real"
    real_dir.mkdir()
    real = real_dir / "corpus.tsv"
    real.write_text("old\n")
    link = tmp_path / "latest.tsv"
    link.symlink_to(real)
    with Store(corpus) as store:
        result = export_corpus(store, "tsv", link)
    assert link.is_symlink() and os.readlink(link) == str(real)
    assert real.read_text().startswith("tuid\t") and result.count > 0
    assert os.listdir(real_dir) == ["corpus.tsv"]  # no temporary file left beside it
    dangling = tmp_path / "next.tsv"
    dangling.symlink_to(real_dir / "new.tsv")  # a link to a file not made yet: made there
    with Store(corpus) as store:
        export_corpus(store, "tsv", dangling)
    assert dangling.is_symlink() and (real_dir / "new.tsv").is_file()


@pytest.mark.skipif(not Path("/dev/null").exists(), reason="needs /dev/null")
def test_device_nodes_and_fifos_are_refused(tmp_path, corpus, capsys):
    null_before = os.stat("/dev/null")
    assert main(["export", str(corpus), "--format", "tsv", "-o", "/dev/null"]) == 1
    assert "/dev/null: is a device" in capsys.readouterr().err
    after = os.stat("/dev/null")
    assert stat.S_ISCHR(after.st_mode) and after.st_ino == null_before.st_ino
    fifo = tmp_path / "pipe"
    os.mkfifo(fifo)
    assert main(["export", str(corpus), "--format", "tmx", "-o", str(fifo)]) == 1
    assert "pipe: is a FIFO" in capsys.readouterr().err
    assert stat.S_ISFIFO(os.stat(fifo).st_mode)


def test_the_review_app_export_dialog_path_is_refused_too(corpus):
    """The app exports through the same call: onto its own database it is one message."""
    from tui.screens.export import ExportRequest, run_export

    before = digest(corpus)
    with pytest.raises(AlignerError, match="is the corpus database"):
        run_export(corpus, ExportRequest(format="tsv", path=corpus))
    assert digest(corpus) == before


def test_writable_target_passes_ordinary_files(tmp_path):
    plain = tmp_path / "out.tsv"
    assert writable_target(plain) == plain
    plain.write_text("a\tb\n")
    assert writable_target(plain) == plain
    with atomic_write(plain) as handle:
        handle.write("new\n")
    assert plain.read_text() == "new\n"


def test_a_moses_export_killed_between_its_renames_never_mixes_two_exports(tmp_path):
    """The old second file goes first, then the renames: killed anywhere in between, the
    pair on disk is both old, both new, or one file missing, never new .en with old .ko."""
    en, ko = tmp_path / "c.en", tmp_path / "c.ko"
    en.write_text("old 1\nold 2\n")
    ko.write_text("옛 1\n옛 2\n")
    script = textwrap.dedent(f"""
        import os, sys
        from aligner.export import atomic
        real_replace = os.replace
        def replace_then_die(src, dst):
            real_replace(src, dst)
            os._exit(9)  # killed right after the first rename
        atomic.os.replace = replace_then_die
        with atomic.atomic_write_many([{str(en)!r}, {str(ko)!r}]) as (a, b):
            a.write("new 1\\n")
            b.write("새 1\\n")
    """)
    proc = subprocess.run([sys.executable, "-c", script], cwd=ROOT, capture_output=True, text=True)
    assert proc.returncode == 9, proc.stderr
    assert en.read_text() == "new 1\n" and not ko.exists()
    with atomic_write_many([en, ko]) as (a, b):  # the next export completes the pair
        a.write("new 1\n")
        b.write("새 1\n")
    assert ko.read_text() == "새 1\n"
    assert sorted(p.name for p in tmp_path.iterdir()) == ["c.en", "c.ko"]
