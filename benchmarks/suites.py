"""The dev and test data of three characters that tuning and calibration look at together.

- English–Korean news (``corpora/eval``): six sets, clean, edited and hard; dev and test halves.
- German–French man pages (``benchmarks/work/eval-defr``, built by ``build_defr.py``, not
  committed): a proxy with the same three editions; dev and test halves.
- Text+Berg German–French (``../shared/data/textberg-dev``): a faithful literary translation;
  one development document, GPL-2.0, read in place. Its test documents are measured
  outside the project, so it appears in the dev suite only.
- Faithful news (``faithful_news.py``): NTREX's English–Korean lines joined into the
  larger beads of a faithful translation, 20 documents a half, so that a setting for
  faithful text is not fitted to the one Text+Berg document. Counted with Text+Berg as
  one character (faithful translation).

A setting tuned on one character alone (the edited news) fails on the others; these
scripts weigh each character equally (the mean over the three groups' mean strict F1).
"""

from __future__ import annotations

from dataclasses import dataclass
from pathlib import Path

from benchmarks.faithful_news import load_faithful_news
from benchmarks.run import EvalSet, load_set
from benchmarks.textberg import TEXTBERG, load_textberg

HERE = Path(__file__).resolve().parent
DEFR = HERE / "work" / "eval-defr"
ENKO_SETS = ("ntrex-clean", "ntrex-edited", "ntrex-hard", "kep-clean", "kep-edited", "kep-hard")
DEFR_SETS = ("defr-clean", "defr-edited", "defr-hard")
FAITHFUL_GROUP = "faithful"  # the character of Text+Berg and faithful news: faithful translation


@dataclass
class LangSet:
    """An evaluation set, the languages it is aligned in, and the group (character) it belongs to."""

    data: EvalSet
    src_lang: str = "en"
    tgt_lang: str = "ko"
    group: str = "en-ko news"


def suite(
    split: str,
    enko: tuple[str, ...] = ENKO_SETS,
    defr: Path | None = DEFR,
    textberg: Path | None = TEXTBERG,
    faithful: bool = False,
) -> list[LangSet]:
    """The sets of ``split`` (dev or test); ``defr``/``textberg`` None (or missing) or ``faithful``
    False leaves them out.

    Text+Berg has only a dev document, so it is in the dev suite only.
    """
    out = [LangSet(load_set(name, split)) for name in enko]
    if defr is not None and (defr / "manifest.json").is_file():
        out += [LangSet(load_set(name, split, defr), "de", "fr", "de-fr man pages") for name in DEFR_SETS]
    if textberg is not None and split == "dev" and (textberg / "dev.defr").is_file():
        out.append(LangSet(load_textberg(textberg), "de", "fr", FAITHFUL_GROUP))
    if faithful:
        out.append(LangSet(load_faithful_news(split), group=FAITHFUL_GROUP))
    return out
