"""Per-document priors: how faithful is this translation, judged from the first search.

One set of bead priors cannot suit both an edited English edition (many dropped
sentences: a sentence left alone is usually a real drop) and a faithful literary
translation (few drops: a sentence left alone usually belongs to a 1-3 or a 2-2 bead
that a sum of sentence vectors failed to see). The document itself tells which it is.
After the first search, every empty bead is joined with its neighbours and the joined
text encoded (:meth:`~aligner.align.similarity.SimilarityCosts.rejoin`); how much that
raises the cosine is its join gain. Measured on the dev data, sentences that belong to
a neighbour gain about 0 (Text+Berg: median +0.002), real drops lose about 0.07-0.12
(the edited news sets). So the share of empty beads that are really joins is the
mixing weight of a two-component model of the gains, estimated by EM, with a Beta prior
centred on the share seen on edited news and worth a few empty beads. The second search
then prices skips up and joins down by the log-odds of that share against the prior's,
up to a most (:attr:`Faithfulness.most`).

Why a light prior and a most, rather than a heavy prior: a faithful news article has 5-11
empty beads, all joins; a prior worth 20 beads held it at f 0.4-1.1, too little to price
its 1-3 and 1-4 beads in (faithful news dev: 0.614 strict F1, 0.881 with a prior worth 3).
On the news and man-page dev documents the gains themselves keep f at 0 in all but 14 of
324 (at most 1.4), and no such set's F1 moves. A long faithful document has dozens of
empty beads, and its log-odds keep growing with them (Text+Berg dev: 2.3 with the heavy
prior, 3.7 with the light one), while the prices were tuned at 2.3 and over-merge beyond
it (Text+Berg dev 0.862 at 2.3, 0.841 at 3.0, 0.772 with no most). Past that point more evidence
that a document is faithful says nothing new about how its beads should be priced.

The look is taken in two widths to keep its cost where it pays: every document gets the
narrow one (each empty bead joined with one neighbour); only where that already reads
as faithful are runs of three beads (a 1-0, 1-1, 0-1 run as one 2-2) encoded too, and
the estimate is taken again from the wider look. On the edited news this encodes 6 %
more texts than a look at 1-1 beads alone (the wide look everywhere: 38 % more).

Why not simply count the first search's skips, as an EM over the bead shapes of the
path would (Gale–Church's and hunalign's re-estimation)? Tried before: a first search
reads a faithful 1-3 as a 1-2 plus a skip, so a skip-heavy path is as likely to be a
faithful text misread as an edited one, and lowering the skip prior where the path had
many skips fed that misreading back (the hard sets fell from 0.94 to 0.76). The join
gain comes from an encoding the first search did not use, so the estimate does not
feed on its own errors.
"""

from __future__ import annotations

import math
from collections.abc import Sequence
from dataclasses import dataclass

import numpy as np


@dataclass(frozen=True)
class Faithfulness:
    """Share of a document's empty beads that are really parts of a larger bead.

    ``join_mean``/``drop_mean``/``spread``: the two components of the join gains (fitted
    on the dev data of both language pairs); ``prior_share`` and ``prior_weight``: the
    Beta prior (its mean and how many empty beads it is worth); ``most``: the largest
    :meth:`shift` (a join share of about 0.7), see the module's docstring.
    """

    join_mean: float = 0.08
    drop_mean: float = -0.04
    spread: float = 0.08
    prior_share: float = 0.2
    prior_weight: float = 3.0  # dev: 2 cost KEP hard 0.004, 5 held faithful news at 0.844
    most: float = 2.3  # dev: Text+Berg 0.843 / 0.862 / 0.854 at 2.0 / 2.3 / 2.6

    def share(self, gains: Sequence[float], iterations: int = 30) -> float:
        """The posterior-mean share of joins among the empty beads with these gains (EM)."""
        g = np.asarray([x for x in gains if np.isfinite(x)], dtype=float)
        pi = self.prior_share
        if not len(g):
            return pi
        like_join = np.exp(-0.5 * ((g - self.join_mean) / self.spread) ** 2)
        like_drop = np.exp(-0.5 * ((g - self.drop_mean) / self.spread) ** 2)
        a, b = self.prior_weight * self.prior_share, self.prior_weight * (1 - self.prior_share)
        for _ in range(iterations):
            joins = pi * like_join
            resp = joins / np.maximum(joins + (1 - pi) * like_drop, 1e-300)
            pi = (float(resp.sum()) + a) / (len(g) + a + b)
        return pi

    def shift(self, gains: Sequence[float]) -> float:
        """Log-odds of the document's join share above the prior's: 0 for a document like
        the edited news the defaults were tuned on (or one with still more drops, which
        those defaults already suit), positive for a faithful one, :attr:`most` at most."""
        pi = min(max(self.share(gains), 1e-6), 1 - 1e-6)
        shift = math.log(pi / (1 - pi)) - math.log(self.prior_share / (1 - self.prior_share))
        return min(self.most, max(0.0, shift))


@dataclass(frozen=True)
class Adaptation:
    """How the second search uses :meth:`Faithfulness.shift` (``f``): skips cost
    ``skip * f`` more, merged beads from the second look ``join * f`` less, and beads of
    four sentences or more (2-2, 1-3, ...; rare in edited news, common in a faithful
    translation) ``merge * f`` less per sentence beyond three.

    Where ``f`` reaches ``window_from``, the document is faithful enough that the
    anchor-and-window search of :mod:`aligner.align.window` aligns it too: it encodes
    every run of sentences, which prices some of a faithful translation's large beads
    better than any shift of these priors does, and misses others the engine finds, so
    where the two disagree the better by their text is kept (:mod:`aligner.align.regions`).

    The other end: a document whose path is almost all 1-1 beads (a translation made
    sentence by sentence, such as KEP's clean news, where a loose translation is still
    one line for one line) gets every other shape priced ``regular * r`` higher, ``r``
    being :meth:`regularity`, and one more search. Counting the path's shapes is safe
    here, unlike the skips of an edited text: a path is only called regular when it
    has fewer joins and skips than the prior expects, and raising their price cannot
    feed that back (it only makes the path more regular, which it already was).

    One misreading of the first search does make a line-by-line text look irregular: a
    loose line pair whose sentences the encoder finds unrelated becomes a 1-0 and a 0-1
    (three such lines in a row, three of each). With ``pair_skips`` a run of empty beads
    holding as many source as target sentences counts as that many 1-1 beads
    (:func:`paired_skips`): the path still keeps line for line there, so the document is
    judged by the rest of its path. This reads the path's shapes only where they keep
    the lines in step, and an edited text's other edits stay counted: of the 216 edited
    dev documents (both language pairs), five gain any regularity from it, 0.2 at most
    (KEP clean dev: 0.6-1.0).
    """

    faithfulness: Faithfulness = Faithfulness()
    skip: float = 0.0
    join: float = 0.0
    merge: float = 0.0
    regular: float = 0.0  # how much a document of 1-1 beads raises the price of every other shape
    regular_share: float = 0.25  # share of beads other than 1-1 in edited news (the prior's mean)
    regular_weight: float = 20.0  # what the prior is worth, in beads
    pair_skips: bool = True  # a balanced run of skips counts as 1-1 beads (see above)
    window_from: float | None = None  # faithfulness from which the anchor-and-window search aligns too
    window_whole: bool = False  # ... and its beads are kept throughout, not only where they match better
    window_temperature: float = 0.05  # its posteriors: paths weighted by exp(score / this)

    def regularity(self, shapes: Sequence[tuple[int, int]]) -> float:
        """Log-odds by which a path's share of beads other than 1-1 falls short of the prior's
        (0 when it does not): a document translated sentence by sentence."""
        paired = paired_skips(shapes) if self.pair_skips else 0
        other = sum(shape != (1, 1) for shape in shapes) - 2 * paired
        q = (other + self.regular_weight * self.regular_share) / (len(shapes) - paired + self.regular_weight)
        q0 = self.regular_share
        return max(0.0, math.log(q0 / (1 - q0)) - math.log(q / (1 - q)))

    def prior_shifts(self, f: float, shapes: Sequence[tuple[int, int]]) -> dict[tuple[int, int], float]:
        out = {}
        for a, b in shapes:
            if a == 0 or b == 0:
                out[(a, b)] = self.skip * f
            elif a + b > 3:
                out[(a, b)] = -self.merge * f * (a + b - 3)
        return out


def paired_skips(shapes: Sequence[tuple[int, int]]) -> int:
    """How many 1-1 beads the path's balanced runs of empty beads stand for: each stretch of
    consecutive 0-1 and 1-0 beads that holds as many source as target sentences (a 1-0
    beside a 0-1; three 0-1 then three 1-0) keeps line for line, and holds one 1-1 bead's
    worth of sentences per source sentence."""
    paired = balance = run = 0
    for shape in list(shapes) + [(1, 1)]:
        if 0 not in shape:
            balance = run = 0
            continue
        balance += shape[0] - shape[1]
        run += shape[0]
        if balance == 0:
            paired, run = paired + run, 0
    return paired
