"""What the corpus database holds, as plain rows, and the small rules its keys follow.

The store hands these out and takes them in; nothing here touches the database.
"""

from __future__ import annotations

import hashlib
import json
from dataclasses import dataclass
from datetime import UTC, datetime
from typing import Any

from aligner.model import Bead, Origin, PairedBy, PairProgress, Status


def document_key(key: str) -> str:
    """The key a document (or a failed item) is stored under: its URL in the one spelling
    of :func:`~aligner.sources.urls.page_key`, so ``http://`` and ``https://`` links, or
    links with tracking parameters, to one article make one document; a path as is.
    """
    # imported here: aligner.sources loads the page parsers (0.2 s), which opening a
    # store for the review app or stats does not need
    from aligner.sources.urls import page_key

    return page_key(key)


def unit_id(src_key: str, tgt_key: str, src_span: tuple[int, int], tgt_span: tuple[int, int]) -> str:
    """A bead's stable name (the TMX ``tuid``): a hash of both documents' keys and its spans.

    Not the row id, which changes whenever a pair is re-aligned or edited: the same bead
    of the same two documents gets the same name in every run and every export.
    """
    text = f"{src_key}\n{tgt_key}\n{src_span[0]}-{src_span[1]}\n{tgt_span[0]}-{tgt_span[1]}"
    return hashlib.sha256(text.encode("utf-8", "surrogatepass")).hexdigest()[:20]


def now() -> str:
    """UTC timestamp with seconds, the format used in every ``*_at`` column."""
    return datetime.now(UTC).isoformat(timespec="seconds")


def content_hash(*parts: str) -> str:
    """Stable hash of a document's text, to notice when a re-run sees changed content."""
    h = hashlib.sha256()
    for part in parts:
        h.update(part.encode("utf-8", "surrogatepass"))
        h.update(b"\x00")
    return h.hexdigest()[:32]


@dataclass
class DocumentRow:
    id: int
    lang: str
    key: str
    url: str | None
    title: str
    published: str | None
    layout: str
    text: str
    content_hash: str


@dataclass
class PairRow:
    id: int
    src_doc: int
    tgt_doc: int
    how: str
    score: float | None
    method: str
    aligned_at: str | None
    sure: bool | None = None  # content pairs: sure enough to use unattended (False: taken unsure)
    pairing: str | None = None  # content pairs: how it was decided (JSON, see PairOrigin.detail)

    @property
    def origin(self) -> PairOrigin:
        return PairOrigin(self.how, self.score, self.sure, json.loads(self.pairing) if self.pairing else None)


@dataclass(frozen=True)
class PairOrigin:
    """How a pair was made: ``how`` is "link" (the English page's original-article link),
    "content" (found by content, with ``score`` the probability that the two are a
    translation pair and ``sure`` whether it was good enough to use unattended) or "given"
    (listed in the corpus folder's pairs.jsonl by hand). ``detail``: for content pairs, how
    it was decided (decided_by, margins, verification numbers, the runner-up, ``why``)."""

    how: str
    score: float | None = None
    sure: bool | None = None
    detail: dict[str, Any] | None = None

    def label(self, *, short: bool = False) -> str:
        """A table cell: "link", "given", "content 0.97", "content 0.62?" (? not sure);
        ``short``: "c 0.97", "c 0.62?"."""
        if self.how != PairedBy.CONTENT:
            return self.how
        score = "" if self.score is None else f" {self.score:.2f}"
        return ("c" if short else "content") + score + ("?" if self.sure is False else "")

    def describe(self) -> str:
        """A phrase: "paired by its link", "paired by content (p 0.97, sure)"."""
        if self.how == PairedBy.LINK:
            return "paired by its link"
        if self.how != PairedBy.CONTENT:
            return f"paired as {self.how}"
        facts = [] if self.score is None else [f"p {self.score:.2f}"]
        if self.sure is not None:
            facts.append("sure" if self.sure else "not sure: check it")
        return "paired by content" + (f" ({', '.join(facts)})" if facts else "")

    @property
    def why(self) -> str:
        """The one line that says how a content pair was decided ("" for the others)."""
        return str((self.detail or {}).get("why", ""))


@dataclass(frozen=True)
class PairingRejection:
    """A reviewer's rejection of a pairing: the two articles are not a translation pair."""

    rejected_by: str
    rejected_at: str  # UTC, ISO 8601


@dataclass(frozen=True)
class PairingDecision:
    """What a run decided by content for one English page, and from which pages: a later
    run with the same prints uses it again instead of deciding anew (see aligner.originals)."""

    src_key: str
    page_print: str
    pool_print: str
    tgt_key: str | None  # the chosen original; None when nothing convinced
    score: float
    sure: bool
    detail: dict[str, Any]
    decided_at: str = ""


@dataclass(frozen=True)
class StoredOrigin:
    """A stored pair as a run plans by: its original and how the pair was made."""

    pair_id: int
    tgt_key: str
    how: str
    rejected: bool  # a reviewer rejected this pairing
    reviewed: bool  # a reviewer accepted or made a bead of it


@dataclass
class BeadRow:
    """A stored bead: spans are half-open sentence-index ranges."""

    id: int
    pair_id: int
    position: int
    src_start: int
    src_end: int
    tgt_start: int
    tgt_end: int
    score: float
    confidence: float
    origin: str
    status: str
    changed_by: str | None = None  # the reviewer of the last action on this bead
    changed_at: str | None = None  # when (UTC, ISO 8601)
    note: str | None = None  # a reviewer's note

    @property
    def src_ids(self) -> tuple[int, ...]:
        return tuple(range(self.src_start, self.src_end))

    @property
    def tgt_ids(self) -> tuple[int, ...]:
        return tuple(range(self.tgt_start, self.tgt_end))

    @property
    def kind(self) -> str:
        return f"{self.src_end - self.src_start}-{self.tgt_end - self.tgt_start}"

    @property
    def is_fixed(self) -> bool:
        """A bead a person has vouched for: re-alignment keeps it as an anchor."""
        return self.status == Status.ACCEPTED.value or self.origin == Origin.MANUAL.value


@dataclass(frozen=True)
class StoredPair:
    """What a corpus run needs to know about an English page's stored pair."""

    pair_id: int
    aligned_hash: str | None  # the documents' hash the beads were computed from
    src_hash: str  # the documents' content hashes now
    tgt_hash: str
    tgt_key: str  # the target document's key


@dataclass(frozen=True)
class FailureRow:
    """An item a run could not align, and why (``stage``: failed or unpaired)."""

    item: str
    stage: str
    reason: str
    at: str  # when (UTC, ISO 8601)


@dataclass
class PairSummary:
    """One line of the corpus overview (used by ``stats`` and the review app)."""

    pair_id: int
    src_title: str
    tgt_title: str
    src_key: str
    tgt_key: str
    published: str | None
    beads: int
    accepted: int
    rejected: int
    unreviewed: int
    mean_confidence: float | None
    src_sentences: int
    tgt_sentences: int
    how: str = PairedBy.LINK.value  # how the pair was made (PairOrigin)
    pair_score: float | None = None
    sure: bool | None = None
    pairing_rejected: bool = False  # a reviewer rejected the pairing: its beads are never exported

    @property
    def origin(self) -> PairOrigin:
        return PairOrigin(self.how, self.pair_score, self.sure)

    @property
    def reviewed_share(self) -> float:
        return (self.accepted + self.rejected) / self.beads if self.beads else 0.0

    @property
    def status(self) -> PairProgress:
        if not self.beads:
            return PairProgress.EMPTY
        if self.unreviewed == 0:
            return PairProgress.DONE
        return PairProgress.IN_PROGRESS if self.accepted + self.rejected else PairProgress.NEW


@dataclass(frozen=True)
class Presence:
    """A reviewer whose app is open on a pair (the list of pairs shows them there)."""

    reviewer: str
    pair_id: int
    position: int  # the bead their cursor is on
    seen_at: str  # when their app last said so (UTC, ISO 8601)


@dataclass(frozen=True)
class ChangeMarks:
    """Numbers that move when the corpus changes in a way the list of pairs shows: a review
    edit, an undo or redo, a pair added or aligned again, a document added. Two equal
    marks with a changed ``data_version`` mean only places (who is where) changed."""

    last_edit: int
    last_step: int
    pairs: int
    last_aligned: str
    last_document: int
    last_bead: int  # beads are written as new rows, by a review edit and by a run alike


@dataclass(frozen=True)
class LoggedEdit:
    """One edit of the log as ``aligner stats --by-reviewer`` reads it: who, when, what,
    and the changed slices (JSON, as logged) before and after it."""

    reviewer: str
    at: str  # UTC, ISO 8601
    action: str
    before: str
    after: str
    undone: bool


@dataclass(frozen=True)
class BeadRecord:
    """A bead as it is written: its place in the pair, its spans and its marks (a
    :class:`BeadRow` without the ids the database gives it)."""

    position: int
    src_start: int
    src_end: int
    tgt_start: int
    tgt_end: int
    score: float
    confidence: float
    origin: str
    status: str
    changed_by: str | None = None
    changed_at: str | None = None
    note: str | None = None


@dataclass(frozen=True)
class EditRecord:
    """One logged review edit: enough to undo or redo it."""

    id: int
    pair_id: int
    action: str
    before: dict[str, object]  # the changed part of the pair before the edit (JSON)
    after: dict[str, object]  # ... and after it


@dataclass(frozen=True)
class EditLine:
    """An edit in a pair's history: who made it, when, and what became of it."""

    id: int
    at: str
    reviewer: str
    action: str
    undone: bool
    dropped: bool  # undone, then made impossible to redo by a newer edit


@dataclass(frozen=True)
class StepLine:
    """An undo or a redo in a pair's history; ``after_edit`` places it among the edits."""

    id: int
    edit_id: int
    at: str
    reviewer: str
    kind: str  # undo or redo
    action: str  # the action of the edit it undid or redid
    after_edit: int


def bead_spans(beads: list[Bead]) -> list[tuple[int, int, int, int]]:
    """Half-open (src_start, src_end, tgt_start, tgt_end) spans of consecutive beads.

    An empty side gets a zero-width span where it sits, which a bare id tuple cannot say.
    Raises ValueError when the beads do not run through both sides in order.
    """
    spans = []
    e = k = 0
    for bead in beads:
        if bead.src != tuple(range(e, e + len(bead.src))) or bead.tgt != tuple(range(k, k + len(bead.tgt))):
            raise ValueError(f"bead {bead.src}:{bead.tgt} is not contiguous after source {e}, target {k}")
        spans.append((e, e + len(bead.src), k, k + len(bead.tgt)))
        e += len(bead.src)
        k += len(bead.tgt)
    return spans
