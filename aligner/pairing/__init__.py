"""Which English article translates which Korean one, when no link says so.

The English edition is edited, not a literal translation: sentences are dropped, joined
and rewritten, and headlines change. So no absolute score is trusted on its own; pairing
works the way document aligners for web-crawled corpora do:

1. **Narrow the field** (``candidates``): dated articles are compared only inside a date
   window; among those, each article keeps its nearest neighbours by document vector
   (multilingual sentence encoder). 10,000 x 10,000 articles never means 10^8 comparisons.
2. **Cheap evidence** (``evidence``): similarity of titles, leads and bodies, shared
   numbers ("3만5천명" = "35,000"), Latin-script names, dates, as one log-odds.
3. **Verify by aligning** (``verify``): each article's best few candidates are aligned
   with the project's sentence aligner; the share of sentences in confident beads and
   whether the sentence matches keep their order decide.
4. **Decide relative to the alternatives** (``decide``): one-to-one, strongest first; a
   pair is taken on its probability, or as a clear mutual best (a margin over the
   runner-up on both sides), and said to be sure, or too close to call.

Entry points: ``pair_articles`` (two lists, a full report), ``find_originals`` (one answer
per English article, for ``aligner run``), ``pair_command`` (``aligner pair``). Every
tuned number is in ``options``.
"""

from aligner.pairing.candidates import DateWindow, candidate_pairs
from aligner.pairing.evidence import Evidence, PairingWeights
from aligner.pairing.folders import pair_command, read_folder
from aligner.pairing.options import PairingOptions, VerifyWeights, check_options
from aligner.pairing.pair import find_originals, pair_articles, score_candidates
from aligner.pairing.results import Candidate, OriginalMatch, PairingResult, ProposedPair, Unpaired
from aligner.pairing.signals import english_keys, latin_names, numbers_en, numbers_ko
from aligner.pairing.verify import Verification

__all__ = [
    "Candidate",
    "DateWindow",
    "Evidence",
    "OriginalMatch",
    "PairingOptions",
    "PairingResult",
    "PairingWeights",
    "ProposedPair",
    "Unpaired",
    "Verification",
    "VerifyWeights",
    "candidate_pairs",
    "check_options",
    "english_keys",
    "find_originals",
    "latin_names",
    "numbers_en",
    "numbers_ko",
    "pair_articles",
    "pair_command",
    "read_folder",
    "score_candidates",
]
