"""Test sets for pairing by content, built from real line-aligned news in ``../shared/data``.

Two kinds:

* **Scenarios** (quality): a few dozen documents of NTREX-128 (123 news documents with a
  professional Korean translation, CC BY-SA 4.0) or KEP dev (Korean news with English
  translations, CC BY-SA 3.0, cut into 40 pseudo-documents of 25 lines as
  ``build_sets.py`` does, since the file has no document marks), shuffled, with decoys on
  both sides. Documents are split into dev and test halves exactly as ``corpora/eval``
  is (``build_sets.split_documents``): tune on dev, report on test; a scenario never mixes
  the halves, not even for its decoys.
* **Archives** (scale): thousands of synthetic articles, each a dozen or so lines drawn
  from all the documents, for time and memory (``pairing_scale.py``).

Edits (``EDITS``): ``clean`` is the translation as published; ``edited`` is the light
editing of the English edition (about 15 % of the English sentences dropped, some cut
short, a sentence from another story or a new headline now and then, 10 % of the Korean
dropped); ``loose`` is the hard case of issue 14: 20-40 % of the English sentences dropped,
about one in six of the rest joined with its neighbour, some articles cut short or given a
sentence of another story, and a little dropped and joined on the Korean side too.

Bare text (``bare=True``): no titles (the first line stays in the body), as plain-text
files read by ``aligner pair`` are.

Decoys "from the same topics": besides documents whose other side is withheld, the
``related`` and ``issue`` shapes add Korean follow-up stories that share about 40 % of a
paired story's sentences (mixed with another story's), dated the same days.
"""

from __future__ import annotations

import random
from dataclasses import dataclass
from datetime import datetime, timedelta, timezone
from pathlib import Path

from aligner.model import Article
from benchmarks.build_sets import BASE_SEED, DEFAULT_DATA, load_kep, load_ntrex, split_documents

ROOT = Path(__file__).resolve().parents[1]


KST = timezone(timedelta(hours=9))
WINDOW_START = datetime(2019, 3, 1, 6, 0, tzinfo=KST)
SOURCES = ("ntrex", "kep")
PARTS = ("dev", "test", "all")


@dataclass(frozen=True)
class Doc:
    """A line-aligned document: ``ko[i]`` translates ``en[i]``."""

    doc_id: str
    en: list[str]
    ko: list[str]


def load_docs(source: str, part: str = "all", data: Path = DEFAULT_DATA) -> list[Doc]:
    """The documents of one source and half (``dev``, ``test`` or ``all``), in id order."""
    if source not in SOURCES or part not in PARTS:
        raise ValueError(f"unknown source or part: {source}, {part}")
    loader = load_ntrex if source == "ntrex" else load_kep
    docs = [Doc(d.doc_id, list(d.src), list(d.tgt)) for d in loader(data)]
    half = split_documents([d.doc_id for d in docs], f"{BASE_SEED}:{source}:split")
    return sorted((d for d in docs if part == "all" or half[d.doc_id] == part), key=lambda d: d.doc_id)


# -- editing ---------------------------------------------------------------------------------


@dataclass(frozen=True)
class Edit:
    """How the two sides of a pair are edited (shares of sentences; ranges drawn per document)."""

    en_drop: tuple[float, float] = (0.0, 0.0)
    en_join: float = 0.0  # share of the kept English sentences joined with the next one
    en_cut: float = 0.0  # chance the English article is cut short (to 60-85 %)
    en_extra: float = 0.0  # chance of a sentence from a story whose English side is withheld
    new_headline: float = 0.0  # chance the English title is rewritten (titled articles only)
    ko_drop: float = 0.0
    ko_join: float = 0.0


EDITS = {
    "clean": Edit(),
    "edited": Edit(en_drop=(0.15, 0.15), en_cut=0.33, en_extra=0.3, new_headline=0.3, ko_drop=0.10),
    "loose": Edit(
        en_drop=(0.2, 0.4), en_join=0.15, en_cut=0.2, en_extra=0.3, new_headline=0.3, ko_drop=0.05, ko_join=0.05
    ),
}


def _join_some(lines: list[str], share: float, rng: random.Random) -> list[str]:
    """Join about ``share`` of the sentences with the next one (never more than two at once)."""
    out: list[str] = []
    i = 0
    while i < len(lines):
        if i + 1 < len(lines) and rng.random() < share:
            out.append(f"{lines[i]} {lines[i + 1]}")
            i += 2
        else:
            out.append(lines[i])
            i += 1
    return out


def _paragraphs(lines: list[str], key: str) -> list[str]:
    """Group sentences 1-3 at a time into paragraphs."""
    rng = random.Random(key)
    out, i = [], 0
    while i < len(lines):
        n = rng.choice((1, 2, 2, 3))
        out.append(" ".join(x for x in lines[i : i + n] if x))
        i += n
    return [p for p in out if p]


def edit_pair(doc: Doc, rng: random.Random, edit: Edit, bare: bool, extra_en: list[str]) -> tuple[Article, Article]:
    """The English and Korean articles of one document, edited; with titles unless ``bare``."""
    if bare:
        en_title, ko_title, n = "", "", len(doc.en)
        en_idx, ko_idx = list(range(n)), list(range(n))
    else:
        en_title, ko_title, n = doc.en[0], doc.ko[0], len(doc.en)
        en_idx, ko_idx = list(range(1, n)), list(range(1, n))
    drop = rng.uniform(*edit.en_drop)
    # Edit by line number so both sides still say the same thing where they keep a line.
    keep_en = [i for i in en_idx if rng.random() >= drop] or en_idx[:1]
    if rng.random() < edit.en_cut and len(keep_en) > 4:
        keep_en = keep_en[: max(3, int(len(keep_en) * rng.uniform(0.6, 0.85)))]
    keep_ko = [i for i in ko_idx if rng.random() >= edit.ko_drop] or ko_idx[:1]
    en_lines = [doc.en[i] for i in keep_en]
    ko_lines = [doc.ko[i] for i in keep_ko]
    if extra_en and rng.random() < edit.en_extra:
        en_lines.insert(rng.randrange(0, len(en_lines) + 1), rng.choice(extra_en))
    if not bare and len(en_lines) > 2 and rng.random() < edit.new_headline:
        # A rewritten headline: the lead's first words stand in for the original title.
        en_title = " ".join(en_lines.pop(0).split()[:10]).rstrip(",.;:")
    en_lines = _join_some(en_lines, edit.en_join, rng)
    ko_lines = _join_some(ko_lines, edit.ko_join, rng)
    en = Article("en", en_title, _paragraphs(en_lines, doc.doc_id + "en"), url=f"en:{doc.doc_id}", layout="text")
    ko = Article("ko", ko_title, _paragraphs(ko_lines, doc.doc_id + "ko"), url=f"ko:{doc.doc_id}", layout="text")
    return en, ko


# -- scenarios -------------------------------------------------------------------------------


@dataclass
class Scenario:
    name: str
    en: list[Article]
    ko: list[Article]
    gold: set[tuple[int, int]]  # (en index, ko index)


SHAPES = ("balanced", "related", "ko-heavy", "issue")
DATES = ("dated", "some-dates", "undated")


def _date(base: datetime, rng: random.Random, some: bool) -> str | None:
    if some and rng.random() < 0.3:
        return None
    return base.isoformat()


def _split_pool(pool: list[Doc], shape: str) -> tuple[list[Doc], list[Doc], list[Doc]]:
    """(English only, Korean only, paired) documents for a shape."""
    n = len(pool)
    if shape == "issue":  # the held-out case of issue 14: 12 pairs and two Korean decoys (one of
        return [], pool[12:13], pool[:12]  # them a related story, added by build_scenario)
    if shape in ("balanced", "related"):
        n_en_only = n_ko_only = max(1, n // 6)
    else:  # ko-heavy: few English articles against many Korean ones, as on the real site
        n_en_only, n_ko_only = max(1, n // 25), int(n * 0.7)
    return pool[:n_en_only], pool[n_en_only : n_en_only + n_ko_only], pool[n_en_only + n_ko_only :]


def build_scenario(docs: list[Doc], seed: int, shape: str, dates: str, edit: str, bare: bool = False) -> Scenario:
    """One shuffled test: true pairs plus decoys on each side."""
    rng = random.Random(f"{seed}/{shape}/{dates}/{edit}/{bare}")
    pool = list(docs)
    rng.shuffle(pool)
    en_only, ko_only, paired = _split_pool(pool, shape)
    extra = [s for d in ko_only for s in d.en[1:]]  # English sentences of stories whose English is withheld
    en_arts: list[Article] = []
    ko_arts: list[Article] = []
    gold_ids: list[tuple[str, str]] = []
    paired_ids = {d.doc_id for d in paired}
    for d in paired + en_only + ko_only:
        e, k = edit_pair(d, rng, EDITS[edit], bare, extra)
        when = WINDOW_START + timedelta(days=rng.uniform(0, 28))
        later = when + timedelta(days=rng.choice((0, 0, 0, 1, 1, 2, 3)), hours=rng.uniform(0, 10))
        if dates != "undated":
            k.published = _date(when, rng, dates == "some-dates")
            e.published = _date(
                later if d.doc_id in paired_ids else WINDOW_START + timedelta(days=rng.uniform(0, 28)),
                rng,
                dates == "some-dates",
            )
        if d not in ko_only:
            en_arts.append(e)
        if d not in en_only:
            ko_arts.append(k)
        if d.doc_id in paired_ids:
            gold_ids.append((e.url, k.url))
    if shape in ("related", "issue"):
        ko_arts += related_decoys(
            paired, ko_only or en_only or paired, ko_arts, rng, bare, count=1 if shape == "issue" else None
        )
    rng.shuffle(en_arts)
    rng.shuffle(ko_arts)
    en_pos = {a.url: i for i, a in enumerate(en_arts)}
    ko_pos = {a.url: j for j, a in enumerate(ko_arts)}
    gold = {(en_pos[e], ko_pos[k]) for e, k in gold_ids}
    name = f"{shape}/{edit}{'/bare' if bare else ''}/{dates}"
    return Scenario(name, en_arts, ko_arts, gold)


def related_decoys(
    paired: list[Doc],
    others: list[Doc],
    ko_arts: list[Article],
    rng: random.Random,
    bare: bool,
    count: int | None = None,
) -> list[Article]:
    """Korean follow-up stories: ``count`` (default a third) of the paired stories get a Korean
    decoy sharing about 40 % of their sentences (mixed with another story's), dated the same days."""
    by_url = {a.url: a for a in ko_arts}
    out: list[Article] = []
    for d in rng.sample(paired, min(len(paired), count or max(1, len(paired) // 3))):
        if len(d.ko) < 4:
            continue
        mine = rng.sample(d.ko[1:], max(2, int(0.4 * (len(d.ko) - 1))))
        other = rng.choice([o for o in others if o.doc_id != d.doc_id] or others)
        theirs = other.ko[1:][: max(2, len(mine))]
        body = mine + theirs
        rng.shuffle(body)
        original = by_url.get(f"ko:{d.doc_id}")
        when = None
        if original is not None and original.published:
            base = datetime.fromisoformat(original.published)
            when = (base + timedelta(days=rng.uniform(-1, 1))).isoformat()
        title = "" if bare else mine[0]
        out.append(
            Article(
                "ko",
                title,
                _paragraphs(body, d.doc_id + "rel"),
                url=f"ko-related:{d.doc_id}",
                published=when,
                layout="text",
            )
        )
    return out


# The scenarios a report runs: the earlier grid (titled; clean and edited) and the loose,
# bare-text grid of issue 14.
TITLED = [
    (shape, dates, edit, False)
    for shape in ("balanced", "related", "ko-heavy")
    for edit in ("clean", "edited")
    for dates in DATES
]
LOOSE = [
    (shape, dates, "loose", True)
    for shape in ("issue", "balanced", "related", "ko-heavy")
    for dates in ("undated", "some-dates", "dated")
]


def scenario_name(shape: str, dates: str, edit: str, bare: bool) -> str:
    return f"{shape}/{edit}{'/bare' if bare else ''}/{dates}"


# -- archives (scale) ------------------------------------------------------------------------


@dataclass
class Archive:
    en: list[Article]
    ko: list[Article]
    gold: set[tuple[int, int]]
    dated: bool


def build_archive(n_en: int, n_ko: int, n_pairs: int, dated: bool, seed: int = 0, data: Path = DEFAULT_DATA) -> Archive:
    """A synthetic year of an archive: ``n_pairs`` translated stories plus English-only and
    Korean-only ones, bare text, loosely translated (the ``loose`` edit).

    A story is 12-18 lines drawn from all of NTREX and KEP (this set measures time and
    memory; nothing is tuned on it), kept in corpus order. With about 3,000 lines behind
    thousands of stories, lines must come back, but no two stories share more than
    ``MAX_SHARED`` lines (a fifth of a story at most, like a follow-up story quoting the
    first), so a decoy is never a translation of another story. Dates, when ``dated``,
    spread the Korean stories over a year, the English 0-3 days later.
    """
    if not (n_pairs <= n_en and n_pairs <= n_ko):
        raise ValueError("more pairs than articles on a side")
    rng = random.Random(f"archive/{seed}/{n_en}/{n_ko}/{n_pairs}/{dated}")
    lines = [
        (e, k)
        for source in SOURCES
        for d in load_docs(source, "all", data)
        for e, k in zip(d.en, d.ko)
        if e.strip() and k.strip()
    ]
    n_stories = n_en + n_ko - n_pairs
    stories = _distinct_stories(len(lines), n_stories, rng)
    edit = EDITS["loose"]
    start = datetime(2019, 1, 1, 6, 0, tzinfo=KST)
    en_arts: list[Article] = []
    ko_arts: list[Article] = []
    gold_ids: list[tuple[str, str]] = []
    for s, picked in enumerate(stories):
        story = Doc(f"s{s:05d}", [lines[i][0] for i in picked], [lines[i][1] for i in picked])
        e, k = edit_pair(story, rng, edit, True, [])
        if dated:
            when = start + timedelta(days=rng.uniform(0, 365))
            k.published = when.isoformat()
            e.published = (
                when + timedelta(days=rng.choice((0, 0, 0, 1, 1, 2, 3)), hours=rng.uniform(0, 10))
                if s < n_pairs
                else start + timedelta(days=rng.uniform(0, 365))
            ).isoformat()
        if s < n_pairs:
            en_arts.append(e)
            ko_arts.append(k)
            gold_ids.append((e.url, k.url))
        elif s < n_en:
            en_arts.append(e)
        else:
            ko_arts.append(k)
    rng.shuffle(en_arts)
    rng.shuffle(ko_arts)
    en_pos = {a.url: i for i, a in enumerate(en_arts)}
    ko_pos = {a.url: j for j, a in enumerate(ko_arts)}
    return Archive(en_arts, ko_arts, {(en_pos[e], ko_pos[k]) for e, k in gold_ids}, dated)


MAX_SHARED = 3  # lines two stories of an archive may have in common


def _distinct_stories(n_lines: int, n_stories: int, rng: random.Random) -> list[list[int]]:
    """``n_stories`` sets of 12-18 line numbers, sorted, no two sharing more than ``MAX_SHARED``."""
    stories: list[list[int]] = []
    holders: list[list[int]] = [[] for _ in range(n_lines)]  # line -> stories that use it
    while len(stories) < n_stories:
        picked = sorted(rng.sample(range(n_lines), rng.randint(12, 18)))
        shared: dict[int, int] = {}
        for line in picked:
            for other in holders[line]:
                shared[other] = shared.get(other, 0) + 1
        if shared and max(shared.values()) > MAX_SHARED:
            continue
        for line in picked:
            holders[line].append(len(stories))
        stories.append(picked)
    return stories
