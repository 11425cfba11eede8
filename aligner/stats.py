"""Per-pair and corpus totals of a corpus database, as a pandas table."""

from __future__ import annotations

from collections import Counter
from pathlib import Path
from typing import TypedDict

import pandas as pd

from aligner.model import PairedBy
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
        columns=["pair", "en_title", "ko_title", "date", "paired", "en_sent", "ko_sent", "beads",
                 "accepted", "rejected", "unreviewed", "mean_conf", "status", "how", "pair_score", "pair_sure",
                 "pairing_rejected"],
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


def _paired_by(summaries: list[PairSummary]) -> dict[str, int]:
    """Pairs by how they were made: link, content, given (those there are), then anything else."""
    counts = Counter(s.how for s in summaries)
    order = [h.value for h in PairedBy] + sorted(set(counts) - {h.value for h in PairedBy})
    return {how: counts[how] for how in order if counts[how]}
