"""Per-pair and corpus totals of a corpus database, as a pandas table; what each reviewer did."""

from __future__ import annotations

import json
from collections import Counter
from pathlib import Path
from typing import Any, Literal, TypedDict

import pandas as pd

from aligner.model import PairedBy
from aligner.review import _common_ends, is_delta
from aligner.store import PairSummary, Store


class Totals(TypedDict):
    """The corpus totals (``aligner stats --json`` prints them under "totals": public keys)."""

    pairs: int
    en_sentences: int
    ko_sentences: int
    beads: int
    accepted: int
    rejected: int
    unreviewed: int
    mean_confidence: float | None
    bead_types: dict[str, int]
    failed_items: int
    paired_by: dict[str, int]  # pairs by how they were made: link, content, given
    content_unsure: int  # pairs by content taken though pairing was not sure (--pair-unsure)
    rejected_pairings: int  # pairs whose pairing a reviewer rejected (never exported)


def corpus_stats(db: str | Path) -> tuple[pd.DataFrame, Totals]:
    """One row per pair (titles, how it was paired, sentences, beads by status, mean
    confidence) and totals. A pair whose pairing a reviewer rejected has the status
    "pairing rejected".

    Only reads: a missing, empty or foreign ``db`` is a StoreError, never a new corpus.
    """
    with Store(db, create=False) as store:
        summaries = store.summaries()
        kinds = store.bead_type_counts()
        failures = len(store.failures())
    frame = pd.DataFrame(
        [
            {
                "pair": s.pair_id,
                "en_title": s.src_title,
                "ko_title": s.tgt_title,
                "date": (s.published or "")[:10],
                "paired": s.origin.label(),
                "how": s.how,
                "pair_score": s.pair_score,
                "pair_sure": s.sure,
                "pairing_rejected": s.pairing_rejected,
                "en_sent": s.src_sentences,
                "ko_sent": s.tgt_sentences,
                "beads": s.beads,
                "accepted": s.accepted,
                "rejected": s.rejected,
                "unreviewed": s.unreviewed,
                "mean_conf": None if s.mean_confidence is None else round(s.mean_confidence, 3),
                "status": "pairing rejected" if s.pairing_rejected else s.status.value,
            }
            for s in summaries
        ],
        columns=[
            "pair",
            "en_title",
            "ko_title",
            "date",
            "paired",
            "en_sent",
            "ko_sent",
            "beads",
            "accepted",
            "rejected",
            "unreviewed",
            "mean_conf",
            "status",
            "how",
            "pair_score",
            "pair_sure",
            "pairing_rejected",
        ],
    )
    beads = int(frame["beads"].sum()) if len(frame) else 0
    weighted = (frame["mean_conf"].fillna(0) * frame["beads"]).sum() if len(frame) else 0.0
    totals: Totals = {
        "pairs": len(frame),
        "en_sentences": int(frame["en_sent"].sum()) if len(frame) else 0,
        "ko_sentences": int(frame["ko_sent"].sum()) if len(frame) else 0,
        "beads": beads,
        "accepted": int(frame["accepted"].sum()) if len(frame) else 0,
        "rejected": int(frame["rejected"].sum()) if len(frame) else 0,
        "unreviewed": int(frame["unreviewed"].sum()) if len(frame) else 0,
        "mean_confidence": round(float(weighted) / beads, 3) if beads else None,
        "bead_types": kinds,
        "failed_items": failures,
        "paired_by": _paired_by(summaries),
        "content_unsure": sum(1 for s in summaries if s.how == PairedBy.CONTENT and s.sure is False),
        "rejected_pairings": sum(1 for s in summaries if s.pairing_rejected),
    }
    return frame, totals


class ReviewerDay(TypedDict):
    """What one reviewer did on one day (UTC), from the edit log (``aligner stats --by-reviewer``)."""

    reviewer: str
    day: str
    accepted: int  # beads they marked accepted
    rejected: int  # beads they marked rejected
    edited: int  # beads they made or changed by merging, splitting, shifting, detaching, fixing text
    edits: int  # logged edits


#: The counts of a :class:`ReviewerDay`, in the order they are shown.
COUNTED: tuple[Literal["accepted", "rejected", "edited", "edits"], ...] = ("accepted", "rejected", "edited", "edits")

#: Where a logged bead row keeps its status: a delta's rows are sizes (n_src, n_tgt, score,
#: confidence, origin, status, ...); a whole snapshot's are spans (src_start, src_end,
#: tgt_start, tgt_end, score, confidence, origin, status, ...).
_STATUS_IN_DELTA, _STATUS_IN_SNAPSHOT = 5, 7


def reviewer_stats(db: str | Path) -> list[ReviewerDay]:
    """Beads accepted, rejected and edited per reviewer and per day (UTC), from the edit log.

    Only edits in force count (an undone accept accepted nothing). An edit that changes
    marks only (accept, reject, accept-above) counts each bead whose mark it changed;
    any other edit counts the beads it left in place of the ones it changed as edited
    (a merge of two beads: one), or one bead for a fix of text alone. Clearing a mark
    counts as an edit but as no bead. Only reads: a missing database is a StoreError.
    """
    days: dict[tuple[str, str], ReviewerDay] = {}
    with Store(db, create=False) as store:
        for edit in store.logged_edits():
            if edit.undone:
                continue
            key = (edit.reviewer, edit.at[:10])
            day = days.get(key)
            if day is None:
                day = days[key] = ReviewerDay(
                    reviewer=edit.reviewer, day=edit.at[:10], accepted=0, rejected=0, edited=0, edits=0
                )
            day["edits"] += 1
            _count_edit(day, json.loads(edit.before), json.loads(edit.after))
    return [days[key] for key in sorted(days)]


def _count_edit(day: ReviewerDay, before: dict[str, Any], after: dict[str, Any]) -> None:
    """Add what one logged edit did to the reviewer's ``day``."""
    old, new = _bead_rows(before), _bead_rows(after)
    status = _STATUS_IN_DELTA if is_delta(after) else _STATUS_IN_SNAPSHOT
    if not is_delta(after):  # whole snapshots: keep only the part that changed
        lo, suffix = _common_ends(old, new)
        old, new = old[lo : len(old) - suffix], new[lo : len(new) - suffix]
    text = any(key in after for key in ("src", "tgt", "en", "ko"))  # sentences changed
    marks_only = (
        not text
        and len(old) == len(new)
        and all(a[:status] == b[:status] and a[status + 3 :] == b[status + 3 :] for a, b in zip(old, new))
    )
    if marks_only:
        for a, b in zip(old, new):
            if a[status] != b[status] and b[status] in ("accepted", "rejected"):
                day[b[status]] += 1  # type: ignore[literal-required]
    elif old or new or text:
        day["edited"] += max(len(new), 1)  # a text fix touches one bead (logged or not)


def _bead_rows(logged: dict[str, Any]) -> list[list[Any]]:
    beads = logged.get("beads")
    if isinstance(beads, dict):  # a delta: the changed slice
        return list(beads.get("rows", []))
    return list(beads or [])  # a whole snapshot (or nothing about beads)


def _paired_by(summaries: list[PairSummary]) -> dict[str, int]:
    """Pairs by how they were made: link, content, given (those there are), then anything else."""
    counts = Counter(s.how for s in summaries)
    order = [h.value for h in PairedBy] + sorted(set(counts) - {h.value for h in PairedBy})
    return {how: counts[how] for how in order if counts[how]}
