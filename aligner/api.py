"""The pipeline as a Python API, for notebooks and scripts: ``from aligner import ...``.

Everything the command line does is one of these calls (the CLI is a thin shell over
them), so a script gets the same results, the same database and the same exports::

    from aligner import ExportPolicy, RunOptions, Store, export_corpus, run_corpus

    summary = run_corpus("corpora/sample", RunOptions(workers=2, formats=("tmx",)))
    print(summary.count("aligned"), summary.seconds["encode"])
    with Store("corpora/sample/corpus.db") as store:
        for row in store.export_rows(ExportPolicy(min_confidence=0.9)):
            print(row.src_text, "|", row.tgt_text, row.status, row.changed_by)
        export_corpus(store, "parquet", "corpus.parquet")  # the default policy

Exports go through one :class:`ExportPolicy` (``aligner.export.policy``): by default no
rejected bead and no empty (0-1, 1-0) bead, and a bead a person accepted or made passes any
minimum confidence, exported with confidence 1.0.

A script that runs with ``workers > 1`` (``run_corpus``, and ``align_folders``, whose
default may choose several on an idle machine) needs ``if __name__ == "__main__":``
around its top-level code, because worker processes start by importing the main module.
"""

from __future__ import annotations

from dataclasses import fields, replace
from typing import Any

from aligner.align import AlignConfig, Aligner, align_sentences, default_aligner
from aligner.config import RunConfig, load_config
from aligner.direct import FolderReport, align_folders, align_paths
from aligner.errors import AlignerError, InputError, LanguageError, PairingError, StoreError
from aligner.evaluate import score_beads
from aligner.export import FORMATS, STATUS_CHOICES, ExportPolicy, StatusFilter, export_corpus, export_rows
from aligner.model import Article, Bead, ExportRow, Method, Origin, Outcome, PairAlignment, Sentence, Status
from aligner.pipeline import run_corpus
from aligner.run import ItemResult, RunOptions, RunSummary
from aligner.sources import PageCache, parse_page, read_article
from aligner.steps import align_articles, sentences_of
from aligner.store import Store
from aligner.worker import AlignerSpec, build_aligner


def run_config(path: str, **overrides: Any) -> RunSummary:
    """Run the job a TOML config describes (``aligner run CONFIG.toml``); keyword overrides win.

    The export policy's fields (``status``, ``min_confidence``, ``keep_empty``) may be
    given one by one, like the command line's flags, or as a whole ``policy``.
    """
    config = load_config(path)
    policy_fields = {f.name for f in fields(ExportPolicy)}
    option_fields = {f.name for f in fields(RunOptions)}
    unknown = set(overrides) - policy_fields - option_fields
    if unknown:
        raise TypeError(f"run_config() got an unknown option {sorted(unknown)[0]!r}")
    options = config.options
    policy = {name: value for name, value in overrides.items() if name in policy_fields}
    if policy:
        options = replace(options, policy=ExportPolicy(**{**_policy_fields(options.policy), **policy}))
    return run_corpus(config.corpus, replace(options, **{k: v for k, v in overrides.items() if k in option_fields}))


def _policy_fields(policy: ExportPolicy) -> dict[str, Any]:
    return {f.name: getattr(policy, f.name) for f in fields(ExportPolicy)}


__all__ = [
    "FORMATS",
    "STATUS_CHOICES",
    "AlignConfig",
    "Aligner",
    "AlignerError",
    "AlignerSpec",
    "Article",
    "Bead",
    "ExportPolicy",
    "ExportRow",
    "FolderReport",
    "InputError",
    "ItemResult",
    "LanguageError",
    "Method",
    "Origin",
    "Outcome",
    "PageCache",
    "PairAlignment",
    "PairingError",
    "RunConfig",
    "RunOptions",
    "RunSummary",
    "Sentence",
    "Status",
    "StatusFilter",
    "Store",
    "StoreError",
    "align_articles",
    "align_folders",
    "align_paths",
    "align_sentences",
    "build_aligner",
    "default_aligner",
    "export_corpus",
    "export_rows",
    "load_config",
    "parse_page",
    "read_article",
    "run_config",
    "run_corpus",
    "score_beads",
    "sentences_of",
]
