"""Each article of one language prepared once: its sentences, vectors and cheap signals.

Only the beginning of an article (``text_chars``) is split, normalised and encoded: the
story's who/what/where is there, the English edition cuts the end more often than the
start, and it bounds the work per article in a big archive. The sentences are split and
normalised exactly as the alignment stage does (``aligner.text``), so the vectors made
here are the ones the verifying aligner needs, and nothing is encoded twice.

The document vectors are normalised means of sentence vectors: the title (or, in bare
text, the first sentence), the lead (the first ``lead_chars``) and the whole beginning.
"""

from __future__ import annotations

from collections.abc import Callable, Sequence
from dataclasses import dataclass

import numpy as np

from aligner.align.embed import Encoder
from aligner.model import Article
from aligner.pairing.signals import day_number, english_keys, latin_names, numbers_en, numbers_ko
from aligner.text.normalize import normalize_many
from aligner.text.split import sentence_spans_many

ENCODE_CHUNK = 2048  # sentences per encoder call: bounds the encoder's working memory


@dataclass
class Side:
    """The articles of one language with what pairing needs of each (same order)."""

    articles: list[Article]
    sentences: list[list[str]]  # normalised sentences of each article's beginning
    sentence_vectors: list[np.ndarray]  # float16, one row per sentence (float32 on use)
    title: np.ndarray  # (n, d) float32, unit rows
    lead: np.ndarray
    body: np.ndarray
    numbers: list[set[str]]
    names: list[set[str]]  # Korean side: Latin-script names; English side: every word as a key
    days: np.ndarray  # publication day numbers, NaN where undated

    def __len__(self) -> int:
        return len(self.articles)

    def vectors_of(self, k: int) -> np.ndarray:
        return self.sentence_vectors[k].astype(np.float32)


def beginning(article: Article, text_chars: int) -> list[str]:
    """The title and the first paragraphs, up to ``text_chars`` characters (at least one block)."""
    out: list[str] = []
    size = 0
    for block in article.blocks():
        if out and size >= text_chars:
            break
        out.append(block)
        size += len(block)
    return out


def split_beginnings(
    articles: Sequence[Article], lang: str, text_chars: int
) -> tuple[list[list[str]], list[list[int]]]:
    """Each article's beginning as normalised sentences, and the block each sentence is in.

    All paragraphs of the side go to the splitter in one call (Kiwi spreads a batch over
    its threads); a sentence is the text the alignment stage would cut from the same block.
    """
    blocks = [beginning(a, text_chars) for a in articles]
    flat = [b for bs in blocks for b in bs]
    spans = sentence_spans_many(flat, lang)
    sentences: list[list[str]] = []
    owners: list[list[int]] = []
    pos = 0
    for bs in blocks:
        texts, where = [], []
        for b, block in enumerate(bs):
            for s, e in spans[pos + b]:
                texts.append(block[s:e])
                where.append(b)
        pos += len(bs)
        sentences.append(normalize_many(texts, lang) if texts else [])
        owners.append(where)
    return sentences, owners


def encode_all(
    sentences: Sequence[Sequence[str]], encoder: Encoder, progress: Callable[[int, int], None] | None = None
) -> list[np.ndarray]:
    """Sentence vectors per article (float16), the encoder called in bounded chunks
    (``progress(sentences done, total)`` after each)."""
    flat = [s for ss in sentences for s in ss]
    parts = []
    for i in range(0, len(flat), ENCODE_CHUNK):
        parts.append(encoder.encode(flat[i : i + ENCODE_CHUNK]))
        if progress is not None:
            progress(min(i + ENCODE_CHUNK, len(flat)), len(flat))
    dim = parts[0].shape[1] if parts else 512
    vecs = np.concatenate(parts).astype(np.float16) if parts else np.zeros((0, dim), np.float16)
    out, pos = [], 0
    for ss in sentences:
        out.append(vecs[pos : pos + len(ss)])
        pos += len(ss)
    return out


def _unit(m: np.ndarray) -> np.ndarray:
    return (m / np.maximum(np.linalg.norm(m, axis=1, keepdims=True), 1e-9)).astype(np.float32)


def document_vectors(
    articles: Sequence[Article],
    sentences: Sequence[Sequence[str]],
    owners: Sequence[list[int]],
    vectors: Sequence[np.ndarray],
    lead_chars: int,
) -> tuple[np.ndarray, np.ndarray, np.ndarray]:
    """Title, lead and body vectors (unit rows) from the sentence vectors."""
    dim = next((v.shape[1] for v in vectors if len(v)), 512)
    title = np.zeros((len(articles), dim), np.float32)
    lead = np.zeros_like(title)
    body = np.zeros_like(title)
    for k, (a, sents, where, vecs) in enumerate(zip(articles, sentences, owners, vectors)):
        if not len(vecs):
            continue
        v = vecs.astype(np.float32)
        first_body = 1 if a.title else 0  # block 0 is the title when there is one
        in_title = np.asarray([w < first_body for w in where], dtype=bool)
        title[k] = v[in_title].sum(0) if in_title.any() else v[0]
        size, n_lead = 0, 0
        for s, w in zip(sents, where):
            if w < first_body:
                n_lead += 1
                continue
            n_lead += 1
            size += len(s)
            if size >= lead_chars:
                break
        lead_rows = ~in_title & (np.arange(len(v)) < n_lead)
        lead[k] = v[lead_rows].sum(0) if lead_rows.any() else v[0]
        body[k] = v[~in_title].sum(0) if (~in_title).any() else v.sum(0)
    return _unit(title), _unit(lead), _unit(body)


def prepare_side(
    articles: Sequence[Article],
    lang: str,
    side: str,
    encoder: Encoder,
    *,
    text_chars: int,
    lead_chars: int,
    progress: Callable[[int, int], None] | None = None,
) -> Side:
    """Split, normalise and encode the beginnings, and read the cheap signals from the whole text.

    ``side`` is "en" or "ko": which numbers reader to use, and whether ``names`` holds the
    Korean text's Latin-script names or the English text's words to look them up in.
    """
    sentences, owners = split_beginnings(articles, lang, text_chars)
    vectors = encode_all(sentences, encoder, progress)
    title, lead, body = document_vectors(articles, sentences, owners, vectors, lead_chars)
    texts = ["\n".join(a.blocks()) for a in articles]
    if side == "en":
        numbers, names = [numbers_en(t) for t in texts], [english_keys(t) for t in texts]
    else:
        numbers, names = [numbers_ko(t) for t in texts], [latin_names(t) for t in texts]
    days = np.asarray([day_number(a.published) for a in articles], dtype=float)
    return Side(list(articles), sentences, vectors, title, lead, body, numbers, names, days)
