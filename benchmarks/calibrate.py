"""Fit the engine's confidence on the dev halves and report how it holds on the test halves.

A bead's confidence starts from its posterior probability when every alignment path is
weighted by exp(-cost / T). A logistic map over ``aligner.align.CONFIDENCE_FEATURES``
(the posterior, the bead's shape and cost, its neighbours' posteriors, the document's
mean bead cost, the gain from joining a 1-1 bead with an empty neighbour, the gain from
merging a bead with a neighbouring bead, the document's faithfulness) turns that into an
estimate that the bead is strictly right; T and the weights are chosen together to
minimise that estimate's log loss over the dev data of three characters
(``benchmarks/suites.py``, faithful news included).

Issue 3 asks for two things of the scale: beads at 0.9 or more are right at least 90 %
of the time, and a reviewer who looks below 0.5 finds at least 80 % of the wrong beads
while looking at no more than 15 % of all beads. Calibrated estimates cannot do the
second (too many wrong beads look like right ones), so the scale is bent: the review
point is the dev estimate below which ``REVIEW_SHARE`` of the dev beads fall, and it is
mapped to 0.5 (``aligner.align.Calibration``). The report shows what that costs.

The anchor-and-window search (``EngineParams.window_from``) makes its beads with another
model, so the beads of it the engine keeps get their own temperature and calibration,
fitted on all the beads it makes in the dev data's faithful documents (Text+Berg dev,
``faithful_news.py``'s dev half); the review point is shared, so 0.5 means the same
estimate for both.

    python -m benchmarks.calibrate                    # fit on dev, report dev and test
    python -m benchmarks.calibrate --report-only      # report the numbers in engine.py
    python -m benchmarks.calibrate --window-only --no-write
        # fit the window search's calibration alone, keep the engine's own
"""

from __future__ import annotations

import argparse
import dataclasses
import datetime as dt
import sys
from dataclasses import dataclass
from pathlib import Path

import numpy as np

from aligner.align import CONFIDENCE_FEATURES, Calibration
from aligner.align.engine import EngineParams, build_engine
from benchmarks.sections import write_section
from benchmarks.suites import DEFR, ENKO_SETS, FAITHFUL_GROUP, LangSet, suite
from benchmarks.textberg import TEXTBERG

HERE = Path(__file__).resolve().parent


SETS = ",".join(ENKO_SETS)
TEMPERATURES = (0.1, 0.15, 0.2, 0.3, 0.5)
REVIEW_SHARE = 0.145  # of the dev beads read below 0.5: half a point under the 15 % cap
EDGES = (0.0, 0.3, 0.5, 0.7, 0.8, 0.9, 0.95, 1.0001)
WINDOW_TEMPERATURES = (0.05, 0.1, 0.2)


@dataclass
class Outcomes:
    """Every predicted bead of some sets: its features, whether it is right, which set it is from,
    whether the anchor-and-window search made it (its confidence has its own calibration), and
    whether its set is a faithful translation (Text+Berg, faithful news: outside the review
    targets, which are stated for news and man pages)."""

    features: np.ndarray
    right: np.ndarray
    set_names: np.ndarray
    windowed: np.ndarray
    faithful: np.ndarray
    groups: np.ndarray  # each bead's character (``LangSet.group``)

    def part(self, mask: np.ndarray) -> Outcomes:
        return Outcomes(
            self.features[mask],
            self.right[mask],
            self.set_names[mask],
            self.windowed[mask],
            self.faithful[mask],
            self.groups[mask],
        )


def outcomes(
    temperature: float,
    sets: list[LangSet],
    window_from: float | None = None,
    window_temperature: float = 0.1,
    window_whole: bool = False,
) -> Outcomes:
    """Align with the uncalibrated engine (the anchor-and-window search's second opinion from
    ``window_from``, None: never; with ``window_whole`` its beads throughout such a document)
    and compute the calibration's features from the beads."""
    params = dataclasses.replace(
        EngineParams(),
        temperature=temperature,
        calibration=None,
        window_calibration=None,
        window_from=window_from,
        window_temperature=window_temperature,
        window_whole=window_whole,
    )
    feats, right, names, windowed, faithful, groups = [], [], [], [], [], []
    for item in sets:
        data = item.data
        aligner = build_engine(item.src_lang, item.tgt_lang, params=params)
        for src, tgt, gold in zip(data.src, data.tgt, data.gold):
            gold_set = {(tuple(s), tuple(t)) for s, t in gold}
            beads = aligner.align(src, tgt)
            feats.append(aligner.features_of(src, tgt, beads))
            right += [(b.src, b.tgt) in gold_set for b in beads]
            names += [data.name] * len(beads)
            windowed += aligner.last_windowed
            faithful += [item.group == FAITHFUL_GROUP] * len(beads)
            groups += [item.group] * len(beads)
    return Outcomes(
        np.vstack(feats),
        np.array(right, dtype=float),
        np.array(names),
        np.array(windowed, dtype=bool),
        np.array(faithful, dtype=bool),
        np.array(groups),
    )


def fit_logistic(x: np.ndarray, y: np.ndarray, l2: float = 1e-3, iterations: int = 50) -> np.ndarray:
    """Logistic regression by Newton's method (a handful of features, so no library needed)."""
    w = np.zeros(x.shape[1])
    for _ in range(iterations):
        p = 1 / (1 + np.exp(-(x @ w)))
        grad = x.T @ (p - y) + l2 * w
        hess = (x * (p * (1 - p))[:, None]).T @ x + l2 * np.eye(len(w))
        step = np.linalg.solve(hess, grad)
        w -= step
        if np.abs(step).max() < 1e-8:
            break
    return w


def log_loss(conf: np.ndarray, right: np.ndarray) -> float:
    p = np.clip(conf, 1e-4, 1 - 1e-4)
    return float(-np.mean(right * np.log(p) + (1 - right) * np.log(1 - p)))


def wrong_caught(score: np.ndarray, right: np.ndarray, share: float = 0.15) -> float:
    """Share of the wrong beads among the ``share`` of beads ranked least confident (the ranking alone)."""
    low = np.argsort(score, kind="stable")[: int(share * len(score))]
    return float((right[low] == 0).sum() / max(1, (right == 0).sum()))


def engine_beads(data: Outcomes) -> np.ndarray:
    """The beads the engine's own search made (those of the anchor-and-window search, when it is
    on, have their own calibration)."""
    return ~data.windowed


def fit(
    dev: list[LangSet], temperatures: tuple[float, ...] = TEMPERATURES, window_from: float | None = None
) -> tuple[float, Calibration]:
    """Temperature and weights with the lowest dev log loss over the engine's own beads (the review
    point comes later, from every dev bead)."""
    best = None
    for t in temperatures:
        data = outcomes(t, dev, window_from)
        data = data.part(engine_beads(data))
        w = fit_logistic(data.features, data.right)
        loss = log_loss(Calibration(tuple(w)).probability(data.features), data.right)
        print(f"T={t}: dev log loss {loss:.4f}", flush=True)
        if best is None or loss < best[0]:
            best = (loss, t, w, data)
    _, temperature, w, data = best
    return temperature, Calibration(tuple(round(float(v), 4) for v in w))


def fit_window(
    dev: list[LangSet],
    temperature: float,
    window_from: float,
    window_temperatures: tuple[float, ...] = WINDOW_TEMPERATURES,
) -> tuple[float, Calibration] | None:
    """The anchor-and-window search's posterior temperature and calibration, fitted on the beads it
    makes in the dev data's documents read as faithful (Text+Berg dev, faithful news's dev half):
    all of them, not only those the engine keeps where the two searches disagree (a few dozen,
    too few for the weights; the fit is conservative for them: see RESULTS.md)."""
    best = None
    for t in window_temperatures:
        data = outcomes(temperature, dev, window_from, t, window_whole=True)
        data = data.part(data.windowed)
        if not len(data.right):
            return None
        w = fit_logistic(data.features, data.right)
        loss = log_loss(Calibration(tuple(w)).probability(data.features), data.right)
        print(f"window T={t}: dev log loss {loss:.4f} over {len(data.right)} beads", flush=True)
        if best is None or loss < best[0]:
            best = (loss, t, w, data)
    assert best is not None
    _, window_temperature, w, data = best
    return window_temperature, Calibration(tuple(round(float(v), 4) for v in w))


def review_point(main: Calibration, window: Calibration | None, dev: Outcomes) -> float:
    """The estimate below which ``REVIEW_SHARE`` of the dev beads of news and man pages fall (each
    by its search's calibration), below 0.9 as the scale needs.

    The faithful sets are left out: the share of beads a reviewer looks at is a target stated for
    the others, and a faithful translation, wrong more often, takes its own larger share below it
    (counted in, Text+Berg's 445 beads alone would lower the point so that the news test
    halves' wrong beads below 0.5 fall from 83 % to 79 %)."""
    estimate = confidences(main, window, dev.part(~dev.faithful), bent=False)
    return min(round(float(np.quantile(estimate, REVIEW_SHARE)), 4), 0.899)


def confidences(main: Calibration, window: Calibration | None, data: Outcomes, bent: bool = True) -> np.ndarray:
    """What each bead reports (``bent``) or its calibrated estimate: by the calibration of the search that made it."""

    def apply(calibration: Calibration, x: np.ndarray) -> np.ndarray:
        return calibration(x) if bent else calibration.probability(x)

    out = apply(main, data.features)
    if window is not None and data.windowed.any():
        out[data.windowed] = apply(window, data.features[data.windowed])
    return out


def ablation(temperature: float, dev: Outcomes, test: Outcomes) -> list[str]:
    """What each feature adds: refit without it, compare log loss and the wrong beads caught at 15 %."""
    lines = [
        "| features | dev log loss | test log loss | dev wrong in lowest 15 % | test wrong in lowest 15 % |",
        "|---|---|---|---|---|",
    ]
    k = len(CONFIDENCE_FEATURES)
    variants = [("posterior only", [0, 1]), ("all", list(range(k)))]
    variants += [(f"all but {CONFIDENCE_FEATURES[j]}", [i for i in range(k) if i != j]) for j in range(2, k)]
    for label, cols in variants:
        w = fit_logistic(dev.features[:, cols], dev.right)
        row = [label]
        scores = [1 / (1 + np.exp(-(o.features[:, cols] @ w))) for o in (dev, test)]
        row += [f"{log_loss(s, o.right):.4f}" for s, o in zip(scores, (dev, test))]
        row += [f"{wrong_caught(s, o.right):.3f}" for s, o in zip(scores, (dev, test))]
        lines.append("| " + " | ".join(row) + " |")
    return lines


def reliability(conf: np.ndarray, right: np.ndarray) -> list[str]:
    lines = ["| confidence | beads | right | mean confidence |", "|---|---|---|---|"]
    for lo, hi in zip(EDGES, EDGES[1:]):
        mask = (conf >= lo) & (conf < hi)
        if mask.any():
            lines.append(
                f"| {lo:.2f}–{min(hi, 1.0):.2f} | {int(mask.sum()):,} | {right[mask].mean():.3f} | "
                f"{conf[mask].mean():.3f} |"
            )
    return lines


POOLED = "**news and man pages**"  # the row over every set but the faithful ones


def checks(conf: np.ndarray, right: np.ndarray, names: np.ndarray, sets: list[str], pooled: np.ndarray) -> list[str]:
    """Per set, and pooled over the beads of ``pooled`` (the sets the review targets are stated for):
    beads, wrong beads, the shares below 0.5 and 0.9, accuracy at 0.9 and up."""
    lines = [
        "| set | beads | wrong | beads < 0.5 | wrong < 0.5 | beads < 0.9 | wrong < 0.9 | right at ≥ 0.9 |",
        "|---|---|---|---|---|---|---|---|",
    ]
    for name in sets + [POOLED]:
        mask = pooled if name == POOLED else names == name
        c, r = conf[mask], right[mask]
        wrong = r == 0
        cells = [
            f"{int(mask.sum()):,}",
            f"{int(wrong.sum())}",
            f"{(c < 0.5).mean():.3f}",
            f"{(c[wrong] < 0.5).mean():.3f}" if wrong.any() else "–",
            f"{(c < 0.9).mean():.3f}",
            f"{(c[wrong] < 0.9).mean():.3f}" if wrong.any() else "–",
            f"{r[c >= 0.9].mean():.3f}",
        ]
        lines.append(f"| {name} | " + " | ".join(cells) + " |")
    return lines


def report(
    temperature: float,
    calibration: Calibration,
    dev: Outcomes,
    test: Outcomes,
    sets: list[str],
    window: Calibration | None = None,
    window_from: float | None = None,
) -> str:
    every = {"dev": dev, "test": test}
    conf_every = {split: confidences(calibration, window, o) for split, o in every.items()}
    # the pooled figures are over the news and man pages, which the review targets are stated for
    conf = {split: conf_every[split][~o.faithful] for split, o in every.items()}
    estimate = {split: confidences(calibration, window, o.part(~o.faithful), bent=False) for split, o in every.items()}
    dev_right = dev.right[~dev.faithful]
    t_all = test.right[~test.faithful]
    wrong = t_all == 0
    at_review = np.abs(estimate["test"] - calibration.review_point) < 0.05
    lines = [
        "## Confidence",
        "",
        f"`python -m benchmarks.calibrate` ({dt.date.today().isoformat()}): temperature {temperature} and a "
        f"logistic map with {len(CONFIDENCE_FEATURES)} weights over the bead's posterior logit, whether it is empty or "
        "joins sentences, its cost, the lowest posterior logit among it and its two neighbours, the "
        "document's mean bead cost, and the join gain (how much better a 1-1 bead and its 0-1 or 1-0 neighbour "
        "match when their joined text is encoded as one sentence) and the merge gain (how much better a bead "
        "matches merged with a neighbouring bead than the weaker of the two alone, from summed sentence vectors), "
        "and the document's faithfulness f as the second look read it (0 on a document like the edited news), "
        "alone and times the posterior logit; "
        "fitted on dev data of three characters "
        "(log loss of strict correctness): the dev halves of the six English–Korean news sets, of the three "
        "German–French man-page proxy sets (`benchmarks/build_defr.py`), and two faithful translations: the "
        "Text+Berg German–French dev document (literary; it has no test half here, so its row is a dev figure) "
        "and the dev half of faithful news (`benchmarks/faithful_news.py`, NTREX's lines joined into a faithful "
        "translation's larger beads); "
        + (
            f"the anchor-and-window search's second opinion from a faithfulness of {window_from}, the beads of it the "
            "engine keeps with their own posterior temperature and calibration, fitted on all its beads in the dev "
            "data's faithful documents; "
            if window_from is not None
            else ""
        )
        + f"the review point ({calibration.review_point}, the estimate below which {REVIEW_SHARE:.1%} of the dev "
        "beads of news and man pages fall) reads 0.5. The review targets are stated for news, so the pooled "
        "figures are over the news and man-page test halves "
        f"({len(t_all):,} predicted beads, {int(wrong.sum())} wrong) unless marked dev; the faithful sets have "
        "their own rows. Numbers in `aligner/align/engine.py`.",
        "",
        "**What the number means.** From 0.9 up, confidence is the chance that the bead is right. Below 0.9 it "
        "is bent towards the review mark and understates that chance: a bead that reads 0.5 is, by the "
        f"calibrated estimate, right about {calibration.review_point:.0%} of the time (test beads whose estimate "
        f'is within 0.05 of it: {t_all[at_review].mean():.0%} right). Below 0.5 does not mean "probably wrong": '
        f'{t_all[conf["test"] < 0.5].mean():.0%} of the test beads there are right. It means "worth a look": '
        f"{(conf['test'][wrong] < 0.5).mean():.0%} of the wrong beads are there, in "
        f"{(conf['test'] < 0.5).mean():.1%} of all beads. So: 0.9 and up, trust; 0.5–0.9, right more often than "
        "the number says; below 0.5, look. Filtering an export at 0.5 now drops about that share of beads, most "
        "of them right; to keep only trusted beads, filter at 0.9. "
        f"{((conf['test'] >= 0.5) & (conf['test'] < 0.9)).mean():.1%} of the test beads read between 0.5 and 0.9: "
        "the closer the review point is to 0.9, the fewer, and at 0.9 every bead not trusted is one to look at.",
        "",
        "Reliability on the test halves (confidence as reported):",
        "",
        *reliability(conf["test"], t_all),
        "",
        "The calibrated estimate before the scale is bent (test halves), for comparison:",
        "",
        *reliability(estimate["test"], t_all),
        "",
        "Targets per set, test halves:",
        "",
        *checks(
            conf_every["test"], test.right, test.set_names, [n for n in sets if n in test.set_names], ~test.faithful
        ),
        "",
        "Dev halves (what was fitted):",
        "",
        *checks(conf_every["dev"], dev.right, dev.set_names, sets, ~dev.faithful),
        "",
    ]
    tw = conf["test"][wrong]
    lines += [
        f"- beads with confidence ≥ 0.9 (test): {int((conf['test'] >= 0.9).sum()):,}, of which right: "
        f"{t_all[conf['test'] >= 0.9].mean():.3f} (target ≥ 0.90: {_met(t_all[conf['test'] >= 0.9].mean() >= 0.9)})",
        f"- wrong beads with confidence < 0.5 (test): {(tw < 0.5).mean():.3f} of {len(tw)} "
        f"(target ≥ 0.80: {_met((tw < 0.5).mean() >= 0.8)})",
        f"- all beads with confidence < 0.5 (test): {(conf['test'] < 0.5).mean():.3f} "
        f"(target ≤ 0.15: {_met((conf['test'] < 0.5).mean() <= 0.15)})",
        f"- a reviewer who wanted 80 % of the wrong test beads would have to look at the lowest "
        f"{_share_for(conf['test'], t_all, 0.8):.1%} of beads (dev: {_share_for(conf['dev'], dev_right, 0.8):.1%})",
        f"- log loss of the calibrated estimate: dev {log_loss(estimate['dev'], dev_right):.4f}, "
        f"test {log_loss(estimate['test'], t_all):.4f}",
        "",
        'What each feature gives (refit without it; "wrong in lowest 15 %" ranks beads by the estimate, so it '
        "measures the ranking whatever the scale):",
        "",
        *ablation(temperature, dev.part(engine_beads(dev)), test.part(engine_beads(test))),
        "",
        "Before the join gain and the engine's second look at joins, the commonest confident error was a "
        "join the search had split: a sentence matched to the half of its translation that carries most of the "
        "meaning, the other half left as a 0-1 or 1-0 bead, both sure by every measure the search has. A sum of "
        "sentence vectors dilutes the short half; encoding the joined text as one sentence does not. The second "
        "search now mends many of these (277 wrong test beads became 252), and the join gain marks most of the "
        "rest: together they raised the share of wrong test beads below 0.5 from 77 % to 84 % (counted when "
        "this was written). The merge gain (issue 13) aims at the commonest sure error left on faithful text: a "
        "2-2 or 3-3 bead read as two or three sure 1-1 beads, each half matching well enough; merged, the pair "
        "matches its weaker half far better than two true 1-1 beads do. It lowered the log loss on dev and test "
        "and lifted the wrong ntrex-edited test beads below 0.5 from 68 % to 82 % (fitted at T = 0.3, counted "
        "when this was written). "
        "The document's faithfulness (issue 13) is for the faithful translations: the same posterior is wrong "
        "more often there, where more beads are large and their shapes are priced by an estimate. Added to the "
        "features and fitted with faithful news's dev half, it lifted the beads right at 0.9 or more on the "
        "Text+Berg dev document from 0.896 to 0.941 and on faithful news's test half (held out) from 0.935 to "
        "0.968; faithful news's wrong test beads below 0.5 went from 65 % to 89 %, with 51 % of its beads there "
        "(31 % before). The news and man-page test halves' log loss fell from 0.1046 to 0.1016, and the review "
        "point rose from 0.876 to 0.899 (counted when this was written). "
        "Also measured and left out (one-off scripts over the same halves; none "
        "moved the wrong beads in the lowest 15 % of dev by more than noise, one bead being 0.4 %): the "
        "posterior mass of other beads that start or end where this one does, the cost margin to the best bead "
        "of the same shape in the same row or column, the length-ratio, similarity and anchor parts of the "
        "cost, whether a neighbour is empty or joins sentences, each neighbour's posterior on its own, the gap "
        "between a 1-1 bead's cosine and the next best in its row and column, the gain from joining computed "
        "from summed vectors instead of an encoding of the joined text, the position in the document, the "
        "posterior at a second temperature, the share of 1-1 beads in the document, a second opinion from "
        "multilingual-e5, agreement with re-priced searches, gradient-boosted trees over all of these instead "
        "of the logistic map (they fit dev far better and test no better), fitting on four more random "
        "editions of the dev documents, and (issue 13) the share of a document's beads below a posterior of 0.5 "
        "(a per-document normalisation: log loss unchanged) and the merge gain from an encoding of the merged "
        "text instead of summed vectors (about twice the encoder work; it ranked the sure wrong beads of the dev "
        "halves better on some sets and worse on others: AUC on Text+Berg 0.80 against 0.73, on kep-edited 0.79 "
        "against 0.83).",
        "",
    ]
    return "\n".join(lines)


HELD_OUT = "## Confidence on a character it was not fitted on"


def held_out(main: Calibration, window: Calibration | None, fit_data: Outcomes, dev: Outcomes, test: Outcomes) -> str:
    """The calibration refitted without one character's dev data, applied to that character's
    sets, beside the calibration as it is (fitted on all three): what a new kind of text may
    expect of the scale. ``fit_data`` is what :func:`fit` fits on (the engine's beads with no
    second opinion asked); the review point comes from the other characters' news and man-page
    dev beads, as :func:`review_point` does. Held out, faithful translation has no calibration
    for the window search's beads (it is fitted on faithful documents), so they get the refitted
    one."""
    lines = [
        HELD_OUT,
        "",
        f"`python -m benchmarks.calibrate --held-out` ({dt.date.today().isoformat()}): for each character of the "
        "dev data (English–Korean news, German–French man pages, faithful translation), the calibration "
        "refitted as `calibrate.py` fits it, without that character's dev beads, and its review point taken "
        "from the other characters' news and man-page dev beads; then read on that character's sets, dev and "
        "test, beside the calibration in `aligner/align/engine.py` (fitted with it). A character the scale "
        "was never fitted on is what a user's new kind of text is, so the second figure of each pair is the "
        "one to expect there. Each cell: as shipped / held out.",
        "",
        "| set | half | beads | wrong | right at ≥ 0.9 | beads at ≥ 0.9 | wrong < 0.5 | beads < 0.5 |",
        "|---|---|---|---|---|---|---|---|",
    ]
    for group in dict.fromkeys(fit_data.groups.tolist()):
        keep = fit_data.groups != group
        refit = Calibration(tuple(float(v) for v in fit_logistic(fit_data.features[keep], fit_data.right[keep])))
        win = None if group == FAITHFUL_GROUP else window
        point = review_point(refit, win, dev.part(dev.groups != group))
        refit = Calibration(refit.weights, point)
        win = Calibration(win.weights, point) if win is not None else None
        for split, data in (("dev", dev), ("test", test)):
            for name in dict.fromkeys(data.set_names[data.groups == group].tolist()):
                part = data.part(data.set_names == name)
                right, wrong = part.right, part.right == 0
                shipped, refitted = confidences(main, window, part), confidences(refit, win, part)
                cells = zip(_cells(shipped, right), _cells(refitted, right))
                lines.append(
                    f"| {name} | {split} | {len(right):,} | {int(wrong.sum())} | "
                    + " | ".join(f"{a} / {b}" for a, b in cells)
                    + " |"
                )
    return "\n".join(lines) + "\n"


def _cells(conf: np.ndarray, right: np.ndarray) -> list[str]:
    """Right at 0.9 or more, the share of beads there, the share of wrong beads below 0.5, the
    share of beads below 0.5."""
    sure, wrong = conf >= 0.9, right == 0
    return [
        f"{right[sure].mean():.3f}" if sure.any() else "–",
        f"{sure.mean():.2f}",
        f"{(conf[wrong] < 0.5).mean():.2f}" if wrong.any() else "–",
        f"{(conf < 0.5).mean():.2f}",
    ]


def _share_for(conf: np.ndarray, right: np.ndarray, caught: float) -> float:
    """Smallest share of beads, least confident first, that holds ``caught`` of the wrong ones."""
    wrong_so_far = np.cumsum(right[np.argsort(conf, kind="stable")] == 0)
    return float((np.searchsorted(wrong_so_far, caught * wrong_so_far[-1]) + 1) / len(conf))


def _met(ok: bool) -> str:
    return "met" if ok else "not met"


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--sets", default=SETS)
    parser.add_argument(
        "--defr",
        type=Path,
        default=DEFR,
        help="German–French proxy sets (default: %(default)s; left out with a message when not built)",
    )
    parser.add_argument("--textberg", type=Path, default=TEXTBERG, help="Text+Berg dev folder (default: %(default)s)")
    parser.add_argument(
        "--temperature",
        type=float,
        help=f"fit at this temperature only (default: the one of {TEMPERATURES} with the lowest dev log loss)",
    )
    parser.add_argument("--only-enko", action="store_true", help="fit on the English–Korean sets alone (as before)")
    parser.add_argument("--report-only", action="store_true", help="skip fitting; report the numbers in engine.py")
    parser.add_argument(
        "--window-from",
        type=float,
        default=EngineParams().window_from,
        help="faithfulness from which the anchor-and-window search gives a second opinion (default:"
        " engine.py's, %(default)s); the beads of it the engine keeps get their own calibration",
    )
    parser.add_argument(
        "--window-only",
        action="store_true",
        help="keep the engine's calibration in engine.py; fit only the anchor-and-window search's",
    )
    parser.add_argument(
        "--window-temperature",
        type=float,
        help="fit the anchor-and-window search's calibration"
        f" at this temperature only (default: the one of {WINDOW_TEMPERATURES} with the lowest dev log"
        " loss)",
    )
    parser.add_argument(
        "--held-out",
        action="store_true",
        help="report the numbers in engine.py beside a calibration refitted without each character in turn"
        f" ({HELD_OUT[3:]!r})",
    )
    parser.add_argument("--results", type=Path, default=HERE / "RESULTS.md")
    parser.add_argument("--no-write", action="store_true", help="print the section, do not write RESULTS.md")
    args = parser.parse_args(argv)
    enko = tuple(args.sets.split(","))
    others = {} if args.only_enko else {"defr": args.defr, "textberg": args.textberg}
    if not args.only_enko and not (args.defr / "manifest.json").is_file():
        print(
            f"{args.defr}: no German–French proxy sets (python -m benchmarks.build_defr); fitting without them",
            file=sys.stderr,
        )
    p = EngineParams()
    window_from = args.window_from
    windowing = window_from is not None  # the anchor-and-window search is on, with its own calibration
    dev_sets = suite("dev", enko, **others, faithful=True) if others else suite("dev", enko, None, None)
    test_sets = suite("test", enko, **others, faithful=True) if others else suite("test", enko, None, None)
    names = [item.data.name for item in dev_sets]
    window_temperature = p.window_temperature
    window = Calibration(p.window_calibration, p.window_review_point) if windowing and p.window_calibration else None
    if args.held_out:
        main_calibration = Calibration(p.calibration, p.review_point)
        section = held_out(
            main_calibration,
            window,
            outcomes(p.temperature, dev_sets, None),  # what fit() fits on
            outcomes(p.temperature, dev_sets, window_from, window_temperature),
            outcomes(p.temperature, test_sets, window_from, window_temperature),
        )
        print(section)
        if not args.no_write:
            write_section(args.results, section)
        return 0
    if args.report_only or args.window_only:
        temperature, calibration = p.temperature, Calibration(p.calibration, p.review_point)
    else:
        # the engine's calibration is fitted on its own search's beads with no second opinion asked
        # (the beads it keeps are the same but where the window search's win): refitted on the beads
        # it keeps, it held worse at 0.9 on dev (RESULTS.md, "The window search's second opinion")
        temperature, calibration = fit(dev_sets, (args.temperature,) if args.temperature else TEMPERATURES, None)
    if windowing and not args.report_only:
        window = None
        found = fit_window(
            dev_sets,
            temperature,
            window_from,
            (args.window_temperature,) if args.window_temperature else WINDOW_TEMPERATURES,
        )
        if found is not None:
            window_temperature, window = found
    dev = outcomes(temperature, dev_sets, window_from, window_temperature)
    test = outcomes(temperature, test_sets, window_from, window_temperature)
    if args.window_only and window is not None:
        point = calibration.review_point
        window = Calibration(window.weights, point)
        print(f"window_temperature={window_temperature}\nwindow_calibration={window.weights}\n", flush=True)
    elif not args.report_only:
        point = review_point(calibration, window, dev)
        calibration = Calibration(calibration.weights, point)
        window = Calibration(window.weights, point) if window is not None else None
        print(
            f"temperature={temperature}\ncalibration={calibration.weights}\nreview_point={point}\n"
            + (f"window_temperature={window_temperature}\nwindow_calibration={window.weights}\n" if window else ""),
            flush=True,
        )
    section = report(temperature, calibration, dev, test, names, window, window_from)
    print(section)
    if not args.no_write:
        write_section(args.results, section)
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
