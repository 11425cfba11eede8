"""A small corpus database for the review tests: real SQLite, real Store calls, Korean text.

The articles are written for these tests (no scraped text). Bead confidences, types and
statuses are chosen so every review feature has something to act on: low confidence,
1-2 and 0-1 beads, a long sentence that wraps, and an already accepted bead.
"""

from __future__ import annotations

from pathlib import Path

from aligner.model import Article, Bead, Sentence
from aligner.store import Store

DAYCARE_EN = [
    "Seoul to open 100 new public daycare centres next year",
    "The Seoul Metropolitan Government said on Monday that it will open 100 new public daycare centres by the end of next year.",
    "The plan is part of an effort to lift the country's birth rate, which fell to a record low of 0.72 last year.",
    "Officials said the centres would be placed in districts with the longest waiting lists.",
    "Parents have long complained that private centres are too expensive.",
    "The city will spend about 150 billion won on the project.",
    "Critics say the money would be better spent on housing for young couples, arguing that the cost of a home, not the cost of childcare, is what keeps people from starting a family in the first place.",
    "The first centres are expected to open in March.",
]
DAYCARE_KO = [
    "서울시, 내년 국공립 어린이집 100곳 새로 연다",
    "서울시는 내년 말까지 국공립 어린이집 100곳을 새로 열겠다고 월요일 밝혔다.",
    "이번 계획은 지난해 0.72명으로 역대 최저를 기록한 출산율을 끌어올리기 위한 노력의 하나다.",
    "시 관계자는 대기 인원이 가장 많은 자치구에 어린이집을 우선 배치하겠다고 말했다.",
    "부모들은 그동안 민간 어린이집 비용이 너무 비싸다고 호소해 왔다.",
    "시는 이 사업에 약 1500억원을 쓸 계획이다.",
    "사업비는 국비와 시비로 나눠 부담한다.",
    "일부에서는 청년 부부를 위한 주거 지원에 예산을 쓰는 것이 낫다며, 아이를 낳지 않는 이유는 보육비가 아니라 집값이라고 주장한다.",
    "첫 어린이집은 3월에 문을 열 예정이다.",
]
# en span, ko span, confidence, status
DAYCARE_BEADS = [
    ((0,), (0,), 0.97, "accepted"),
    ((1,), (1,), 0.93, "unreviewed"),
    ((2,), (2,), 0.88, "unreviewed"),
    ((3,), (3,), 0.42, "unreviewed"),
    ((4,), (4,), 0.81, "unreviewed"),
    ((5,), (5, 6), 0.35, "unreviewed"),
    ((6,), (7,), 0.76, "unreviewed"),
    ((7,), (8,), 0.95, "unreviewed"),
]

RAIL_EN = [
    "High-speed rail line to Gangneung cuts travel time to 90 minutes",
    "A new high-speed rail line between Seoul and Gangneung opened on Friday.",
    "The trip now takes about 90 minutes.",
    "Local merchants hope the line will bring more tourists to the east coast.",
]
RAIL_KO = [
    "서울~강릉 고속철도 개통…90분이면 간다",
    "서울과 강릉을 잇는 고속철도가 금요일 개통했다.",
    "이제 두 도시 사이는 약 90분 거리다.",
    "코레일은 하루 52차례 열차를 운행한다.",
    "동해안 상인들은 관광객이 늘 것으로 기대하고 있다.",
]
RAIL_BEADS = [
    ((0,), (0,), 0.91, "unreviewed"),
    ((1,), (1,), 0.9, "unreviewed"),
    ((2,), (2,), 0.86, "unreviewed"),
    ((), (3,), 0.6, "unreviewed"),
    ((3,), (4,), 0.84, "unreviewed"),
]

FESTIVAL_EN = [
    "Jeonju film festival draws record crowds",
    "The Jeonju International Film Festival sold a record 80,000 tickets this year.",
    "Organisers credited a programme of restored Korean classics.",
]
FESTIVAL_KO = [
    "전주국제영화제, 역대 최다 관객",
    "올해 전주국제영화제는 역대 최다인 8만장의 표를 팔았다.",
    "조직위는 복원된 한국 고전 영화 상영작이 인기를 끌었다고 밝혔다.",
]
FESTIVAL_BEADS = [
    ((0,), (0,), 0.99, "accepted"),
    ((1,), (1,), 0.97, "accepted"),
    ((2,), (2,), 0.94, "accepted"),
]


def _article(lang: str, url: str, sentences: list[str], published: str) -> Article:
    return Article(lang=lang, title=sentences[0], paragraphs=[" ".join(sentences[1:])], url=url, published=published)


def add_pair(
    store: Store,
    key: str,
    en: list[str],
    ko: list[str],
    beads: list[tuple[tuple[int, ...], tuple[int, ...], float, str]],
    published: str,
) -> int:
    """Store one pair with the given sentences and beads (statuses set as given)."""
    en_id = store.upsert_document(
        _article("en", f"https://english.hani.co.kr/arti/english_edition/{key}.html", en, published)
    )
    ko_id = store.upsert_document(_article("ko", f"https://www.hani.co.kr/arti/{key}.html", ko, published))
    pair_id = store.upsert_pair(en_id, ko_id, "link", 1.0)
    store.save_alignment(
        pair_id,
        [Sentence(i, 0 if i == 0 else 1, t) for i, t in enumerate(en)],
        [Sentence(i, 0 if i == 0 else 1, t) for i, t in enumerate(ko)],
        [Bead(s, t, round(c * 2 - 1, 3), c) for s, t, c, _ in beads],
        "test",
    )
    with store.transaction() as c:
        for pos, (_, _, _, status) in enumerate(beads):
            if status != "unreviewed":
                c.execute("UPDATE beads SET status=? WHERE pair_id=? AND position=?", (status, pair_id, pos))
    return pair_id


def build_corpus(path: str | Path) -> Path:
    """Three pairs: daycare (8 beads, mixed), rail (5 beads, a 0-1), festival (all accepted)."""
    path = Path(path)
    with Store(path) as store:
        add_pair(store, "society/1001", DAYCARE_EN, DAYCARE_KO, DAYCARE_BEADS, "2024-03-04T10:00:00+09:00")
        add_pair(store, "national/1002", RAIL_EN, RAIL_KO, RAIL_BEADS, "2024-02-16T09:30:00+09:00")
        add_pair(store, "culture/1003", FESTIVAL_EN, FESTIVAL_KO, FESTIVAL_BEADS, "2024-05-10T18:00:00+09:00")
    return path


def add_big_pair(store: Store, n: int = 1000) -> int:
    """A pair of ``n`` beads (mostly 1-1, some 2-1 and 0-1, sentences of varied length)."""
    en: list[str] = []
    ko: list[str] = []
    beads = []
    for i in range(n):
        kind = i % 10
        words = 6 + (i * 7) % 30
        e0, k0 = len(en), len(ko)
        if kind == 3:
            ko.append(f"영어판에서 빠진 문장 {i}번, 한국어 기사에만 있는 설명이다.")
        elif kind == 7:
            en.append(f"Sentence {i}a " + " ".join(["alignment"] * (words // 2)) + ".")
            en.append(f"Sentence {i}b " + " ".join(["review"] * (words // 2)) + ".")
            ko.append(f"문장 {i} " + " ".join(["정렬과", "검토"] * (words // 2)) + ".")
        else:
            en.append(f"Sentence {i} " + " ".join(["word"] * words) + ".")
            ko.append(f"문장 {i} " + " ".join(["한국어"] * words) + ".")
        conf = 0.3 if i % 13 == 0 else 0.9
        beads.append((tuple(range(e0, len(en))), tuple(range(k0, len(ko))), conf, "unreviewed"))
    return add_pair(store, f"big/{n}", en, ko, beads, "2024-01-01T00:00:00+09:00")
