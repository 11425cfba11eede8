"""Fit the engine's confidence temperature on dev data and report reliability on test.

A bead's confidence is its posterior probability when every alignment path is weighted
by exp(-cost / T). T is the one knob that makes those probabilities honest: here it is
chosen to minimise the log loss of "this bead is strictly right" over the dev halves,
then the test halves give the reliability table (confidence bins against the share of
beads that are right) and the two checks a reviewer relies on.

    python benchmarks/calibrate.py            # fit on dev, report on test
    python benchmarks/calibrate.py --temperature 0.5   # report only
"""

from __future__ import annotations

import argparse
import dataclasses
import sys
from pathlib import Path

import numpy as np

HERE = Path(__file__).resolve().parent
for p in (str(HERE.parent), str(HERE)):
    if p not in sys.path:
        sys.path.insert(0, p)

from aligner.align import confidence_features  # noqa: E402
from aligner.align.engine import EngineParams, build_engine  # noqa: E402
from run import EvalSet, load_set  # noqa: E402

SETS = "ntrex-clean,ntrex-edited,ntrex-hard,kep-clean,kep-edited,kep-hard"


def outcomes(params: EngineParams, sets: list[EvalSet]) -> tuple[np.ndarray, np.ndarray, np.ndarray]:
    """Confidence of every predicted bead, whether it is in the gold (strict), and its features."""
    aligner = build_engine(params=params)
    conf, right, feats = [], [], []
    for data in sets:
        for src, tgt, gold in zip(data.src, data.tgt, data.gold):
            gold_set = {(tuple(s), tuple(t)) for s, t in gold}
            raw = build_engine(params=dataclasses.replace(params, calibration=None)).align(src, tgt) \
                if params.calibration else None
            for k, bead in enumerate(aligner.align(src, tgt)):
                conf.append(bead.confidence)
                right.append((bead.src, bead.tgt) in gold_set)
                posterior = raw[k].confidence if raw else bead.confidence
                feats.append(confidence_features(posterior, len(bead.src), len(bead.tgt), -bead.score))
    return np.array(conf), np.array(right, dtype=float), np.array(feats)


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


def reliability(conf: np.ndarray, right: np.ndarray) -> str:
    edges = [0.0, 0.3, 0.5, 0.7, 0.8, 0.9, 0.95, 1.0001]
    lines = ["| confidence | beads | right | mean confidence |", "|---|---|---|---|"]
    for lo, hi in zip(edges, edges[1:]):
        mask = (conf >= lo) & (conf < hi)
        if mask.any():
            lines.append(f"| {lo:.2f}–{min(hi, 1.0):.2f} | {int(mask.sum())} | {right[mask].mean():.3f} | "
                         f"{conf[mask].mean():.3f} |")
    high = conf >= 0.9
    wrong = right == 0
    lines.append("")
    lines.append(f"- beads with confidence ≥ 0.9: {int(high.sum())}, of which right: "
                 f"{right[high].mean():.3f} (target ≥ 0.90)")
    lines.append(f"- wrong beads with confidence < 0.5: {(conf[wrong] < 0.5).mean():.3f} of "
                 f"{int(wrong.sum())} (target ≥ 0.80)")
    lines.append(f"- all beads with confidence < 0.5: {(conf < 0.5).mean():.3f} of {len(conf)} (target ≤ 0.15)")
    return "\n".join(lines)


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--sets", default=SETS)
    parser.add_argument("--temperature", type=float, help="skip fitting; report this temperature")
    args = parser.parse_args(argv)
    names = args.sets.split(",")
    base = dataclasses.replace(EngineParams(), calibration=None)
    if args.temperature is None:
        dev = [load_set(n, "dev") for n in names]
        best = None
        for t in [0.1, 0.15, 0.2, 0.3, 0.5, 1.0]:
            conf, right, feats = outcomes(dataclasses.replace(base, temperature=t), dev)
            loss = log_loss(conf, right)
            print(f"T={t}: dev log loss {loss:.4f}", flush=True)
            if best is None or loss < best[1]:
                best = (t, loss, right, feats)
        temperature, _, right, feats = best
        weights = tuple(round(float(v), 4) for v in fit_logistic(feats, right))
        print(f"calibration={weights}")
    else:
        temperature, weights = args.temperature, EngineParams().calibration
    test = [load_set(n, "test") for n in names]
    params = dataclasses.replace(base, temperature=temperature, calibration=weights)
    conf, right, _ = outcomes(params, test)
    print(f"\nTemperature {temperature}, calibration {weights}; test halves of {', '.join(names)}\n")
    print(reliability(conf, right))
    print(f"\nlog loss {log_loss(conf, right):.4f}")
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
