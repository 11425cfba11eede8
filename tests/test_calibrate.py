"""benchmarks/calibrate.py's review point and per-set checks (the faithful sets have their own
rows and take no part in the pooled figures or the review point, which are stated for news),
and the beads the window search's calibration is fitted on."""

from __future__ import annotations

import numpy as np

from aligner.align import CONFIDENCE_FEATURES, Calibration
from tests.scripts import load_script

calibrate = load_script("calibrate")
POSTERIOR_ONLY = Calibration(tuple(1.0 if name == "posterior" else 0.0 for name in CONFIDENCE_FEATURES))


def _outcomes(estimates: list[float], right: list[int], names: list[str], faithful: list[bool], groups=None):
    """Beads whose calibrated estimate is ``estimates`` under :data:`POSTERIOR_ONLY` (each set its
    own character unless ``groups`` says otherwise)."""
    p = np.clip(np.asarray(estimates, dtype=float), 1e-4, 1 - 1e-4)
    features = np.zeros((len(p), len(CONFIDENCE_FEATURES)))
    features[:, CONFIDENCE_FEATURES.index("bias")] = 1.0
    features[:, CONFIDENCE_FEATURES.index("posterior")] = np.log(p / (1 - p))
    return calibrate.Outcomes(
        features,
        np.asarray(right, dtype=float),
        np.asarray(names),
        np.zeros(len(p), bool),
        np.asarray(faithful),
        np.asarray(names if groups is None else groups),
    )


def test_the_review_point_is_read_from_the_news_beads_alone():
    news = list(np.linspace(0.5, 0.999, 200))
    faithful = [0.3] * 100  # a faithful document, wrong more often: many low estimates
    data = _outcomes(news + faithful, [1] * 300, ["news"] * 200 + ["faithful"] * 100, [False] * 200 + [True] * 100)
    point = calibrate.review_point(POSTERIOR_ONLY, None, data)
    assert point == round(float(np.quantile(news, calibrate.REVIEW_SHARE)), 4)
    assert point > 0.5  # counted in, the faithful beads would have pulled it down to 0.3
    everything = calibrate.Outcomes(
        data.features, data.right, data.set_names, data.windowed, np.zeros(300, bool), data.groups
    )
    assert calibrate.review_point(POSTERIOR_ONLY, None, everything) == 0.3


def test_the_pooled_row_leaves_the_faithful_sets_out():
    conf = np.array([0.95, 0.95, 0.4, 0.95, 0.3, 0.3])
    right = np.array([1, 1, 0, 1, 0, 1])
    names = np.array(["news", "news", "news", "faithful", "faithful", "faithful"])
    faithful = names == "faithful"
    lines = calibrate.checks(conf, right, names, ["news", "faithful"], ~faithful)
    rows = {line.split(" | ")[0].strip("| "): line.split(" | ")[1:] for line in lines[2:]}
    assert rows[calibrate.POOLED][:2] == ["3", "1"]  # beads and wrong beads of the news alone
    assert rows["faithful"][:2] == ["3", "1"]
    assert rows[calibrate.POOLED][2] == "0.333"  # share of beads below 0.5


def test_a_held_out_character_is_read_by_a_calibration_fitted_without_it():
    """Character a: a posterior of 0.95 is right 95 % of the time; character b: the same posterior
    is right half the time. Fitted without b, the scale trusts b's beads (all at 0.9 or more, half
    of them wrong); fitted with b, it would not; the calibration shipped here trusts none."""
    sure, shaky = 0.95, 0.27
    a = ([sure] * 100, [1] * 95 + [0] * 5), ([shaky] * 100, [1] * 20 + [0] * 80)
    estimates = a[0][0] + a[1][0] + [sure] * 100
    right = a[0][1] + a[1][1] + [1] * 50 + [0] * 50
    names = ["a"] * 200 + ["b"] * 100
    data = _outcomes(estimates, right, names, [False] * 300)
    shipped = Calibration(tuple(0.5 if name == "posterior" else 0.0 for name in CONFIDENCE_FEATURES), 0.5)
    lines = calibrate.held_out(shipped, None, data, data, data)
    rows = {
        tuple(line.split(" | ")[:2]): line.split(" | ")[2:] for line in lines.splitlines() if line.startswith("| b ")
    }
    beads, wrong, right_sure, at_sure = rows[("| b", "dev")][:4]
    assert (beads, wrong) == ("100", "50")
    assert at_sure == "0.00 / 1.00"  # shipped: sigmoid(0.5 x logit 0.95) = 0.82; held out: about 0.95
    assert right_sure == "– / 0.500"
    # fitted with b as well, a posterior of 0.95 would read (95 + 50) / 200 right: below 0.9
    both = calibrate.fit_logistic(data.features, data.right)
    assert 1 / (1 + np.exp(-(data.features[-1] @ both))) < 0.9


def test_the_window_search_calibration_is_fitted_on_all_its_beads_not_the_few_kept():
    """The engine keeps the window search's beads only where they match better, too few to fit
    its calibration's weights on; ``window_whole`` gives the fit every bead the search makes
    in a document read as faithful, while the default marks just the beads kept."""
    import json

    from aligner.align.engine import build_engine
    from aligner.align.window import AnchorWindow
    from tests.conftest import ROOT

    root = ROOT / "corpora" / "eval"
    halves = json.loads((root / "manifest.json").read_text(encoding="utf-8"))["splits"]["ntrex"]
    ids = sorted(d for d, half in halves.items() if half == "dev")[15:18]
    src, tgt, gold = load_script("faithful_news").faithful_news(ids, root)
    data = load_script("run").EvalSet("faithful-news", ["+".join(ids)], [src], [tgt], [gold])
    sets = [load_script("suites").LangSet(data, group="faithful")]
    kept = calibrate.outcomes(0.3, sets, 1.6, 0.05)
    whole = calibrate.outcomes(0.3, sets, 1.6, 0.05, window_whole=True)
    assert 0 < kept.windowed.sum() < len(kept.windowed)
    window = AnchorWindow(build_engine().signals[1].encode).align(src, tgt)
    assert whole.windowed.all() and len(whole.right) == len(window)
    assert whole.features.shape == (len(window), len(CONFIDENCE_FEATURES))
