"""Aligning two texts directly (``aligner align``), outside any corpus database.

Inputs are article pages, plain text, or pre-split files with one sentence per line;
output is the bead format vecalign's scorer reads (``[0, 1]:[0]:0.53``) or a TSV of the
aligned text. Folders of same-named files are aligned in one process, so the encoder
is loaded once.
"""

from __future__ import annotations

import csv
import io
from dataclasses import dataclass, field
from pathlib import Path

from aligner.align import default_aligner
from aligner.errors import AlignerError, InputError
from aligner.model import Article, PairAlignment, Sentence
from aligner.pipeline import align_sentence_lists, sentences_of
from aligner.sources import read_article, read_lines
from aligner.text.langcheck import check_language, detect_language


@dataclass
class FolderReport:
    aligned: int = 0
    failures: list[tuple[str, str]] = field(default_factory=list)


def _guess_lang(texts: list[str], fallback: str) -> str:
    sample = " ".join(texts)[:5000]
    try:
        return detect_language(sample) if sample.strip() else fallback
    except AlignerError:
        return fallback


def load_side(path: Path, lang: str | None, presplit: bool, fallback: str) -> tuple[list[Sentence], str]:
    """Sentences of one input file, and its language (given, detected, or the fallback)."""
    if presplit:
        lines = read_lines(path)
        lang = lang or _guess_lang(lines, fallback)
        return [Sentence(i, i, t) for i, t in enumerate(lines)], lang
    article: Article = read_article(path, lang=lang)
    lang = lang or article.lang or fallback
    article.lang = lang
    return sentences_of(article), lang


def align_paths(
    src_path: Path,
    tgt_path: Path,
    *,
    presplit: bool = False,
    src_lang: str | None = None,
    tgt_lang: str | None = None,
) -> PairAlignment:
    """Read, (split,) check and align two files."""
    src, sl = load_side(src_path, src_lang, presplit, "en")
    tgt, tl = load_side(tgt_path, tgt_lang, presplit, "ko")
    if not src:
        raise InputError(str(src_path), "no sentences")
    if not tgt:
        raise InputError(str(tgt_path), "no sentences")
    if not presplit:
        check_language(" ".join(s.text for s in src), sl, str(src_path))
        check_language(" ".join(s.text for s in tgt), tl, str(tgt_path))
    aligner = default_aligner(sl, tl)
    beads = align_sentence_lists(src, tgt, aligner, sl, tl)
    return PairAlignment(src, tgt, beads, aligner.name)


def align_folders(
    src_dir: Path,
    tgt_dir: Path,
    out_dir: Path,
    *,
    presplit: bool = False,
    src_lang: str | None = None,
    tgt_lang: str | None = None,
    output_format: str = "beads",
) -> FolderReport:
    """Align every same-named file pair; a bad pair is reported and skipped."""
    from aligner.export.atomic import atomic_write

    report = FolderReport()
    out_dir.mkdir(parents=True, exist_ok=True)
    names = sorted(p.name for p in src_dir.iterdir() if p.is_file() and not p.name.startswith("."))
    if not names:
        raise InputError(str(src_dir), "no files to align")
    for name in names:
        tgt_file = tgt_dir / name
        if not tgt_file.is_file():
            report.failures.append((str(tgt_file), "missing on the target side"))
            continue
        try:
            result = align_paths(src_dir / name, tgt_file, presplit=presplit, src_lang=src_lang,
                                 tgt_lang=tgt_lang)
        except AlignerError as exc:
            report.failures.append((name, str(exc)))
            continue
        text = format_beads(result) if output_format == "beads" else format_tsv(result)
        with atomic_write(out_dir / name) as fh:
            fh.write(text)
        report.aligned += 1
    return report


def format_beads(result: PairAlignment) -> str:
    """``[src ids]:[tgt ids]:score`` lines; the score is the bead's confidence."""
    return "".join(
        f"[{', '.join(map(str, b.src))}]:[{', '.join(map(str, b.tgt))}]:{b.confidence:.4f}\n"
        for b in result.beads
    )


def format_tsv(result: PairAlignment) -> str:
    """Aligned text with ids, type and confidence, one bead per row, with a header."""
    out = io.StringIO()
    writer = csv.writer(out, delimiter="\t", lineterminator="\n")
    writer.writerow(["src_ids", "tgt_ids", "type", "confidence", "src", "tgt"])
    for b in result.beads:
        writer.writerow([
            " ".join(map(str, b.src)), " ".join(map(str, b.tgt)), b.kind, f"{b.confidence:.4f}",
            " ".join(result.src[i].text for i in b.src), " ".join(result.tgt[j].text for j in b.tgt),
        ])
    return out.getvalue()
