"""The pure steps of aligning one pair: split an article, check a pair's languages, align.

No database, no pages, no workers: :mod:`aligner.pipeline` (a corpus run), the run's
workers (:mod:`aligner.worker`), ``aligner align`` (:mod:`aligner.direct`) and scripts
all align a pair with these calls, so they all split, check and normalise alike.
"""

from __future__ import annotations

from aligner.align import Aligner, default_aligner
from aligner.model import Article, Bead, PairAlignment, Sentence
from aligner.text.langcheck import check_pair_languages, iso_code, language_name
from aligner.text.normalize import normalize_many
from aligner.text.split import split_sentences

Span = tuple[int, int, int, int]  # half-open (src_start, src_end, tgt_start, tgt_end)


def sentences_of(article: Article) -> list[Sentence]:
    """Split an article's title and body into sentences, keeping paragraph indices."""
    return split_sentences(article.blocks(), article.lang)


def check_pair(src: Article, tgt: Article, src_lang: str = "en", tgt_lang: str = "ko") -> None:
    """Refuse a pair whose sides are not in the languages they claim (or are swapped)."""
    check_pair_languages(src.text, src_lang, tgt.text, tgt_lang, _name(src, src_lang), _name(tgt, tgt_lang))


def _name(article: Article, lang: str) -> str:
    """How a message names a side: its URL or file, else its language ("Korean side")."""
    return article.url or article.source_path or f"{language_name(iso_code(lang))} side"


def align_sentence_lists(
    src: list[Sentence],
    tgt: list[Sentence],
    aligner: Aligner,
    src_lang: str = "en",
    tgt_lang: str = "ko",
    fixed: list[Span] | None = None,
) -> list[Bead]:
    """Align normalised copies of the sentences; stored text stays as published."""
    src_norm = normalize_many([s.text for s in src], src_lang)
    tgt_norm = normalize_many([s.text for s in tgt], tgt_lang)
    return aligner.align(src_norm, tgt_norm, fixed=fixed or [])


def align_articles(src: Article, tgt: Article, aligner: Aligner | None = None) -> PairAlignment:
    """Check, split and align one article pair."""
    check_pair(src, tgt, src.lang, tgt.lang)
    aligner = aligner or default_aligner(src.lang, tgt.lang)
    src_sentences, tgt_sentences = sentences_of(src), sentences_of(tgt)
    beads = align_sentence_lists(src_sentences, tgt_sentences, aligner, src.lang, tgt.lang)
    return PairAlignment(src_sentences, tgt_sentences, beads, aligner.name)
