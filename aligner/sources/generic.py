"""Any other news page: trafilatura finds the main text, title, date and author.

A corpus builder may point the tool at pages from other sites (or Hankyoreh pages of a
layout we do not know); trafilatura's boilerplate removal is far better than anything
short we could write, so it is the fallback rather than a hand-made heuristic.
"""

from __future__ import annotations

import copy

import lxml.html
from lxml import etree

from aligner.errors import InputError
from aligner.model import Article
from aligner.sources.htmltext import canonical_url, clean_space, parse_html, parse_iso_datetime

LAYOUT = "generic"
# Less than this is a menu or a caption that the extractor's fallbacks scraped, not a story.
MIN_BODY_CHARS = 40
#: Most characters of markup trafilatura is given. Its time grows faster than the page
#: (1.2 MB: 3 s, 2.5 MB: 11 s, 4.5 MB: 43 s on one core), while a news page is rarely
#: over 1 MB once its scripts and styles are gone.
MAX_EXTRACT_CHARS = 2_000_000
_NOT_TEXT = ".//script | .//style | .//noscript | .//template | .//svg | .//comment()"


def parse(html: str, url: str | None, root: etree._Element | None = None, item: str | None = None) -> Article:
    """Extract the article; ``lang`` is left empty for the caller to fill in.

    A page over MAX_EXTRACT_CHARS is given to the extractor without its scripts and
    styles, and refused (InputError naming ``item``) when that is still too long.
    """
    if url is None and root is not None:
        url = canonical_url(root)
    if len(html) > MAX_EXTRACT_CHARS:
        html = _without_scripts(root if root is not None else parse_html(html, item or url))
        if len(html) > MAX_EXTRACT_CHARS:
            raise InputError(
                item or url,
                f"{len(html)} characters of markup without scripts and styles, more than "
                f"the {MAX_EXTRACT_CHARS} the generic extractor is given",
            )
    import trafilatura  # here, not at the top: it takes a quarter second and only other sites need it

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


def _without_scripts(root: etree._Element) -> str:
    """The page's markup with scripts, styles and comments removed (the tree is left as it was)."""
    pruned = copy.deepcopy(root)
    for el in pruned.xpath(_NOT_TEXT):
        if el.getparent() is not None:
            el.drop_tree()  # keeps the text that follows the element
    return lxml.html.tostring(pruned, encoding="unicode")
