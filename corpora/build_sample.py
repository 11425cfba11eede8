"""Build the shipped sample corpus ``corpora/sample/``: a page cache of Hankyoreh-style pages.

Run from the repository root: ``python -m corpora.build_sample``. The output is
deterministic (same input, same bytes), and the generated pages are committed because
they are the sample the README's first command runs on.

What it makes (see the README it writes for the list):

* English-edition pages (``pages/english.hani.co.kr/arti/english_edition/<section>/<id>.html``)
  for ten NTREX-128 news documents, each linking through the original-article button to
  its Korean page (``pages/www.hani.co.kr/arti/<section>/<sub>/<id>.html``), whose
  layout alternates between the old one and the 2023+ one (one old page in EUC-KR).
* The English side is edited a little the way the English edition is: one sentence
  dropped in three articles, two sentences joined into one in two articles, and
  paragraphs of one to three sentences; the Korean side keeps every line, one or two a
  paragraph.
* The seed article (``seeds/000_44b1d1decceb186f.txt``) as an English-edition page whose
  Korean original is not in the cache, so a run reports it unpaired.

Every page is parsed back with ``aligner.sources`` and checked before the build ends.
"""

from __future__ import annotations

import argparse
import html
import random
import shutil
import sys
import zlib
from dataclasses import dataclass
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT))

from aligner.sources import PageCache, parse_page  # noqa: E402

NTREX = ROOT / "corpora" / "source" / "ntrex"
SEED = ROOT / "seeds" / "000_44b1d1decceb186f.txt"
OUT = ROOT / "corpora" / "sample"
EN_HOST = "http://english.hani.co.kr"
KO_HOST = "http://www.hani.co.kr"
MONTHS = ("Jan", "Feb", "Mar", "Apr", "May", "Jun", "Jul", "Aug", "Sep", "Oct", "Nov", "Dec")
_LOWERABLE = {"The", "It", "He", "She", "They", "This", "That", "But", "And", "A", "An", "In", "On", "At", "Natural"}


@dataclass(frozen=True)
class Doc:
    """One NTREX document and how it is published: sections, ids, layout, edits."""

    ntrex_id: str
    en_section: str
    ko_section: str
    ko_layout: str  # hani-ko-old or hani-ko-2023
    en_dates: str  # "new" (2018-10-01 16:26) or "old" (Oct.1,2018 16:26)
    ko_time: str  # Korean publication time, "2018-09-30 21:40"
    en_time: str  # English posting time
    reporter: tuple[str, str, str]  # English name, Korean name, e-mail user
    dateline: str = ""  # Korean dateline for correspondents, e.g. "워싱턴"
    drop: tuple[int, ...] = ()  # body sentences (0-based) the English edition leaves out
    join: tuple[int, ...] = ()  # body sentence i joined with i+1 into one English sentence
    euc_kr: bool = False


DOCS: tuple[Doc, ...] = (
    Doc(
        "cnbc.com.6769",
        "e_northkorea",
        "politics/defense",
        "hani-ko-2023",
        "new",
        "2018-09-30 10:12",
        "2018-09-30 17:05",
        ("Kim Ji-hoon", "김지훈", "jihoon"),
        drop=(6,),
    ),
    Doc(
        "bbc.381736",
        "e_northkorea",
        "politics/defense",
        "hani-ko-old",
        "old",
        "2018-09-30 14:31",
        "2018-10-01 09:40",
        ("Lee Su-jin", "이수진", "sujin"),
        join=(2,),
    ),
    Doc(
        "cnbc.com.6790",
        "e_international",
        "international/america",
        "hani-ko-2023",
        "new",
        "2018-09-30 16:02",
        "2018-10-01 11:20",
        ("Park Min-seo", "박민서", "minseo"),
        dateline="워싱턴",
    ),
    Doc(
        "nytimes.184837",
        "e_international",
        "international/asiapacific",
        "hani-ko-old",
        "old",
        "2018-09-30 18:45",
        "2018-10-01 14:02",
        ("Choi Yoon-ah", "최윤아", "yoonah"),
        join=(8,),
        euc_kr=True,
    ),
    Doc(
        "bbc.381669",
        "e_international",
        "international/china",
        "hani-ko-2023",
        "new",
        "2018-09-30 20:15",
        "2018-10-01 15:33",
        ("Jung Da-eun", "정다은", "daeun"),
        dateline="베이징",
        drop=(7,),
    ),
    Doc(
        "reuters.218933",
        "e_international",
        "international/china",
        "hani-ko-old",
        "new",
        "2018-10-01 08:50",
        "2018-10-01 17:48",
        ("Jung Da-eun", "정다은", "daeun"),
        dateline="베이징",
    ),
    Doc(
        "cnbc.com.6772",
        "e_business",
        "economy/it",
        "hani-ko-2023",
        "old",
        "2018-10-01 09:30",
        "2018-10-01 18:15",
        ("Han Seung-woo", "한승우", "seungwoo"),
    ),
    Doc(
        "telegraph.405408",
        "e_business",
        "economy/economy_general",
        "hani-ko-old",
        "new",
        "2018-10-01 11:05",
        "2018-10-02 10:12",
        ("Han Seung-woo", "한승우", "seungwoo"),
    ),
    Doc(
        "bbc.381647",
        "e_entertainment",
        "culture/music",
        "hani-ko-2023",
        "old",
        "2018-10-01 13:20",
        "2018-10-02 11:47",
        ("Yoon Ha-neul", "윤하늘", "haneul"),
    ),
    Doc(
        "reuters.218923",
        "e_sports",
        "sports/golf",
        "hani-ko-old",
        "new",
        "2018-10-01 15:55",
        "2018-10-02 13:26",
        ("Oh Jun-ho", "오준호", "junho"),
        drop=(10,),
    ),
)
EN_FIRST_ID = 863801
KO_FIRST_ID = 863701
SEED_EN_ID = 684758
SEED_KO_URL = f"{KO_HOST}/arti/international/america/684736.html"


# -- reading NTREX -------------------------------------------------------------------


def load_ntrex() -> dict[str, tuple[list[str], list[str]]]:
    """English and Korean lines of every NTREX document, in file order."""
    ids = (NTREX / "DOCUMENT_IDS.tsv").read_text(encoding="utf-8").splitlines()
    en = (NTREX / "newstest2019-src.eng.txt").read_text(encoding="utf-8").splitlines()
    ko = (NTREX / "newstest2019-ref.kor.txt").read_text(encoding="utf-8").splitlines()
    assert len(ids) == len(en) == len(ko), "NTREX files are not line-aligned"
    docs: dict[str, tuple[list[str], list[str]]] = {}
    for doc_id, e, k in zip(ids, en, ko, strict=True):
        pair = docs.setdefault(doc_id.strip(), ([], []))
        pair[0].append(" ".join(e.split()))
        pair[1].append(" ".join(k.split()))
    return docs


def join_sentences(a: str, b: str) -> str:
    """Two sentences as one, the way an editor merges them: "A.", "B." -> "A; b"."""
    a = a.rstrip()
    if a.endswith("."):
        a = a[:-1]
    first, _, rest = b.partition(" ")
    if first in _LOWERABLE:
        b = first.lower() + " " + rest
    return f"{a}; {b}"


def english_sentences(doc: Doc, body: list[str]) -> list[str]:
    out: list[str] = []
    i = 0
    while i < len(body):
        if i in doc.drop:
            i += 1
        elif i in doc.join:
            assert i + 1 < len(body) and i + 1 not in doc.drop, doc
            out.append(join_sentences(body[i], body[i + 1]))
            i += 2
        else:
            out.append(body[i])
            i += 1
    return out


def group(items: list[str], rng: random.Random, sizes: tuple[int, ...], weights: tuple[int, ...]) -> list[list[str]]:
    """Cut ``items`` into runs whose lengths are drawn from ``sizes``."""
    out: list[list[str]] = []
    i = 0
    while i < len(items):
        n = rng.choices(sizes, weights)[0]
        out.append(items[i : i + n])
        i += n
    return out


# -- page templates ------------------------------------------------------------------


def esc(text: str) -> str:
    return html.escape(text, quote=True)


def en_date(stamp: str, form: str) -> str:
    if form == "new":
        return stamp
    day, clock = stamp.split()
    y, m, d = (int(x) for x in day.split("-"))
    return f"{MONTHS[m - 1]}.{d},{y} {clock}"


def en_page(
    *,
    url_path: str,
    section: str,
    title: str,
    posted: str,
    modified: str | None,
    subtitle: str | None,
    caption: str | None,
    paragraphs: list[str],
    byline: str,
    original: str,
    related: list[tuple[str, str]],
    most_viewed: list[tuple[str, str]],
    use_p: bool,
) -> str:
    """An English-edition article page in the site's markup."""
    section_names = {
        "e_national": "National",
        "e_northkorea": "North Korea",
        "e_international": "International",
        "e_business": "Business",
        "e_entertainment": "Entertainment",
        "e_sports": "Sports",
        "e_editorial": "Editorial",
    }
    section_name = section_names.get(section, section)
    dates = f'<span class="date">Posted on : {esc(posted)} KST</span>'
    if modified:
        dates += f' <span class="date">Modified on : {esc(modified)} KST</span>'
    image = ""
    if caption:
        image = (
            '<div class="image-area"><div class="imageC"><div class="image">'
            f'<img src="http://img.hani.co.kr/imgdb/resize/english/{url_path.rsplit("/", 1)[-1][:-5]}_1.jpg" '
            f'alt="{esc(caption)}"><p class="photo-caption">{esc(caption)}</p></div>'
            f'<div class="desc">{esc(caption)}</div></div></div>\n'
        )
    if use_p:
        body = "\n".join(f"    <p>{esc(p)}</p>" for p in paragraphs)
        tail = (
            f"    <p>&nbsp;</p>\n    <p>{esc(byline)}</p>\n    <p>&nbsp;</p>\n"
            "    <p>Please direct questions or comments to [english@hani.co.kr]</p>\n"
        )
    else:
        body = "<br /><br />\n".join(f"    {esc(p)}" for p in paragraphs) + "<br /><br />"
        tail = (
            f"    &nbsp;<br /><br />\n    {esc(byline)}<br /><br />\n    &nbsp;<br /><br />\n"
            '    Please direct questions or comments to [<a href="mailto:english@hani.co.kr">english@hani.co.kr</a>]'
            "<br /><br />\n"
        )
    rel = "\n".join(f'       <li><a href="{esc(u)}">{esc(t)}</a></li>' for u, t in related)
    most = "\n".join(f'       <li><a href="{esc(u)}">{esc(t)}</a></li>' for u, t in most_viewed)
    sub = f'   <div class="subtitle">{esc(subtitle)}</div>\n' if subtitle else ""
    return f"""<!DOCTYPE html>
<html lang="en">
<head>
<meta charset="utf-8">
<title>{esc(title)} : {esc(section_name)} : News : The Hankyoreh</title>
<meta property="og:title" content="{esc(title)}">
<meta property="og:url" content="{EN_HOST}{url_path}">
<link rel="stylesheet" href="/css/english.css">
<script type="text/javascript">var _section = "{section}";</script>
</head>
<body>
<div id="header">
  <h1 class="logo"><a href="/"><img src="/images/logo_english.gif" alt="The Hankyoreh"></a></h1>
  <ul class="gnb">
    <li><a href="/arti/english_edition/e_national/">National</a></li>
    <li><a href="/arti/english_edition/e_northkorea/">North Korea</a></li>
    <li><a href="/arti/english_edition/e_international/">International</a></li>
    <li><a href="/arti/english_edition/e_business/">Business</a></li>
    <li><a href="/arti/english_edition/e_editorial/">Editorial</a></li>
  </ul>
</div>
<div id="container">
 <div id="contents-article">
  <div class="article-head">
    <p class="category"><a href="/arti/english_edition/{section}/">{esc(section_name)}</a></p>
    <h2 id="titleapp" class="title"><div>{esc(title)}</div></h2>
    <div class="headline-data">{dates}</div>
  </div>
  <div class="article-body">
{sub}   <div id="bodyapp" class="article-contents">
    {image}{body}
{tail}    <div class="original-article"><a href="{esc(original)}" target="_blank"><img src="/images/btn_original_article.gif" alt="button that move to original korean article (클릭시 원문으로 이동하는 버튼)"></a></div>
   </div>
   <div class="related-stories">
     <h4>Related stories</h4>
     <ul>
{rel}
     </ul>
   </div>
  </div>
 </div>
 <div id="aside">
   <div class="most-viewed">
     <h3>Most viewed articles</h3>
     <ol>
{most}
     </ol>
   </div>
 </div>
</div>
<div id="footer"><p>Copyright © The Hankyoreh. All rights reserved.</p></div>
</body>
</html>
"""


_KO_SECTION_NAMES = {
    "politics": "정치",
    "international": "국제",
    "economy": "경제",
    "culture": "문화",
    "sports": "스포츠",
    "defense": "국방·북한",
    "america": "미국·중남미",
    "asiapacific": "아시아·태평양",
    "china": "중국",
    "it": "IT",
    "economy_general": "경제일반",
    "music": "음악",
    "golf": "골프",
}


def ko_old_page(
    *,
    url: str,
    section: str,
    title: str,
    published: str,
    modified: str,
    paragraphs: list[str],
    byline_name: str,
    email: str,
    charset: str,
) -> str:
    """A Korean article page in the pre-2023 layout."""
    top, sub = section.split("/")
    body = "<br /><br />".join(esc(p) for p in paragraphs)
    return f"""<!DOCTYPE html>
<html lang="ko">
<head>
<meta http-equiv="Content-Type" content="text/html; charset={charset}" />
<title>{esc(title)} : {_KO_SECTION_NAMES[sub]} : {_KO_SECTION_NAMES[top]} : 뉴스 : 한겨레</title>
<meta property="og:title" content="{esc(title)}" />
<meta property="og:url" content="{url}" />
<script type="text/javascript">var article_id = "{url.rsplit("/", 1)[-1][:-5]}";</script>
</head>
<body>
<div id="wrap">
<div id="header"><h1><a href="/"><img src="//img.hani.co.kr/section-image/12/news/hani/images/logo.png" alt="한겨레" /></a></h1></div>
<div id="container">
 <div id="contents-article">
  <div id="article_view_headline" class="article-head">
    <p class="category"><strong><a href="/arti/{top}/">{_KO_SECTION_NAMES[top]}</a></strong> <a href="/arti/{section}/">{_KO_SECTION_NAMES[sub]}</a></p>
    <h4><span class="title">{esc(title)}</span></h4>
    <p class="date-time"><span><em>등록</em> :{published}</span><span><em>수정</em> :{modified}</span></p>
  </div>
  <div class="article-body type01">
   <div class="a-left">
    <div id="a-left-scroll-start"><div id="a-left-scroll-in">
     <div class="article-text">
      <div class="article-text-font-size">
       <div class="text">
        <div class="image-area"><div class="imageC"><div class="image"><img src="//img.hani.co.kr/imgdb/resize/2018/1001/{url.rsplit("/", 1)[-1][:-5]}_1.JPG" alt="" /></div><div class="desc" style="width:600px;">연합뉴스</div></div></div>
        {body}<br /><br />{esc(byline_name)} <a href="mailto:{email}">{email}</a><br /><br /><a href="http://www.hani.co.kr/arti/opinion/" target="_blank">▶ 한겨레 절친이 되어 주세요! 신문 구독신청 하기</a><br />
       </div>
      </div>
     </div>
     <div class="kiza-info"><p class="name"><strong>{esc(byline_name)}</strong></p></div>
    </div></div>
   </div>
  </div>
 </div>
</div>
<div id="footer"><p>Copyright ⓒ The Hankyoreh. All rights reserved.</p></div>
</div>
</body>
</html>
"""


def ko_2023_page(
    *,
    url: str,
    section: str,
    title: str,
    published: str,
    modified: str,
    paragraphs: list[str],
    reporter: str,
    byline_name: str,
    email: str,
) -> str:
    """A Korean article page in the 2023+ layout (hashed class names, ads, audio player)."""
    top, sub = section.split("/")
    ident = url.rsplit("/", 1)[-1][:-5]
    parts = []
    for i, p in enumerate(paragraphs):
        parts.append(f'    <p class="text">{esc(p)}</p>')
        if i == 1:
            parts.append(
                '    <div class="ArticleDetailContent_adWrap__xYVGB"><div class="BaseAd_adWrapper__kTNSx">'
                '<span class="sr-only">광고</span><div class="BaseAd_ad__a8Tzq"></div></div></div>'
            )
    body = "\n".join(parts)
    iso_pub = published.replace(" ", "T") + ":00+09:00"
    iso_mod = modified.replace(" ", "T") + ":00+09:00"
    return f"""<!DOCTYPE html><html lang="ko"><head><meta charSet="utf-8"/><meta name="viewport" content="width=device-width, initial-scale=1"/><title>{esc(title)} | 한겨레</title><meta property="og:title" content="{esc(title)}"/><meta property="og:url" content="{url}"/><meta property="article:published_time" content="{iso_pub}"/><meta property="article:modified_time" content="{iso_mod}"/><link rel="canonical" href="{url}"/><script src="/_next/static/chunks/main-3f1a2b.js" defer=""></script></head>
<body><div id="__next"><header class="Header_header__Wp5Q1"><a class="Header_logo__f1T2x" href="/"><img alt="한겨레" src="/_next/static/media/logo.svg"/></a></header>
<main class="ArticleDetail_main__r1mNf">
<article id="renewal2023" class="ArticleDetailView_article__Ah2nC">
  <div class="ArticleDetailView_breadcrumb___UwRC"><a href="/arti/{top}">{_KO_SECTION_NAMES[top]}</a><a href="/arti/{section}">{_KO_SECTION_NAMES[sub]}</a></div>
  <h3 class="ArticleDetailView_title__9kRU_">{esc(title)}</h3>
  <div class="ArticleDetailView_articleDetail__IT2fh">
    <div class="ArticleDetailView_reporterList__waOKp"><a class="ArticleDetailView_reporterLink__UzTVy" href="/arti/JOURNALIST/1">{esc(reporter)}</a>기자</div>
    <ul class="ArticleDetailView_dateList__tniXJ">
      <li class="ArticleDetailView_dateListItem__mRc3d">등록 <span>{published}</span></li>
      <li class="ArticleDetailView_dateListItem__mRc3d">수정 <span>{modified}</span></li>
    </ul>
  </div>
  <div class="ArticleDetailView_audioWrap__559ME"><div class="ArticleDetailAudioPlayer_wrap__hX2pQ"><button type="button"><img src="/_next/static/media/audio_play.svg" width="32" height="32"/></button><span class="ArticleDetailAudioPlayer_label__o3Bv1">기사를 읽어드립니다</span><span>0:00</span></div></div>
  <div class="article-text">
    <div class="ArticleDetailContent_imageContainer___o_gm"><figure class="ArticleDetailContent_imageArea__EILpj"><div class="ArticleDetailContent_imageWrap__o8GzH"><picture><img width="970" height="646" src="https://flexible.img.hani.co.kr/flexible/normal/970/646/imgdb/original/2018/1001/{ident}_1.jpg" alt="연합뉴스"/></picture></div><figcaption class="ArticleDetailContent_figcaption__Aq2sU">연합뉴스</figcaption></figure></div>
{body}
    <p class="text">{esc(byline_name)} <a href="mailto:{email}">{email}</a></p>
  </div>
  <div class="ArticleDetailView_supportWrap__q9WbE"><p class="ArticleDetailView_supportText__t3V1p">독립 언론 한겨레를 응원해주세요</p><a href="https://support.hani.co.kr">후원하기</a><a href="https://hani.co.kr/subscribe">구독하기</a></div>
</article>
</main>
<footer class="Footer_footer__Bq1y2"><div class="Footer_copyrightBottom__m42f5">© 한겨레신문사 All Rights Reserved. 무단 전재, 재배포, AI 학습 및 활용 금지</div></footer>
</div></body></html>
"""


# -- the build -----------------------------------------------------------------------


@dataclass
class Built:
    doc: Doc
    en_url: str
    ko_url: str
    title: str
    en_sentences: list[str]
    ko_lines: list[str]


def en_url_of(doc: Doc, k: int) -> str:
    return f"{EN_HOST}/arti/english_edition/{doc.en_section}/{EN_FIRST_ID + k}.html"


def ko_url_of(doc: Doc, k: int) -> str:
    return f"{KO_HOST}/arti/{doc.ko_section}/{KO_FIRST_ID + k}.html"


def build_pair(cache: PageCache, doc: Doc, k: int, ntrex: dict, titles: list[tuple[str, str]]) -> Built:
    en_lines, ko_lines = ntrex[doc.ntrex_id]
    rng = random.Random(zlib.crc32(doc.ntrex_id.encode("ascii")))
    en_title, en_body = en_lines[0], en_lines[1:]
    ko_title, ko_body = ko_lines[0], ko_lines[1:]
    en_sents = english_sentences(doc, en_body)
    en_paras = [" ".join(g) for g in group(en_sents, rng, (1, 2, 3), (9, 8, 3))]
    ko_paras = [" ".join(g) for g in group(ko_body, rng, (1, 2), (7, 3))]
    en_url, ko_url = en_url_of(doc, k), ko_url_of(doc, k)
    en_path = en_url[len(EN_HOST) :]
    others = [t for j, t in enumerate(titles) if j != k]
    name_en, name_ko, user = doc.reporter
    if doc.dateline:
        en_byline = f"By {name_en}, {'Washington' if doc.dateline == '워싱턴' else 'Beijing'} correspondent"
        ko_byline = f"{doc.dateline}/{name_ko} 특파원"
    else:
        en_byline = f"By {name_en}, staff reporter"
        ko_byline = f"{name_ko} 기자"
    modified_ko = doc.ko_time[:-5] + f"{(int(doc.ko_time[-5:-3]) + 1) % 24:02d}" + doc.ko_time[-3:]
    page = en_page(
        url_path=en_path,
        section=doc.en_section,
        title=en_title,
        posted=en_date(doc.en_time, doc.en_dates),
        modified=en_date(doc.en_time, doc.en_dates) if doc.en_dates == "new" else None,
        subtitle=None,
        caption=("Photo: Yonhap News" if k % 3 else None),
        paragraphs=en_paras,
        byline=en_byline,
        original=ko_url,
        related=others[k % len(others) :][:2] or others[:2],
        most_viewed=others[:3],
        use_p=(doc.en_dates == "old"),
    )
    cache.put(en_url, page.encode("utf-8"))
    email = f"{user}@example.com"
    if doc.ko_layout == "hani-ko-old":
        charset = "euc-kr" if doc.euc_kr else "utf-8"
        ko_html = ko_old_page(
            url=ko_url,
            section=doc.ko_section,
            title=ko_title,
            published=doc.ko_time,
            modified=modified_ko,
            paragraphs=ko_paras,
            byline_name=ko_byline,
            email=email,
            charset=charset,
        )
        data = ko_html.encode("cp949", errors="xmlcharrefreplace") if doc.euc_kr else ko_html.encode("utf-8")
    else:
        ko_html = ko_2023_page(
            url=ko_url,
            section=doc.ko_section,
            title=ko_title,
            published=doc.ko_time,
            modified=modified_ko,
            paragraphs=ko_paras,
            reporter=name_ko,
            byline_name=ko_byline,
            email=email,
        )
        data = ko_html.encode("utf-8")
    cache.put(ko_url, data)
    return Built(doc, en_url, ko_url, en_title, en_sents, ko_body)


def build_seed(cache: PageCache) -> tuple[str, int]:
    """The seed article as an English-edition page whose Korean original is not cached."""
    lines = [ln.rstrip() for ln in SEED.read_text(encoding="utf-8").splitlines()]
    title = lines[0]
    i = next(n for n, ln in enumerate(lines) if ln.startswith("Posted on"))
    posted = lines[i].split("Posted on :")[1].split("KST")[0].strip()
    modified = lines[i].split("Modified on :")[1].split("KST")[0].strip()
    subtitle = lines[i + 1].strip()
    caption = lines[i + 2].strip()
    assert lines[i + 3].strip() == caption, "the seed's caption should appear twice"
    body: list[str] = []
    byline = ""
    for ln in lines[i + 4 :]:
        text = ln.strip()
        if text.startswith("By "):
            byline = text
            break
        if text:
            body.append(text)
    url = f"{EN_HOST}/arti/english_edition/e_international/{SEED_EN_ID}.html"
    page = en_page(
        url_path=url[len(EN_HOST) :],
        section="e_international",
        title=title,
        posted=posted,
        modified=modified,
        subtitle=subtitle,
        caption=caption,
        paragraphs=body,
        byline=byline,
        original=SEED_KO_URL,
        related=[],
        most_viewed=[],
        use_p=True,
    )
    cache.put(url, page.encode("utf-8"))
    return url, len(body)


def check(cache: PageCache, built: list[Built], seed_url: str, seed_paras: int) -> None:
    """Parse every page back: the parsers must see exactly the text that was put in."""
    for b in built:
        en = parse_page(cache.get(b.en_url), b.en_url)
        ko = parse_page(cache.get(b.ko_url), b.ko_url)
        assert en.layout == "hani-en" and ko.layout == b.doc.ko_layout, (b.en_url, en.layout, ko.layout)
        assert en.original_url == b.ko_url, (en.original_url, b.ko_url)
        assert en.text.replace("\n\n", " ") == " ".join(b.en_sentences), b.en_url
        assert ko.text.replace("\n\n", " ") == " ".join(b.ko_lines), b.ko_url
        assert en.byline and ko.byline and en.published and ko.published, b.en_url
    seed = parse_page(cache.get(seed_url), seed_url)
    assert seed.original_url == SEED_KO_URL and not cache.has(SEED_KO_URL)
    assert len(seed.paragraphs) == seed_paras and seed.byline == "Park Hyun, Washington correspondent"


def write_docs(out: Path, built: list[Built], seed_url: str) -> None:
    shutil.copyfile(NTREX / "LICENSE.md", out / "LICENSE.md")
    rows = ["en_url\tko_url\tko_layout\tntrex_doc\ten_dates\ten_sentences\tko_lines\tdropped\tjoined"]
    table = [
        "| English page | Korean original | Korean layout | NTREX document | English edits |",
        "|---|---|---|---|---|",
    ]
    for b in built:
        d = b.doc
        edits = []
        if d.drop:
            edits.append("dropped sentence " + ", ".join(str(i + 1) for i in d.drop))
        if d.join:
            edits.append("joined sentences " + ", ".join(f"{i + 1}+{i + 2}" for i in d.join))
        layout = d.ko_layout + (" (EUC-KR)" if d.euc_kr else "")
        en_rel = b.en_url.split("://", 1)[1]
        ko_rel = b.ko_url.split("://", 1)[1]
        table.append(f"| `{en_rel}` | `{ko_rel}` | {layout} | `{d.ntrex_id}` | {'; '.join(edits) or '—'} |")
        rows.append(
            "\t".join(
                [
                    b.en_url,
                    b.ko_url,
                    layout,
                    d.ntrex_id,
                    d.en_dates,
                    str(len(b.en_sentences)),
                    str(len(b.ko_lines)),
                    ",".join(str(i + 1) for i in d.drop),
                    ",".join(str(i + 1) for i in d.join),
                ]
            )
        )
    rows.append("\t".join([seed_url, SEED_KO_URL, "(not cached)", "seed", "new", "", "", "", ""]))
    (out / "MANIFEST.tsv").write_text("\n".join(rows) + "\n", encoding="utf-8")
    seed_rel = seed_url.split("://", 1)[1]
    readme = f"""# Sample corpus

A small page cache in the layout `aligner run` reads: `pages/<host>/<path>`, made by
`corpora/build_sample.py` (deterministic; run it from the repository root to rebuild).
Try it with `aligner run corpora/sample`.

* {len(built)} English-edition pages under `pages/english.hani.co.kr/arti/english_edition/`,
  each linking through the original-article button to its Korean page under
  `pages/www.hani.co.kr/arti/`. The Korean pages alternate between the old layout and
  the 2023+ layout; one old page is EUC-KR encoded.
* One more English page, `{seed_rel}`, whose Korean original
  (`{SEED_KO_URL.split("://", 1)[1]}`) is deliberately **not** in the cache: a run reports it as unpaired.

The English side is edited the way the English edition is: in three articles one sentence
is left out (the Korean keeps it), in two articles two sentences are joined into one,
and paragraphs hold one to three sentences, while the Korean pages keep every line
(one or two a paragraph). `MANIFEST.tsv` lists each pair and its edits (sentence numbers
count from 1, after the headline).

{chr(10).join(table)}

## Sources and licences

**Article text.** Headlines and sentences come from **NTREX-128** — Christian Federmann,
Tom Kocmi and Ying Xin, 2022, "NTREX-128 – News Test References for MT Evaluation of 128
Languages", Proceedings of the First Workshop on Scaling Up Multilingual Evaluation
(SUMEval) — <https://github.com/MicrosoftTranslator/NTREX>, the English source
(`newstest2019-src.eng.txt`) and its Korean reference translation
(`newstest2019-ref.kor.txt`), licensed **CC BY-SA 4.0** (full text in `LICENSE.md`).
Documents used: {", ".join(f"`{b.doc.ntrex_id}`" for b in built)}. Changes: the edits
above, and the text set in page markup. These sample pages are shared under the same
licence. The page markup imitates the Hankyoreh's layouts; the URLs and article ids, the
reporter names, e-mail addresses (at example.com), dates, and the captions are invented.
The stories were not published by the Hankyoreh.

**The seed article** (`{seed_rel}`) is the text of a real Hankyoreh English-edition
article: The Hankyoreh English edition, 2015-03-30, "US official hints at bilateral
intelligence sharing agreement between Seoul and Tokyo", by Park Hyun, Washington
correspondent (`seeds/000_44b1d1decceb186f.txt` in this repository). Its page markup,
article id and the Korean original's URL are illustrative.
"""
    (out / "README.md").write_text(readme, encoding="utf-8")


def build(out: Path = OUT) -> list[Built]:
    """Write the sample corpus into ``out`` (its ``pages`` folder is replaced)."""
    ntrex = load_ntrex()
    pages = out / "pages"
    if pages.exists():
        shutil.rmtree(pages)
    out.mkdir(parents=True, exist_ok=True)
    cache = PageCache(out)
    titles = [(en_url_of(d, k), ntrex[d.ntrex_id][0][0]) for k, d in enumerate(DOCS)]
    built = [build_pair(cache, d, k, ntrex, titles) for k, d in enumerate(DOCS)]
    seed_url, seed_paras = build_seed(cache)
    check(cache, built, seed_url, seed_paras)
    write_docs(out, built, seed_url)
    return built


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description="Build the sample corpus (a Hankyoreh-style page cache).")
    parser.add_argument("--out", type=Path, default=OUT, help=f"corpus folder to write (default: {OUT})")
    args = parser.parse_args(argv)
    if not NTREX.is_dir():
        print(f"{NTREX}: NTREX data not found (it ships in corpora/source/ntrex)", file=sys.stderr)
        return 1
    built = build(args.out)
    n = sum(1 for _ in PageCache(args.out).iter_pages())
    print(f"wrote {n} pages ({len(built)} pairs and 1 unpaired English page) under {args.out / 'pages'}")
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
