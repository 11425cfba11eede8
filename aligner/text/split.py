"""Sentence splitting for English (pysbd), Korean (Kiwi) and other languages (pysbd).

The libraries decide; a few small rules then repair their known failure modes on news
text (each rule below says what it fixes, with an example). Splitting only ever chooses
*cut points* in the paragraph, and sentences are the text between cuts with the
surrounding whitespace trimmed, so no character is lost, added or changed: joining the
sentences with the whitespace that was between them gives back the (stripped) paragraph.

The library's own output is mapped back onto the paragraph by counting non-whitespace
characters, which stays exact even when a library trims or re-spaces what it returns.

Quotations: a quote that holds several sentences is split into them (``He said: "We
came.`` | ``We saw."``), the way Kiwi splits Korean quotes and translators split long
quotations, so both sides of a pair are cut alike; quote marks stay with the sentence
they open or close, and a quote followed by a bare speech tag (``"Stop!" Kim said.``,
``“…” 트럼프가 말했다.``) or a Korean quotative particle (``"…!"라며``) is one sentence.
"""

from __future__ import annotations

import re
from collections.abc import Callable, Iterable, Sequence
from functools import lru_cache

import pysbd
from pysbd.lang.english import English as EnglishRules
from pysbd.languages import LANGUAGE_CODES as PYSBD_LANGUAGES

from aligner.model import Sentence
from aligner.text.tokenize import get_kiwi, primary_lang

Span = tuple[int, int]
#: A repair rule: given the paragraph and two neighbouring spans, should they be one sentence?
MergeRule = Callable[[str, Span, Span], bool]

# -- characters and patterns ----------------------------------------------------------

_CLOSERS = "\"'”’»)]}」』〉》"
_FINAL = ".!?…。！？"
#: A paragraph whose only sentence-final marks sit at its very end is one sentence.
_INNER_CANDIDATE = re.compile(rf"[{re.escape(_FINAL)}\n]")
_TRAILING_FINAL = _FINAL + _CLOSERS + " \t\n\r\f\v\u00a0\u3000"
_HAS_WORD = re.compile(r"\w")
_LIST_NUMBER = re.compile(r"^\(?\d{1,3}[.)]$")
_ENDS_WITH_CLOSING_QUOTE = re.compile(r"[\"'”’»」』]$")
_STARTS_LOWER = re.compile(r"^[\"'“‘(\[]*[a-z]")
_STARTS_CONTINUATION = re.compile(r"^(?:[\"'”’)\]]*[,;:]|[\"'“‘(\[]*[a-z])")
_STARTS_DIGIT = re.compile(r"^[\"'“‘(\[]*\d")
_STARTS_UPPER = re.compile(r"^[\"'“‘(\[]*[A-Z]")

# English abbreviations. Titles come before a name and never end a sentence; the
# "numbered" ones and month names come before a number; the others may end a sentence, so
# they only join the next piece when it clearly continues (lower case or a digit).
_TITLES = (
    "Mr|Mrs|Ms|Messrs|Mmes|Dr|Prof|Gen|Lt|Col|Capt|Cmdr|Adm|Maj|Sgt|Cpl|Pvt|Sen|Rep|Gov|"
    "Pres|Rev|Hon|Supt|Insp|Det|Amb|Atty|Mt|Ft|St|Fr|Mme|Mlle|Gens|Reps|Sens"
)
_NUMBERED = "No|Nos|no|Art|Vol|Vols|vol|Fig|p|pp|Ch|ch|Sec|sec|Para|para|Op|op|Apt|Rt|Rte"
_MONTHS = "Jan|Feb|Mar|Apr|Jun|Jul|Aug|Sep|Sept|Oct|Nov|Dec"
_OTHER_ABBREVIATIONS = (
    "a\\.m|p\\.m|e\\.g|i\\.e|etc|vs|approx|est|Inc|Co|Corp|Ltd|Bros|Jr|Sr|Dept|Univ|Assn|"
    "Ave|Blvd|Rd|govt|cf|al|ca|mln|bln|km|kg|ft|oz|lb|lbs"
)
_WORD_START = r"(?:^|(?<=[\s(\"“‘'\[-]))"
_AFTER_TITLE = re.compile(rf"{_WORD_START}(?:{_TITLES})\.$")
_AFTER_NUMBERED = re.compile(rf"{_WORD_START}(?:{_NUMBERED}|{_MONTHS})\.$")
_AFTER_ABBREVIATION = re.compile(rf"{_WORD_START}(?:{_OTHER_ABBREVIATIONS})\.$")
#: Company abbreviations: "Hyundai Motor Co.", "LG Electronics Inc.", "Samsung Electronics Co. Ltd."
_COMPANY = "Co|Corp|Inc|Ltd|Cos|Plc|Bros"
_AFTER_COMPANY = re.compile(rf"{_WORD_START}(?:{_COMPANY})\.$")
#: ... followed by another part of the company's name: "Co." | "Ltd. said".
_COMPANY_SUFFIX = re.compile(r"^(?:Co|Corp|Inc|Ltd|Cos|Plc|PLC|LLC|Limited|Holdings)\b")
#: A piece that is a company's name and nothing else ("Bank of America Corp."): no
#: sentence on its own, so what follows continues it ("Chairman Chung said so.").
_COMPANY_NAME_ONLY = re.compile(rf"^[\"“‘(]?(?:(?:[A-Z0-9][\w&'’.-]*|&|of|and|the|for|de)\s+)+(?:{_COMPANY})\.$")
#: A clock time goes on with a time zone, a day or "local time": "7 p.m. ET Saturday".
_AFTER_CLOCK = re.compile(r"\d\s?[ap]\.m\.$")
_TIME_CONTINUES = re.compile(
    r"^(?:[A-Z]{1,2}[SD]?T\b|GMT|UTC|KST|Eastern|Central|Mountain|Pacific|Greenwich|local\b|"
    r"(?:Mon|Tues|Wednes|Thurs|Fri|Satur|Sun)day|today|tonight|tomorrow|yesterday)"
)
#: Initials such as "J." or "J.P." (a person) or "U.S." (a place, may end a sentence).
_AFTER_INITIALS = re.compile(rf"{_WORD_START}((?:[A-Z]\.){{1,3}})$")
_PLACE_INITIALS = frozenset({"U.S.", "U.K.", "U.N.", "E.U.", "U.A.E.", "D.C.", "N.Y.", "L.A.", "S.", "N.", "E.", "W."})

#: A short speech attribution after a quote: "Kim said." / "said Kim Jong-un." (English)
_SPEECH_VERBS = (
    "said|says|added|adds|asked|asks|told|tells|explained|wrote|writes|tweeted|noted|notes|"
    "continued|replied|insisted|stated|argued|recalled|warned|declared|stressed|emphasized|"
    "claimed|concluded|remarked|responded|announced|confirmed|admitted|suggested|reported|reports"
)
_NAME = r"[A-Z][\w'’.-]*"
_EN_ATTRIBUTION = re.compile(
    rf"^(?:(?:{_NAME}\s+){{1,4}}(?:{_SPEECH_VERBS})(?:\s+(?:reporters|journalists|him|her|them|us|me))?"
    rf"|(?:{_SPEECH_VERBS})\s+(?:{_NAME}\s*){{1,4}})[.!]$"
)
#: ... and in Korean: "아담 씨가 말했다.", "…을 가리키며 트럼프가 말했습니다.": no quote
#: inside, the speaker (with its subject particle) right before the verb. Reported speech
#: ("그는 …없었다고 말했다.") is a sentence of its own and does not match.
_KO_ATTRIBUTION = re.compile(
    r"^[^\"'“”‘’]{0,120}?[^\s\"'“”‘’](?:가|이|은|는|께서)\s+"
    r"(?:말했|밝혔|덧붙였|전했|강조했|설명했|주장했|물었|답했|외쳤|소리쳤|지적했|발표했|보도했|썼|적었)"
    r"(?:다|습니다)\.$"
)

#: Korean quotative forms after a closing quote and a space: "…" 하고, "…" 라고. (Glued
#: to the quote, "…!"라며, any Hangul continues the sentence; see the rule.)
_KO_QUOTE_PARTICLE = re.compile(
    r"^[\"'”’]?\s*(?:(?:이)?라(?:고|며|면서|는|던|니|지|서)?|고|며|면서|란|이란|라는|하고|하며|하면서|하는|하자|하니)"
    r"(?![가-힣])"
)
_STARTS_HANGUL = re.compile(r"^[가-힣]")
#: Korean dates written with periods: "2024. 3. 1." is one date, not three sentences.
#: A four-digit year, or a two-digit one written with spaces ("24. 3. 1."), so that a
#: version or score such as "10.5." is not taken for a date.
_KO_DATE_END = re.compile(r"(?<!\d)(?:\d{4}\.\s?\d{1,2}\.(?:\s?\d{1,2}\.)?|\d{2}\.\s\d{1,2}\.\s\d{1,2}\.)$")
_KO_DATE_HEAD = re.compile(r"(?<!\d)(?:\d{4}\.(?:\s?\d{1,2}\.)?|\d{2}\.(?:\s\d{1,2}\.)?)$")
_STARTS_DATE_PART = re.compile(r"^\d{1,2}\.")

# Cut points the libraries miss. English: after "…" or a sentence closed inside brackets
# before a capital; between a quote that ends a sentence and a new quote; after "U.S."
# before a word that starts sentences.
_STARTERS = (
    "The|A|An|As|But|And|He|She|It|They|We|I|In|On|At|This|That|These|Those|There|His|Her|"
    "Its|Their|Our|If|When|While|After|Before|However|Meanwhile|Some|Many|Most|According"
)
_EN_EXTRA_CUTS = re.compile(
    r"(?:…+|[.!?][)\]])(?=\s+[\"“‘(]?[A-Z])"
    r"|[.!?…][\"”’'](?=\s+[\"“‘'][\w])"
    r"|\.[\"”](?=\s+[A-Z])"
    rf"|\b(?:U\.S|U\.K|U\.N|E\.U|D\.C)\.(?=\s+(?:{_STARTERS})\b)"
)
# Korean: after a sentence-final ending (다, 요, 까, 죠, 네) with its punctuation (and
# quote), which Kiwi leaves joined before a quote or inside a long quotation; after such an
# ending and an ellipsis ("그랬다… 그런데").
_KO_EXTRA_CUTS = re.compile(r"(?<=[다요까죠네])(?:[.!?]+[\"”’']?|…+\.?|\.{3,})(?=\s+\S)")
#: Marks Kiwi may take for a sentence end (a line break is always one).
_KO_SENTENCE_MARK = re.compile(rf"[{re.escape(_FINAL)}]")
#: Single-quoted passages whose inside may hold several sentences (British papers quote
#: speech in single quotes; pysbd keeps them whole). An apostrophe is a quote mark
#: followed by a letter, so ``What's`` does not close the quote.
_SINGLE_QUOTED = re.compile(
    r"‘(?:[^‘’]|’(?=[A-Za-z]))+’(?![A-Za-z])"
    r"|(?:^|(?<=[\s(\[—–-]))'(?=\S)(?:[^']|'(?=[A-Za-z]))+(?<=\S)'(?![A-Za-z])"
)
#: Double quotes are hidden from pysbd behind a neutral character of the same length:
#: pysbd pairs them to keep quotations whole, and one stray quote (``Dragons" Den``)
#: then swallows every sentence up to the next one. Quotes are handled by the rules.
_MASK_DOUBLE_QUOTES = str.maketrans({'"': "¦", "“": "¦", "”": "¦", "„": "¦"})
#: Marks that close a quote or bracket: a cut in front of one belongs after it.
_ALWAYS_CLOSING = frozenset("”’»」』)]}")
#: ... and marks that open one: a cut after one belongs in front of it.
_ALWAYS_OPENING = frozenset("“‘«「『([{")
_AMBIGUOUS_QUOTES = frozenset("\"'")
_AFTER_CLOSER = frozenset("\"'”’»」』)]},.;:!?…")


# -- the libraries ------------------------------------------------------------------------


@lru_cache(maxsize=32)
def get_segmenter(lang: str) -> pysbd.Segmenter:
    """pysbd's segmenter for ``lang`` (English rules for languages pysbd lacks), built once.

    ``clean=False`` keeps the text exactly as given: pysbd's cleaner rewrites it.
    """
    code = lang if lang in PYSBD_LANGUAGES else "en"
    return pysbd.Segmenter(language=code, clean=False)


def _cuts_from_pieces(text: str, pieces: Iterable[str]) -> list[int]:
    """Map a library's sentence strings back to cut offsets in ``text``.

    Counts non-whitespace characters, so it is exact as long as the library keeps
    every visible character (pysbd with ``clean=False`` and Kiwi do), and harmless when
    it does not: cuts are always positions in ``text`` itself.
    """
    targets: list[int] = []
    seen = 0
    for piece in pieces:
        seen += sum(not ch.isspace() for ch in piece)
        targets.append(seen)
    targets.pop()  # the end of the last piece is the end of the text
    cuts: list[int] = []
    seen = 0
    wanted = iter(targets)
    goal = next(wanted, None)
    for i, ch in enumerate(text):
        if goal is None:
            break
        if ch.isspace():
            continue
        if seen == goal:
            cuts.append(i)
            goal = next(wanted, None)
            while goal is not None and goal <= seen:  # empty pieces
                goal = next(wanted, None)
        seen += 1
    return cuts


def _pysbd_cuts(text: str, lang: str) -> list[int]:
    """pysbd's cuts. Its processor is called directly: ``segment()`` then searches every
    sentence back in the text for character spans (a third of its time), and the cuts are
    recovered from the pieces here anyway."""
    try:
        pieces = get_segmenter(lang).processor(text.translate(_MASK_DOUBLE_QUOTES)).process()
    except Exception:  # pysbd has crashed on odd input; one sentence is a safe answer
        return []
    return _cuts_from_pieces(text, pieces) if len(pieces) > 1 else []


#: Words pysbd treats as abbreviations (``Gen.``, ``No.``, ``is.``...) and ours.
_EN_ABBREVIATIONS = frozenset(EnglishRules.Abbreviation.ABBREVIATIONS) | frozenset(
    word.lower() for word in f"{_TITLES}|{_NUMBERED}|{_MONTHS}".split("|")
)
#: A plain sentence end: a word or number, its mark (a closing quote may follow), one
#: space, and a capitalised word (perhaps after an opening quote).
_EN_PLAIN_END = re.compile(r"(?<![\w.'’&-])([A-Z]?[a-z]+|\d+)([.!?])[\"”’']?(?= [\"“‘']?[A-Z](?:[a-z]|\s))")
#: Any mark that might end a sentence: followed by no letter or digit (``7.5``,
#: ``LFC.com`` are not ends).
_EN_MARK = re.compile(rf"[{re.escape(_FINAL)}](?!\w)")
#: An opening single quote, where pysbd's rule for quoted passages applies.
_OPENING_SINGLE_QUOTE = re.compile(r"(?:^|\s)['‘]")


def _plain_english_cuts(text: str) -> list[int] | None:
    """pysbd's cuts when every possible sentence end in ``text`` is plain, else None.

    Two thirds of news paragraphs are like this, and for them pysbd (most of the time
    spent splitting English) cuts after each such end and nowhere else: the same
    sentences for all 1,199 paragraphs of NTREX-128 and KEP dev joined 1 to 4 lines at a
    time (``tests/test_text_split_corpus.py`` keeps checking). Abbreviations, initials
    (``U.S.``), ellipses, clock times and quoted passages go to pysbd.
    """
    if _OPENING_SINGLE_QUOTE.search(text):
        return None
    body = text.rstrip(_TRAILING_FINAL)
    cuts: dict[int, int] = {}
    for match in _EN_PLAIN_END.finditer(body):
        if match.group(1).lower() in _EN_ABBREVIATIONS:
            return None
        cuts[match.start(2)] = match.end() + 1  # where the next sentence starts
    if any(mark.start() not in cuts for mark in _EN_MARK.finditer(body)):
        return None
    return list(cuts.values())


def _repair_cut(text: str, cut: int) -> int:
    """Keep quotes and brackets with the sentence they belong to.

    pysbd returns ``He said "no.`` | ``" Then...`` and Kiwi ``말했다." "`` | ``그들은...``:
    a closing mark after the cut moves before it, an opening mark before it moves after
    it. A straight quote closes when a space, punctuation or the end follows it, and
    opens when it follows a space.
    """
    n = len(text)
    while cut < n:
        ch = text[cut]
        closing = ch in _ALWAYS_CLOSING or (
            ch in _AMBIGUOUS_QUOTES and (cut + 1 == n or text[cut + 1].isspace() or text[cut + 1] in _AFTER_CLOSER)
        )
        if not closing:
            break
        cut += 1
    while True:
        j = cut
        while j > 0 and text[j - 1].isspace():
            j -= 1
        if j < 2:
            return cut
        ch = text[j - 1]
        opening = ch in _ALWAYS_OPENING or (ch in _AMBIGUOUS_QUOTES and text[j - 2].isspace())
        if not opening:
            return cut
        cut = j - 1


def _kiwi_cuts_many(texts: Sequence[str]) -> list[list[int]]:
    """Kiwi's cuts for many paragraphs in one call (Kiwi spreads a batch over its threads)."""
    if not texts:
        return []
    kiwi = get_kiwi()
    if len(texts) == 1:
        results: Iterable[list] = [kiwi.split_into_sents(texts[0], return_sub_sents=False)]
    else:
        results = kiwi.split_into_sents(list(texts), return_sub_sents=False)
    return [_cuts_from_pieces(t, (s.text for s in sents)) if len(sents) > 1 else [] for t, sents in zip(texts, results)]


# -- repair rules -------------------------------------------------------------------------


def _piece(text: str, span: Span) -> str:
    return text[span[0] : span[1]]


def _ends_sentence(piece: str) -> bool:
    """Final punctuation, optionally closed by quotes or brackets, ends ``piece``."""
    tail = piece[len(piece.rstrip(_FINAL + _CLOSERS)) :]
    return any(ch in _FINAL for ch in tail)


def merge_fragment(text: str, left: Span, right: Span) -> bool:
    """A piece without a letter or digit, or a bare list number, belongs to its neighbour.

    ``“물렸어요!`` | ``”`` and ``3.`` | ``Arginine`` are one piece each: a lone quote
    mark, ``…`` or list number is not a sentence.
    """
    before, after = _piece(text, left), _piece(text, right)
    return not _HAS_WORD.search(before) or not _HAS_WORD.search(after) or bool(_LIST_NUMBER.match(before))


def merge_without_final_punctuation(text: str, left: Span, right: Span) -> bool:
    """Keep a cut only after sentence-final punctuation (or at a line break).

    pysbd cuts after a dateline such as ``(CNN)`` and after ``,'"``; Kiwi after any verb
    ending (``그는 갔다`` | ``그리고 왔다``) and before an emoji. Edited news marks its
    sentence ends, so these are clauses, not sentences.
    """
    return "\n" not in text[left[1] : right[0]] and not _ends_sentence(_piece(text, left))


def merge_after_abbreviation(text: str, left: Span, right: Span) -> bool:
    """Undo a cut after an English abbreviation.

    ``Dr.`` | ``Lee arrived.`` (titles: always), ``Mar.`` | ``27 ...`` and ``No.`` |
    ``1 ...`` (before a number), ``9 a.m.`` | ``on Monday`` (others: before lower case
    or a digit), ``7 p.m.`` | ``ET Saturday`` (a clock time and its zone or day),
    ``J.P.`` | ``Morgan`` (personal initials before a name), ``Samsung Electronics Co.`` |
    ``Ltd. said...`` (a company's name); but ``in the U.S.`` | ``He left.`` and ``a deal
    with Hyundai Motor Co.`` | ``The talks...`` stay cut.
    """
    before, after = _piece(text, left), _piece(text, right)
    if _AFTER_TITLE.search(before) and (_STARTS_UPPER.match(after) or _STARTS_LOWER.match(after)):
        return True
    if _AFTER_NUMBERED.search(before) and _STARTS_DIGIT.match(after):
        return True
    continues = bool(_STARTS_LOWER.match(after) or _STARTS_DIGIT.match(after))
    if _AFTER_ABBREVIATION.search(before) and continues:
        return True
    if _AFTER_COMPANY.search(before) and _continues_company(before, after):
        return True
    if _AFTER_CLOCK.search(before) and _TIME_CONTINUES.match(after):
        return True
    initials = _AFTER_INITIALS.search(before)
    if initials:
        if continues:
            return True
        return initials.group(1) not in _PLACE_INITIALS and bool(_STARTS_UPPER.match(after))
    return False


def _continues_company(before: str, after: str) -> bool:
    """After ``Co.``/``Inc.``: more of the company's name (``Ltd.``), or anything capitalised
    when the piece so far is only the name (``Hyundai Motor Co.`` | ``Chairman Chung said
    so.``); ``a deal with Hyundai Motor Co.`` | ``The talks...`` is a sentence end."""
    if _COMPANY_SUFFIX.match(after):
        return True
    return bool(_COMPANY_NAME_ONLY.match(before) and _STARTS_UPPER.match(after))


def merge_continuation(text: str, left: Span, right: Span) -> bool:
    """A piece starting in lower case or with a comma continues the sentence before it.

    ``"Is it?"`` | ``she asked.``, ``It was…`` | ``odd.`` and ``masculinity?`` |
    ``,' he said.`` are one sentence each.
    """
    return bool(_STARTS_CONTINUATION.match(_piece(text, right)))


def merge_quote_attribution(text: str, left: Span, right: Span) -> bool:
    """A bare speech tag after a closing quote belongs to the quote.

    ``"Stop!"`` | ``Kim said.`` and ``“…였습니다.”`` | ``바로 앞의 관중을 가리키며
    트럼프가 말했다.`` are one sentence each, as translators render them.
    """
    before, after = _piece(text, left), _piece(text, right)
    if not _ENDS_WITH_CLOSING_QUOTE.search(before):
        return False
    return bool(_EN_ATTRIBUTION.match(after) or _KO_ATTRIBUTION.match(after))


def merge_korean_quote_particle(text: str, left: Span, right: Span) -> bool:
    """No cut between a Korean quote and the quotative particle that follows it.

    ``"정말 대단하다!"`` | ``라며 웃었다.``, ``"왜?"`` | ``하고 물었다.`` and ``“…다.``
    | ``”라고 했다.`` are one sentence: the particle makes the quote part of the clause.
    Hangul glued to a closing quote with no space (``"…."그는 말했다``) is never a
    sentence start either.
    """
    before, after = _piece(text, left), _piece(text, right)
    if _KO_QUOTE_PARTICLE.match(after) and (_ENDS_WITH_CLOSING_QUOTE.search(before) or after[0] in "\"'”’"):
        return True
    return left[1] == right[0] and bool(_ENDS_WITH_CLOSING_QUOTE.search(before) and _STARTS_HANGUL.match(after))


def merge_korean_date(text: str, left: Span, right: Span) -> bool:
    """No cut inside or right after a Korean date written with periods.

    ``2024.`` | ``3. 1. 서울에서`` and ``2024. 3. 1.`` | ``서울에서 열렸다.`` are one
    sentence: a date is never a sentence of its own in running text.
    """
    before, after = _piece(text, left), _piece(text, right)
    if _KO_DATE_HEAD.search(before) and _STARTS_DATE_PART.match(after):
        return True
    return bool(_KO_DATE_END.search(before))


_EN_RULES: tuple[MergeRule, ...] = (
    merge_fragment,
    merge_without_final_punctuation,
    merge_after_abbreviation,
    merge_continuation,
    merge_quote_attribution,
)
_OTHER_RULES: tuple[MergeRule, ...] = (merge_fragment, merge_without_final_punctuation, merge_continuation)
_KO_RULES: tuple[MergeRule, ...] = (
    merge_fragment,
    merge_without_final_punctuation,
    merge_korean_quote_particle,
    merge_korean_date,
    merge_quote_attribution,
)


# -- putting it together ------------------------------------------------------------------


def _spans(text: str, cuts: Iterable[int]) -> list[Span]:
    """Whitespace-trimmed, non-empty spans between ``cuts``."""
    spans: list[Span] = []
    start = 0
    for cut in [*sorted(set(cuts)), len(text)]:
        if cut <= start or cut > len(text):
            continue
        piece = text[start:cut]
        stripped = piece.strip()
        if stripped:
            lead = len(piece) - len(piece.lstrip())
            spans.append((start + lead, start + lead + len(stripped)))
        start = cut
    return spans


def _merge(text: str, spans: list[Span], rules: Sequence[MergeRule]) -> list[Span]:
    out: list[Span] = []
    for span in spans:
        if out and any(rule(text, out[-1], span) for rule in rules):
            out[-1] = (out[-1][0], span[1])
        else:
            out.append(span)
    return out


def _needs_splitting(text: str) -> bool:
    """False when the only sentence-final marks are at the very end (most titles, many paragraphs)."""
    body = text.rstrip(_TRAILING_FINAL)
    return bool(_INNER_CANDIDATE.search(body))


def _quote_cuts(text: str, spans: list[Span], lang: str) -> list[int]:
    """pysbd's cuts inside single-quoted speech, which it keeps whole.

    ``He continued: 'What's innate? What is taught?'`` gives two sentences, as Kiwi and
    translators split such quotes, so the two sides stay comparable. Quotes are looked
    for inside each sentence, where opening and closing marks pair up reliably.
    """
    cuts: list[int] = []
    for start, end in spans:
        for match in _SINGLE_QUOTED.finditer(text, start, end):
            inner_start, inner_end = match.start() + 1, match.end() - 1
            inner = text[inner_start:inner_end]
            if _needs_splitting(inner):
                cuts.extend(inner_start + cut for cut in _pysbd_cuts(inner, lang))
    return cuts


def _line_breaks(text: str) -> list[int]:
    """A line break inside a paragraph (a ``<br>`` in the page) ends what comes before it."""
    return [m.start() for m in re.finditer("\n", text)] if "\n" in text else []


def _split_latin(text: str, lang: str) -> list[Span]:
    cuts = _plain_english_cuts(text) if lang == "en" else None
    return _latin_spans(text, lang, _pysbd_cuts(text, lang) if cuts is None else cuts)


def _latin_spans(text: str, lang: str, cuts: list[int]) -> list[Span]:
    """pysbd's cuts (or the same found without it), the cuts it misses, then the repair rules."""
    if "'" in text or "‘" in text:
        cuts += _quote_cuts(text, _spans(text, cuts), lang)
    if lang == "en":
        cuts += [m.end() for m in _EN_EXTRA_CUTS.finditer(text)]
    cuts += _line_breaks(text)
    rules = _EN_RULES if lang == "en" else _OTHER_RULES
    return _merge(text, _spans(text, [_repair_cut(text, c) for c in cuts]), rules)


def _kiwi_windows(text: str) -> list[Span]:
    """The stretches of ``text`` that need Kiwi: those holding a mark that may or may not
    end a sentence (after a number, a Latin abbreviation, a quote, a noun).

    A mark that ends a verb (``…했다. 그는``) is cut by :data:`_KO_EXTRA_CUTS` whatever
    Kiwi says, and Kiwi's other cuts (after a verb with no punctuation) are undone by the
    repair rules, so Kiwi's analysis, most of the time spent splitting Korean, is spent
    only between such certain ends, on the stretches that hold another mark.
    """
    body = text.rstrip(_TRAILING_FINAL)
    certain = [m.span() for m in _KO_EXTRA_CUTS.finditer(body)]
    windows: list[Span] = []
    start = 0
    for cut_start, cut_end in [*certain, (len(text), len(text))]:
        if any(mark.start() < len(body) for mark in _KO_SENTENCE_MARK.finditer(text, start, cut_start)):
            windows.append((start, cut_start))
        start = cut_end
    return windows


def _korean_spans(text: str, kiwi_cuts: list[int]) -> list[Span]:
    """Kiwi's cuts (none when it was not asked), the cuts it misses, then the repair rules."""
    cuts = kiwi_cuts + [m.end() for m in _KO_EXTRA_CUTS.finditer(text)] + _line_breaks(text)
    return _merge(text, _spans(text, [_repair_cut(text, c) for c in cuts]), _KO_RULES)


def _split_korean(texts: Sequence[str]) -> list[list[Span]]:
    needed = [_needs_splitting(t) for t in texts]
    windows = [(i, w) for i, t in enumerate(texts) if needed[i] for w in _kiwi_windows(t)]
    kiwi_cuts: dict[int, list[int]] = {}
    for (i, (start, _)), cuts in zip(windows, _kiwi_cuts_many([texts[i][a:b] for i, (a, b) in windows])):
        kiwi_cuts.setdefault(i, []).extend(start + cut for cut in cuts)
    return [_korean_spans(t, kiwi_cuts.get(i, [])) if needed[i] else _spans(t, []) for i, t in enumerate(texts)]


# -- public API ---------------------------------------------------------------------------


def sentence_spans_many(texts: Sequence[str], lang: str) -> list[list[Span]]:
    """``(start, end)`` offsets of the sentences of each paragraph, whitespace trimmed."""
    code = primary_lang(lang)
    if code in ("ko", "kor"):
        return _split_korean(texts)
    return [_split_latin(t, code) if _needs_splitting(t) else _spans(t, []) for t in texts]


def sentence_spans(text: str, lang: str) -> list[Span]:
    """``(start, end)`` offsets of the sentences of one paragraph, whitespace trimmed."""
    return sentence_spans_many([text], lang)[0]


def split_paragraph(text: str, lang: str) -> list[str]:
    """The sentences of one paragraph, as published (only the whitespace between them goes)."""
    return [text[s:e] for s, e in sentence_spans(text, lang)]


def split_sentences(paragraphs: list[str], lang: str) -> list[Sentence]:
    """Split a document's paragraphs; ``index`` runs over the document, ``paragraph`` is the list position.

    Korean paragraphs go to Kiwi in one batch, which it spreads over its worker threads.
    """
    out: list[Sentence] = []
    for p, (text, spans) in enumerate(zip(paragraphs, sentence_spans_many(paragraphs, lang))):
        for s, e in spans:
            out.append(Sentence(len(out), p, text[s:e]))
    return out
