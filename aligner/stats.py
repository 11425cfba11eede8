"""Per-pair and corpus totals of a corpus database, as a pandas table."""

from __future__ import annotations

from pathlib import Path
from typing import TypedDict

import pandas as pd

from aligner.store import Store


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


def corpus_stats(db: str | Path) -> tuple[pd.DataFrame, Totals]:
    """One row per pair (titles, sentences, beads by status, mean confidence) and totals.

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
                "en_sent": s.src_sentences,
                "ko_sent": s.tgt_sentences,
                "beads": s.beads,
                "accepted": s.accepted,
                "rejected": s.rejected,
                "unreviewed": s.unreviewed,
                "mean_conf": None if s.mean_confidence is None else round(s.mean_confidence, 3),
                "status": s.status.value,
            }
            for s in summaries
        ],
        columns=["pair", "en_title", "ko_title", "date", "en_sent", "ko_sent", "beads",
                 "accepted", "rejected", "unreviewed", "mean_conf", "status"],
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
    }
    return frame, totals
