"""Plain data passed between the pipeline's stages.

Dataclasses only, no I/O: every stage (parse, split, align, store, export) takes and
returns these, so the CLI, the review app and scripts all speak the same language.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from enum import StrEnum


@dataclass
class Article:
    """One news article as parsed from a page or a text file.

    ``paragraphs`` is the cleaned body as published (captions, bylines and trailers
    removed); the title is kept apart because it is aligned as its own paragraph.
    """

    lang: str
    title: str
    paragraphs: list[str]
    url: str | None = None
    subtitle: str | None = None
    published: str | None = None  # ISO 8601, e.g. "2015-03-30T16:26:00+09:00"
    modified: str | None = None
    byline: str | None = None
    section: str | None = None
    original_url: str | None = None  # English edition: the Korean original's URL
    source_path: str | None = None  # file the article was read from
    layout: str = "text"  # which parser read it: hani-en, hani-ko-old, hani-ko-2023, generic, text

    @property
    def text(self) -> str:
        """The body as one string, paragraphs separated by blank lines."""
        return "\n\n".join(self.paragraphs)

    def blocks(self) -> list[str]:
        """Title (when present) followed by the body paragraphs: what gets split and aligned."""
        return ([self.title] if self.title else []) + list(self.paragraphs)


@dataclass(frozen=True)
class Sentence:
    """A sentence of one document; ``index`` is its position in the document (0-based)."""

    index: int
    paragraph: int
    text: str


@dataclass(frozen=True)
class Bead:
    """A link between consecutive source sentences and consecutive target sentences.

    Either side may be empty (a 0-1 or 1-0 bead: a sentence the other side dropped or
    added). ``score`` is the aligner's similarity of the two spans (higher is better);
    ``confidence`` in [0, 1] estimates the chance the bead is right.
    """

    src: tuple[int, ...]
    tgt: tuple[int, ...]
    score: float = 0.0
    confidence: float = 0.0

    @property
    def kind(self) -> str:
        """Bead type such as "1-1", "2-1", "0-1"."""
        return f"{len(self.src)}-{len(self.tgt)}"

    @property
    def is_empty(self) -> bool:
        """True for 0-1 and 1-0 beads, which carry no translation pair."""
        return not self.src or not self.tgt


@dataclass
class PairAlignment:
    """The sentences of both sides and the beads that link them."""

    src: list[Sentence]
    tgt: list[Sentence]
    beads: list[Bead]
    method: str = ""


class Status(StrEnum):
    """A bead's review status."""

    UNREVIEWED = "unreviewed"
    ACCEPTED = "accepted"
    REJECTED = "rejected"


class Origin(StrEnum):
    """Who made a bead: the aligner or a person."""

    AUTO = "auto"
    MANUAL = "manual"


class PairProgress(StrEnum):
    """How far a pair's review is: no beads yet, none reviewed, some, all."""

    EMPTY = "empty"
    NEW = "new"
    IN_PROGRESS = "in progress"
    DONE = "done"


class Outcome(StrEnum):
    """What a corpus run did with one English page."""

    ALIGNED = "aligned"  # aligned and stored
    UNCHANGED = "unchanged"  # aligned before from the same text: skipped
    KEPT = "kept"  # the text changed, but a reviewer's beads were kept as they are
    UNPAIRED = "unpaired"  # no Korean original to align with (no error)
    FAILED = "failed"  # a bad page, a language mismatch, ...: reported and skipped


class PairedBy(StrEnum):
    """How a corpus run knows which Korean article an English one translates."""

    LINK = "link"  # the English page's "original Korean article" link (or `aligner fetch`'s record of it)
    CONTENT = "content"  # found by content (`aligner run`, `aligner pair --record-in`)
    GIVEN = "given"  # listed in the corpus folder's pairs.jsonl by hand

    @classmethod
    def of_manifest(cls, how: str) -> PairedBy:
        """A pairs.jsonl line's ``how`` ("link", "content", "manual" or anything else: given)."""
        try:
            return cls(how)
        except ValueError:
            return cls.GIVEN


class Method(StrEnum):
    """How a pair is aligned: the engine (sentence embeddings, length, anchors) or length alone."""

    ENGINE = "engine"
    LENGTH = "length"


@dataclass
class ExportRow:
    """One bead with its text and its review facts, ready for an exporter.

    Sentences of a side are joined by a space. ``confidence`` is the one a downstream
    filter should use: 1.0 for a bead a person accepted or made (they checked it), else
    the aligner's estimate; ``aligner_confidence`` keeps the aligner's own estimate (None
    for a bead a person made, which the aligner never scored). ``tuid`` names the unit
    stably across runs (see :func:`aligner.store.unit_id`). Times are ISO 8601 UTC
    strings: ``created_*`` is the run that aligned the pair (``created_by`` the aligner),
    ``changed_*`` the last reviewer action on the bead (None if no person touched it).
    """

    pair_id: int
    bead_id: int
    position: int
    src_lang: str
    tgt_lang: str
    src_text: str
    tgt_text: str
    src_ids: tuple[int, ...]
    tgt_ids: tuple[int, ...]
    confidence: float
    score: float
    status: str
    origin: str
    src_doc: str  # document identifier (URL or path)
    tgt_doc: str
    props: dict[str, str] = field(default_factory=dict)
    tuid: str = ""
    aligner_confidence: float | None = None
    created_at: str | None = None
    created_by: str | None = None
    changed_at: str | None = None
    changed_by: str | None = None
    note: str | None = None  # the reviewer's note on the bead
    pair_note: str | None = None  # the reviewer's note on the article pair

    @property
    def kind(self) -> str:
        return f"{len(self.src_ids)}-{len(self.tgt_ids)}"

    @property
    def is_empty(self) -> bool:
        return not self.src_ids or not self.tgt_ids
