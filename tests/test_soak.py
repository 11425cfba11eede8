"""The concurrency soak of benchmarks/soak.py: a forced two-worker batch in a loop and a
reviewer making every kind of edit on the same database, checked for lock errors, lost
edits and broken pairs, with ``-m slow``: 15 s of batch rounds (one round, plus setup) and
three minutes. The default run checks that the soak's checks notice what they look for.
Real processes and a real SQLite file throughout."""

from __future__ import annotations

import random
from pathlib import Path

import pytest

from aligner.align import default_aligner
from aligner.store import Store
from tests.review_data import build_corpus
from tests.scripts import load_script

soak = load_script("soak")


def check(result) -> None:
    assert result.user_errors == []
    assert result.lost == []
    assert result.integrity == "ok"
    assert result.coverage == []
    assert result.rounds and sum(r.aligned for r in result.rounds) > 0  # the batch really rewrote pairs
    assert result.edits > 50
    assert len(result.changed) >= 8, result.changed  # most kinds of edit were committed, not only accepts
    assert result.ok


@pytest.mark.slow
def test_soak_batch_and_reviewer_share_the_database(tmp_path: Path) -> None:
    check(soak.run_soak(15, tmp_path))


@pytest.mark.slow
def test_soak_three_minutes(tmp_path: Path) -> None:
    result = soak.run_soak(180, tmp_path)
    check(result)
    assert result.seconds >= 180 and len(result.rounds) >= 5


def test_the_soak_notices_a_lost_edit_and_an_overwritten_bead(tmp_path: Path) -> None:
    """The checks above could pass vacuously; here a batch-like overwrite must be caught."""
    build_corpus(tmp_path / "c.db")
    with Store(tmp_path / "c.db") as store:
        reviewer = soak.Reviewer(store, default_aligner("en", "ko", "length"), random.Random(3))
        while sum(reviewer.changed.values()) < 30:
            reviewer.step()
        assert reviewer.errors == [] and reviewer.lost() == []
        with store.transaction() as c:
            edit_id = c.execute("SELECT max(id) FROM edits").fetchone()[0]
            c.execute("DELETE FROM edits WHERE id=?", (edit_id,))
            c.execute("UPDATE beads SET status='unreviewed', origin='auto' WHERE status='accepted' AND pair_id=1")
        lost = reviewer.lost()
        assert any(f"edit {edit_id} " in item for item in lost)
        assert any(item.startswith("pair 1: accepted/manual beads changed") for item in lost)


def test_writing_a_section_touches_only_that_section(tmp_path: Path) -> None:
    doc = tmp_path / "r.md"
    doc.write_text(
        "# R\n\nintro\n\n## Properties\n\nmine\n\n## Concurrency\n\nold\nlines\n\n## Hostile input\n\ntheirs\n"
    )
    soak.write_section(doc, "## Concurrency\nnew figures")
    assert doc.read_text() == (
        "# R\n\nintro\n\n## Properties\n\nmine\n\n## Concurrency\n\nnew figures\n\n## Hostile input\n\ntheirs\n"
    )
    soak.write_section(doc, "## Hostile input\nlast")
    assert doc.read_text().endswith("## Hostile input\n\nlast\n\n")
