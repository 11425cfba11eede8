"""Any other news page: trafilatura finds the main text, title, date and author.

A corpus builder may point the tool at pages from other sites (or Hankyoreh pages of a
layout we do not know); trafilatura's boilerplate removal is far better than anything
short we could write, so it is the fallback rather than a hand-made heuristic.
"""

from __future__ import annotations

import trafilatura
from lxml import etree

from aligner.model import Article
from aligner.sources.htmltext import canonical_url, clean_space, parse_iso_datetime

LAYOUT = "generic"
# Less than this is a menu or a caption that the extractor's fallbacks scraped, not a story.
MIN_BODY_CHARS = 40


def parse(html: str, url: str | None, root: etree._Element | None = None) -> Article:
    """Extract the article; ``lang`` is left empty for the caller to fill in."""
    if url is None and root is not None:
        url = canonical_url(root)
    doc = trafilatura.bare_extraction(
        html,
        url=url,
        include_comments=False,
        include_tables=False,
        include_images=False,
        with_metadata=True,
        deduplicate=False,
        favor_precision=True,
        date_extraction_params={"extensive_search": False, "original_date": True},
    )
    if doc is None:
        return Article(lang="", title="", paragraphs=[], url=url, layout=LAYOUT)
    meta = doc if isinstance(doc, dict) else doc.as_dict()
    text = meta.get("text") or ""
    paras = [clean_space(line) for line in text.splitlines()]
    title = clean_space(meta.get("title") or "")
    paras = [p for p in paras if p and p != title]
    if sum(len(p) for p in paras) < MIN_BODY_CHARS:
        paras = []
    date = meta.get("date")
    return Article(
        lang=meta.get("language") or "",
        title=title,
        paragraphs=paras,
        url=url or meta.get("url"),
        subtitle=clean_space(meta.get("description") or "") or None,
        published=parse_iso_datetime(date) if date and "T" in date else date,
        byline=clean_space(meta.get("author") or "") or None,
        layout=LAYOUT,
    )
