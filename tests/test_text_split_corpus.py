"""Splitting real news: line-aligned corpora joined into paragraphs must split back into
their lines.

Data: ``corpora/source`` (NTREX-128 newstest2019 English and its Korean translation;
korean-english-park dev), shipped with the repository with their licences, and the seed
Hankyoreh article in ``seeds/``.

Two rates are measured per data set:

* *exact*: the line comes back as exactly one sentence;
* *kept*: the line's start and end are both sentence boundaries (no sentence runs across
  a line break). A translator's line may hold two sentences (NTREX's Korean often does,
  KEP's English lines sometimes do); splitting those is right, so *kept* is the rate of
  real splitting errors across line breaks, *exact* a lower bound of accuracy.

The default run uses a fixed sample to stay within the test-time budget; ``-m slow``
runs everything, and ``python tests/test_text_split_corpus.py`` prints the full report
with speed.
"""

from __future__ import annotations

import re
import sys
import time
from dataclasses import dataclass
from pathlib import Path

import pytest

from aligner.text.split import sentence_spans_many, split_paragraph
from tests.conftest import ROOT

DATA = ROOT / "corpora" / "source"
SEEDS = ROOT / "seeds"


#: A line that ends a sentence; any other line (a headline, "... said:") ends a paragraph.
_ENDS_SENTENCE = re.compile(r"[.!?…][\"'”’)\]]*$")


@pytest.fixture(scope="module", autouse=True)
def kiwi_warm() -> None:
    """Build Kiwi and run it once (its first analysis initialises lazily and takes seconds)."""
    split_paragraph("그는 갔다. 그는 왔다.", "ko")


def _lines(path: Path) -> list[str]:
    return [line.strip() for line in path.read_text(encoding="utf-8").splitlines()]


def paragraphs_of(lines: list[str], doc_ids: list[str] | None = None, chunk: int = 5) -> list[list[str]]:
    """Group lines into documents (by id, or ``chunk`` lines), then into paragraphs."""
    if doc_ids is not None:
        docs: list[list[str]] = []
        previous = None
        for line, doc in zip(lines, doc_ids):
            if doc != previous:
                docs.append([])
                previous = doc
            docs[-1].append(line)
    else:
        docs = [lines[i : i + chunk] for i in range(0, len(lines), chunk)]
    paragraphs: list[list[str]] = []
    for doc in docs:
        current: list[str] = []
        for line in doc:
            if not line:
                continue
            current.append(line)
            if not _ENDS_SENTENCE.search(line):
                paragraphs.append(current)
                current = []
        if current:
            paragraphs.append(current)
    return paragraphs


@dataclass
class Recovery:
    lines: int = 0
    exact: int = 0
    kept: int = 0
    sentences: int = 0
    cpu_seconds: float = 0.0

    @property
    def exact_rate(self) -> float:
        return self.exact / self.lines

    @property
    def kept_rate(self) -> float:
        return self.kept / self.lines

    def __str__(self) -> str:
        speed = self.sentences / self.cpu_seconds if self.cpu_seconds else float("nan")
        return (
            f"exact {self.exact}/{self.lines} = {100 * self.exact_rate:.2f} %, "
            f"kept {self.kept}/{self.lines} = {100 * self.kept_rate:.2f} %, "
            f"{self.sentences} sentences, {speed:.0f} sentences per CPU second"
        )


def recovery(paragraphs: list[list[str]], lang: str) -> Recovery:
    """Join each paragraph's lines with a space, split, and count the lines that come back."""
    texts = [" ".join(p) for p in paragraphs]
    start = time.process_time()
    all_spans = sentence_spans_many(texts, lang)
    result = Recovery(cpu_seconds=time.process_time() - start)
    for lines, _text, spans in zip(paragraphs, texts, all_spans):
        result.sentences += len(spans)
        starts = {s for s, _ in spans}
        ends = {e for _, e in spans}
        position = 0
        for line in lines:
            begin, end = position, position + len(line)
            position = end + 1
            result.lines += 1
            result.exact += (begin, end) in spans
            result.kept += begin in starts and end in ends
    return result


def data_sets(sample: bool) -> dict[tuple[str, str], list[list[str]]]:
    """(set, lang) → paragraphs; ``sample`` keeps every third NTREX document and 400 KEP lines."""
    ids = _lines(DATA / "ntrex" / "DOCUMENT_IDS.tsv")
    sets: dict[tuple[str, str], list[list[str]]] = {}
    for lang, name in (("en", "newstest2019-src.eng.txt"), ("ko", "newstest2019-ref.kor.txt")):
        lines = _lines(DATA / "ntrex" / name)
        if sample:
            keep = set(sorted(set(ids), key=ids.index)[::3])
            pairs = [(line, doc) for line, doc in zip(lines, ids) if doc in keep]
            sets[("ntrex", lang)] = paragraphs_of([p[0] for p in pairs], [p[1] for p in pairs])
        else:
            sets[("ntrex", lang)] = paragraphs_of(lines, ids)
    for lang in ("en", "ko"):
        lines = _lines(DATA / "kep-dev" / f"korean-english-park.dev.{lang}")
        sets[("kep", lang)] = paragraphs_of(lines[:400] if sample else lines)
    return sets


#: Floors for the sample (measured: see the module's report), a little below the measure.
SAMPLE_FLOORS = {
    ("ntrex", "en"): (0.98, 0.98),
    ("ntrex", "ko"): (0.84, 0.97),
    ("kep", "en"): (0.90, 0.95),
    ("kep", "ko"): (0.95, 0.98),
}
#: Floors for the full sets.
FULL_FLOORS = {
    ("ntrex", "en"): (0.99, 0.99),
    ("ntrex", "ko"): (0.86, 0.99),
    ("kep", "en"): (0.91, 0.96),
    ("kep", "ko"): (0.96, 0.99),
}


def test_lines_recovered_sample() -> None:
    for key, paragraphs in data_sets(sample=True).items():
        result = recovery(paragraphs, key[1])
        exact_floor, kept_floor = SAMPLE_FLOORS[key]
        assert result.exact_rate >= exact_floor, f"{key}: {result}"
        assert result.kept_rate >= kept_floor, f"{key}: {result}"


@pytest.mark.slow
def test_lines_recovered_full() -> None:
    for key, paragraphs in data_sets(sample=False).items():
        result = recovery(paragraphs, key[1])
        exact_floor, kept_floor = FULL_FLOORS[key]
        assert result.exact_rate >= exact_floor, f"{key}: {result}"
        assert result.kept_rate >= kept_floor, f"{key}: {result}"


def test_korean_paragraphs_split_by_kiwi_only_where_in_doubt_split_as_kiwi_would() -> None:
    """The shortcut (Kiwi sees only the stretches between certain verb-final ends that
    hold another mark) changes no answer."""
    from aligner.text.split import _kiwi_cuts_many, _kiwi_windows, _korean_spans, _needs_splitting

    texts = [" ".join(p) for key, ps in data_sets(sample=True).items() if key[1] == "ko" for p in ps]
    texts = [t for t in texts if _needs_splitting(t)]
    analysed = sum(b - a for t in texts for a, b in _kiwi_windows(t))
    assert analysed < 0.5 * sum(len(t) for t in texts)  # the shortcut spares most of the text
    assert sentence_spans_many(texts, "ko") == [_korean_spans(t, c) for t, c in zip(texts, _kiwi_cuts_many(texts))]


def test_english_paragraphs_split_without_pysbd_split_as_pysbd_would() -> None:
    """The shortcut (every possible end is plain) changes no answer."""
    from aligner.text.split import _latin_spans, _plain_english_cuts, _pysbd_cuts

    texts = [" ".join(p) for key, ps in data_sets(sample=True).items() if key[1] == "en" for p in ps]
    plain = [t for t in texts if _plain_english_cuts(t)]  # at least one cut found without pysbd
    assert len(plain) > 0.3 * len(texts)
    assert sentence_spans_many(plain, "en") == [_latin_spans(t, "en", _pysbd_cuts(t, "en")) for t in plain]


def test_seed_article() -> None:
    """The Hankyoreh English article the project started from."""
    seed = next(SEEDS.glob("*.txt")).read_text(encoding="utf-8")
    paragraphs = [p.strip() for p in seed.split("\n\n") if p.strip()]
    sentences = [s for p in paragraphs for s in split_paragraph(p, "en")]
    assert (
        "The comments were made by David Shear, US Assistant Secretary of Defense for Asian and Pacific "
        "Security Affairs, during the US-Japan Security Seminar 2015 on Mar. 27, which was hosted in "
        "Washington, D.C., by the Center for Strategic and International Studies (CSIS)."
    ) in sentences
    assert "I think there are opportunities for further such arrangements." in sentences
    assert (
        "I think we have to be realistic and patient in how we approach this, given the sensitivities.”"
    ) in sentences
    assert any(
        s.startswith("The trilateral information-sharing agreement that was signed in Dec. 2014") for s in sentences
    )
    assert "Please direct questions or comments to [english@hani.co.kr]" in sentences


if __name__ == "__main__":  # the full report: python tests/test_text_split_corpus.py
    split_paragraph("그는 갔다. 그는 왔다.", "ko")
    full = "--sample" not in sys.argv
    for (name, lang), paragraphs in data_sets(sample=not full).items():
        print(f"{name:6} {lang}: {recovery(paragraphs, lang)}")
