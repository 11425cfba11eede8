"""The pipeline as a Python API, for notebooks and scripts: ``from aligner import ...``.

Everything the command line does is one of these calls (the CLI is a thin shell over
them), so a script gets the same results, the same database and the same exports::

    from aligner import RunOptions, Store, run_corpus

    summary = run_corpus("corpora/sample", RunOptions(workers=2, formats=("tmx",)))
    print(summary.count("aligned"), summary.seconds["encode"])
    with Store("corpora/sample/corpus.db") as store:
        for row in store.export_rows(min_confidence=0.9, skip_empty=True):
            print(row.src_text, "|", row.tgt_text)

A script that runs with ``workers > 1`` needs ``if __name__ == "__main__":`` around its
top-level code, because worker processes start by importing the main module.
"""

from __future__ import annotations

from aligner.align import Aligner, AlignConfig, align_sentences, default_aligner
from aligner.batch import AlignerSpec, build_aligner
from aligner.config import RunConfig, load_config
from aligner.direct import align_paths
from aligner.errors import AlignerError, InputError, LanguageError, PairingError, StoreError
from aligner.evaluate import score_beads
from aligner.export import FORMATS, export_rows
from aligner.model import Article, Bead, ExportRow, PairAlignment, Sentence
from aligner.pipeline import (
    ItemResult,
    RunOptions,
    RunSummary,
    align_articles,
    run_corpus,
    sentences_of,
)
from aligner.sources import PageCache, parse_page, read_article
from aligner.store import Store


def run_config(path: str, **overrides: object) -> RunSummary:
    """Run the job a TOML config describes (``aligner run CONFIG.toml``); keyword overrides win."""
    config = load_config(path)
    for name, value in overrides.items():
        if not hasattr(config.options, name):
            raise TypeError(f"run_config() got an unknown option {name!r}")
        setattr(config.options, name, value)
    return run_corpus(config.corpus, config.options)


__all__ = [
    "FORMATS",
    "AlignConfig",
    "Aligner",
    "AlignerError",
    "AlignerSpec",
    "Article",
    "Bead",
    "ExportRow",
    "InputError",
    "ItemResult",
    "LanguageError",
    "PageCache",
    "PairAlignment",
    "PairingError",
    "RunConfig",
    "RunOptions",
    "RunSummary",
    "Sentence",
    "Store",
    "StoreError",
    "align_articles",
    "align_paths",
    "align_sentences",
    "build_aligner",
    "default_aligner",
    "export_rows",
    "load_config",
    "parse_page",
    "read_article",
    "run_config",
    "run_corpus",
    "score_beads",
    "sentences_of",
]
