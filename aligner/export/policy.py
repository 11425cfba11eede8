"""Which beads leave the corpus in an export: one policy, the same on every path.

``aligner export``, ``aligner run`` (and its TOML config), the review app's export dialog
and the Python API (:meth:`aligner.store.Store.export_rows`, :func:`aligner.export.export_corpus`)
all build an :class:`ExportPolicy` and nothing else decides. Its defaults are the promise
the product makes: a bead a reviewer **rejected** never leaves unless asked for by name
(``status="rejected"`` or ``"any"``), and an **empty** bead (0-1 or 1-0, a sentence with no
translation) is left out unless ``keep_empty``. A bead a person accepted or made passes
any ``min_confidence``, because a person checked it (see :func:`vouched`). A pair whose
**pairing** a reviewer rejected (the two articles are not a translation of each other)
leaves nothing at all, whatever the policy (:meth:`ExportPolicy.admits_pair`).

This module imports nothing heavy, so the store and the command line can use it freely.
"""

from __future__ import annotations

import math
from dataclasses import dataclass
from enum import StrEnum
from typing import Protocol

from aligner.errors import AlignerError
from aligner.model import Origin, Status


class StatusFilter(StrEnum):
    """Which review statuses an export takes. The one list of choices for the command line,
    the run config, the store and the app's dialog."""

    NOT_REJECTED = "not-rejected"  # accepted and unreviewed: the default
    ACCEPTED = "accepted"
    UNREVIEWED = "unreviewed"
    REJECTED = "rejected"
    ANY = "any"

    def admits(self, status: str) -> bool:
        """True when a bead of review ``status`` is exported under this filter."""
        if self is StatusFilter.ANY:
            return True
        if self is StatusFilter.NOT_REJECTED:
            return status != Status.REJECTED.value
        return status == self.value

    @classmethod
    def parse(cls, value: str | StatusFilter) -> StatusFilter:
        """A filter from its name; an unknown name is an :class:`AlignerError` listing the choices."""
        if isinstance(value, StatusFilter):
            return value
        try:
            return cls(str(value).strip().lower())
        except ValueError:
            raise AlignerError(
                None, f"unknown status filter {value!r} (choose one of {', '.join(STATUS_CHOICES)})"
            ) from None


#: The status filter names, default first (argparse choices, config check, dialog options).
STATUS_CHOICES: tuple[str, ...] = tuple(s.value for s in StatusFilter)


class ReviewedBead(Protocol):
    """What the policy needs to know about a bead (a stored ``BeadRow`` has it all)."""

    src_start: int
    src_end: int
    tgt_start: int
    tgt_end: int
    confidence: float
    origin: str
    status: str


def vouched(status: str, origin: str) -> bool:
    """A bead a person stands behind: accepted, or made by hand and not rejected since.

    Such a bead is exported with confidence 1.0 (the aligner's own estimate goes in its
    own field) and passes every ``min_confidence``.
    """
    if status == Status.REJECTED.value:
        return False
    return status == Status.ACCEPTED.value or origin == Origin.MANUAL.value


@dataclass(frozen=True)
class ExportPolicy:
    """Which beads an export writes; every field is checked when the policy is made.

    ``status``: a :class:`StatusFilter` (or its name); default ``not-rejected``.
    ``min_confidence``: from 0 to 1; beads a person vouched for pass whatever it is.
    ``keep_empty``: also export 0-1 and 1-0 beads (bitext formats then carry an empty side).
    """

    status: StatusFilter = StatusFilter.NOT_REJECTED
    min_confidence: float = 0.0
    keep_empty: bool = False

    def __post_init__(self) -> None:
        object.__setattr__(self, "status", StatusFilter.parse(self.status))
        value = self.min_confidence
        if isinstance(value, bool) or not isinstance(value, (int, float)):
            raise AlignerError(None, f"minimum confidence must be a number from 0 to 1, not {value!r}")
        if not (math.isfinite(value) and 0.0 <= value <= 1.0):  # nan would let every bead through
            raise AlignerError(None, f"minimum confidence must be a number from 0 to 1, not {value}")
        object.__setattr__(self, "min_confidence", float(value))
        if not isinstance(self.keep_empty, bool):
            raise AlignerError(None, f"keep_empty must be true or false, not {self.keep_empty!r}")

    def admits(self, bead: ReviewedBead) -> bool:
        """True when ``bead`` is exported under this policy."""
        if not self.status.admits(bead.status):
            return False
        if not self.keep_empty and (bead.src_start == bead.src_end or bead.tgt_start == bead.tgt_end):
            return False
        return bead.confidence >= self.min_confidence or vouched(bead.status, bead.origin)

    def admits_pair(self, *, pairing_rejected: bool) -> bool:
        """True when a pair's beads may be exported at all: not when a reviewer rejected the
        pairing. No status filter brings them back (``rejected`` and ``any`` are about beads
        of a right pairing): beads of two articles that do not translate each other are
        no bitext, and the lexicon leaves them out too."""
        return not pairing_rejected

    def describe(self) -> str:
        """One line for people: what this policy exports."""
        status = {
            StatusFilter.NOT_REJECTED: "accepted and unreviewed beads, rejected ones left out",
            StatusFilter.ACCEPTED: "accepted beads only",
            StatusFilter.UNREVIEWED: "unreviewed beads only",
            StatusFilter.REJECTED: "rejected beads only",
            StatusFilter.ANY: "every bead, rejected ones too",
        }[self.status]
        parts = [status]
        if self.min_confidence > 0:
            parts.append(f"confidence at least {self.min_confidence:g} (reviewed beads always pass)")
        parts.append("0-1 and 1-0 beads kept" if self.keep_empty else "0-1 and 1-0 beads left out")
        return "; ".join(parts)

    def header_props(self) -> dict[str, str]:
        """The policy as TMX header properties, so a file says how it was filtered."""
        return {
            "x-export-status": self.status.value,
            "x-export-min-confidence": f"{self.min_confidence:g}",
            "x-export-keep-empty": "yes" if self.keep_empty else "no",
        }


__all__ = ["STATUS_CHOICES", "ExportPolicy", "ReviewedBead", "StatusFilter", "vouched"]
