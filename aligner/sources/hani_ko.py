"""The Hankyoreh Korean site (``www.hani.co.kr/arti/<section>/<sub>/<id>.html``), both layouts.

* ``hani-ko-old`` (until 2023): title ``#article_view_headline h4 span.title``, dates in
  ``p.date-time span`` ("등록 :2015-03-30 16:26", "수정 :..."), subtitle ``.subtitle``,
  body ``.article-text .text`` with paragraphs cut by ``<br><br>``.
* ``hani-ko-2023``: generated class names with hashed suffixes
  (``ArticleDetailView_title__9kRU_``), so they are matched by prefix; dates from
  ``meta[property=article:published_time]`` or the ``ArticleDetailView_dateListItem``
  entries; body ``div.article-text p.text``.

Dropped from both, because none of it is a sentence the English edition translates:
ads, the audio player, photo blocks and captions, the reporter's sign-off with e-mail
(kept in ``byline``), subscription and donation pleas ("한겨레 후원하기", "구독신청",
"▶" promo links) and copyright lines. Subheadings are dropped too: mid-body titles
(``cont-midtitle`` blocks, ``h2``-``h6``, a paragraph that is all ``<b>``/``<strong>``)
summarise the next paragraphs rather than being translated, and the English edition
seldom carries them; keeping them would add Korean sentences with no counterpart.
"""

from __future__ import annotations

import re
from urllib.parse import urlsplit

from lxml import etree

from aligner.model import Article
from aligner.sources.htmltext import (
    Para,
    canonical_url,
    class_has,
    clean_space,
    drop,
    drop_captions,
    drop_image_blocks,
    first,
    has_class,
    meta_content,
    paragraphs,
    parse_iso_datetime,
    parse_numeric_date,
    text_of,
)

LAYOUT_OLD = "hani-ko-old"
LAYOUT_2023 = "hani-ko-2023"

_EMAIL = re.compile(r"[\w.+-]+@[\w-]+(?:\.[\w-]+)+")
_ROLE_END = re.compile(
    r"(기자|특파원|논설위원|선임기자|객원기자|통신원|편집장|에디터|선임연구위원|연구위원|칼럼니스트|PD|피디)\s*$"
)
_PLEA_WORDS = (
    "후원하기",
    "후원회원",
    "구독신청",
    "구독 신청",
    "정기구독",
    "구독하기",
    "한겨레를 응원",
    "한겨레 구독",
    "뉴스레터 구독",
    "무단 전재",
    "무단전재",
    "재배포 금지",
    "All Rights Reserved",
)
_PROMO_MARKS = ("▶", "☞", "■ 한겨레", "ⓒ", "©")
_SECTION_PATH = re.compile(r"^/arti/((?:[^/]+/)*?[^/]+)/\d+\.html?$")
# Blocks that are never article text in either layout.
_JUNK = (
    ".//script | .//style | .//iframe"
    f" | .//*[{class_has('AudioPlayer')} or {class_has('audioWrap')} or {class_has('audio-')}"
    f" or {class_has('adWrap')} or {class_has('BaseAd')} or {class_has('ad-area')} or {class_has('ad_area')}"
    f" or {has_class('ad')} or {class_has('midtitle')} or {class_has('relation')} or {class_has('embeded')}"
    f" or {class_has('Support')} or {class_has('Donation')} or {class_has('subscribe')} or {class_has('kiza')}"
    f" or {class_has('sns')} or {class_has('copyright')}]"
    " | .//h1 | .//h2 | .//h3 | .//h4 | .//h5 | .//h6"
)


def layout_of(root: etree._Element) -> str | None:
    """Which Korean layout the page has, by its markers; None when it is neither."""
    if root.xpath(f"//*[{class_has('ArticleDetailView_')}] | //*[@id='renewal2023']"):
        return LAYOUT_2023
    if root.xpath("//*[@id='article_view_headline']"):
        return LAYOUT_OLD
    return None


def section_of(url: str | None) -> str | None:
    """``politics/defense`` for ``/arti/politics/defense/123.html``."""
    if not url:
        return None
    m = _SECTION_PATH.match(urlsplit(url).path)
    return m.group(1) if m else None


def is_byline(text: str) -> bool:
    """A reporter's sign-off: names and roles with or without e-mail, or e-mail alone."""
    rest = clean_space(_EMAIL.sub(" ", text)).strip(" ,/·")
    if not rest:
        return bool(_EMAIL.search(text))
    if len(rest) > 60 or rest.endswith((".", "다", "?", "!")):
        return False
    return all(_ROLE_END.search(part.strip()) for part in re.split(r"\s*,\s*", rest) if part.strip())


def is_plea(text: str) -> bool:
    """Subscription/donation pleas, promo links and copyright notes (short paragraphs only)."""
    if len(text) > 200:
        return False
    return text.startswith(_PROMO_MARKS) or any(w in text for w in _PLEA_WORDS)


def clean_body(paras: list[Para]) -> tuple[list[Para], str | None]:
    """Strip the trailer (byline, pleas) from the end, pleas anywhere, then subheadings."""
    byline_parts: list[str] = []
    end = len(paras)
    while end > 0:
        text = paras[end - 1].text
        if is_byline(text):
            byline_parts.insert(0, text)
        elif not is_plea(text):
            break
        end -= 1
    kept = [p for p in paras[:end] if not is_plea(p.text) and not p.heading]
    return kept, (clean_space(" ".join(byline_parts)) or None)


def _dates_old(root: etree._Element) -> tuple[str | None, str | None]:
    spans = root.xpath(
        f"//*[@id='article_view_headline']//p[{has_class('date-time')}]/span | //p[{has_class('date-time')}]/span"
    )
    published = modified = None
    for i, span in enumerate(spans):
        text = text_of(span)
        iso = parse_numeric_date(text)
        if "수정" in text or (i > 0 and "등록" not in text):
            modified = modified or iso
        else:
            published = published or iso
    return published, modified


def _dates_2023(root: etree._Element) -> tuple[str | None, str | None]:
    published = parse_iso_datetime(meta_content(root, "article:published_time"))
    modified = parse_iso_datetime(meta_content(root, "article:modified_time"))
    for li in root.xpath(f"//*[{class_has('ArticleDetailView_dateListItem')}]"):
        text = text_of(li)
        if "수정" in text:
            modified = modified or parse_numeric_date(text)
        elif "등록" in text:
            published = published or parse_numeric_date(text)
    return published, modified


def _title(root: etree._Element, layout: str) -> str:
    if layout == LAYOUT_2023:
        el = first(
            root, f"//h3[{class_has('ArticleDetailView_title')}]", f"//*[{class_has('ArticleDetailView_title')}]"
        )
    else:
        el = first(
            root,
            f"//*[@id='article_view_headline']//h4//span[{has_class('title')}]",
            "//*[@id='article_view_headline']//h4",
            f"//*[@id='article_view_headline']//*[{has_class('title')}]",
        )
    title = text_of(el)
    if not title:
        title = meta_content(root, "og:title") or text_of(first(root, "//title"))
        title = re.split(r"\s+[:|]\s+", title)[0] if title else ""
    return title


def _body(root: etree._Element, layout: str) -> etree._Element | None:
    if layout == LAYOUT_2023:
        return first(root, f"//div[{has_class('article-text')}]", f"//*[{has_class('article-text')}]")
    return first(
        root, f"//div[{has_class('article-text')}]//div[{has_class('text')}]", f"//div[{has_class('article-text')}]"
    )


def parse(root: etree._Element, url: str | None, layout: str) -> Article:
    """Read a Korean article page of the given layout. The caller checks the body is not empty."""
    url = url or canonical_url(root)
    if layout == LAYOUT_2023:
        published, modified = _dates_2023(root)
        sub = first(root, f"//*[{class_has('ArticleDetailView_subtitle')}]")
    else:
        published, modified = _dates_old(root)
        sub = first(
            root, f"//div[{has_class('article-text')}]//*[{has_class('subtitle')}]", f"//*[{has_class('subtitle')}]"
        )
    subtitle = text_of(sub, sep="\n") or None
    body = _body(root, layout)
    paras: list[Para] = []
    byline = None
    if body is not None:
        drop(body, f".//*[{has_class('subtitle')}] | .//*[{class_has('ArticleDetailView_subtitle')}]")
        drop(body, _JUNK)
        captions = drop_image_blocks(body)
        paras, byline = clean_body(paragraphs(body))
        paras = drop_captions(paras, captions)
    if byline is None and layout == LAYOUT_2023:
        byline = text_of(first(root, f"//*[{class_has('ArticleDetailView_reporterList')}]")) or None
    return Article(
        lang="ko",
        title=_title(root, layout),
        paragraphs=[p.text for p in paras],
        url=url,
        subtitle=subtitle,
        published=published,
        modified=modified,
        byline=byline,
        section=section_of(url),
        layout=layout,
    )
