"""TMX 1.4 writer: the format CAT tools import as a translation memory.

One ``<tu>`` per bead, streamed with ``lxml.etree.xmlfile`` so a corpus of any size is
written in constant memory. Each ``<tu>`` carries ``tuid="PAIR-BEAD"``, ``<prop>`` elements
describing the bead (see :data:`TU_PROPS`), then two ``<tuv xml:lang=...>`` (source first),
each with one ``<seg>`` of plain text.

Empty beads (0-1, 1-0) are written when the caller passes them, with an empty ``<seg/>``
on the missing side: that is valid TMX and keeps both languages in every unit. Leaving them
out (most TM uses want that) is the caller's choice, made before the rows get here.

Characters that XML 1.0 cannot carry are removed from all text (see ``sanitize.xml_safe``);
escaping is lxml's. The files are validated in the tests against ``tmx14.dtd`` beside this
module and read back with translate-toolkit.
"""

from __future__ import annotations

from collections.abc import Iterable, Mapping
from datetime import UTC, datetime
from pathlib import Path

from lxml import etree

from aligner import __version__
from aligner.export.atomic import StrPath, atomic_write
from aligner.export.rows import check_langs, plain
from aligner.export.sanitize import xml_safe
from aligner.model import ExportRow

XML_LANG = "{http://www.w3.org/XML/1998/namespace}lang"

#: Where the DTD used to validate our output lives (shipped as package data).
DTD_PATH = Path(__file__).with_name("tmx14.dtd")

#: The ``<prop type=...>`` written on every ``<tu>``, in this order, then ``row.props``.
TU_PROPS = (
    "x-pair-id",  # corpus pair (article pair) id
    "x-bead-id",  # bead id in the corpus database
    "x-position",  # bead's position within its pair, 0-based
    "x-bead-type",  # "1-1", "2-1", "0-1", ...
    "x-src-sents",  # source sentence indexes, comma-separated ("" for none)
    "x-tgt-sents",  # target sentence indexes
    "x-confidence",  # estimated probability that the bead is right, [0, 1]
    "x-score",  # aligner's raw similarity score
    "x-status",  # unreviewed / accepted / rejected
    "x-origin",  # auto / manual
    "x-src-doc",  # source document URL or path
    "x-tgt-doc",  # target document URL or path
)


def prop_type(key: str) -> str:
    """TMX reserves no namespace for tools' own properties; the convention is an ``x-`` prefix."""
    key = xml_safe(key)
    return key if key.startswith("x-") else f"x-{key}"


def tmx_date(moment: datetime) -> str:
    """TMX's date form, ``YYYYMMDDThhmmssZ``, always in UTC."""
    if moment.tzinfo is None:
        moment = moment.replace(tzinfo=UTC)
    return moment.astimezone(UTC).strftime("%Y%m%dT%H%M%SZ")


def _ids(ids: Iterable[int]) -> str:
    return ",".join(str(i) for i in ids)


def tu_props(row: ExportRow) -> list[tuple[str, str]]:
    """The ``(type, value)`` pairs written as ``<prop>`` on the row's ``<tu>``."""
    values = [
        str(row.pair_id),
        str(row.bead_id),
        str(row.position),
        row.kind,
        _ids(row.src_ids),
        _ids(row.tgt_ids),
        repr(float(row.confidence)),
        repr(float(row.score)),
        plain(row.status),
        plain(row.origin),
        row.src_doc or "",
        row.tgt_doc or "",
    ]
    props = list(zip(TU_PROPS, values, strict=True))
    props += [(prop_type(plain(k)), plain(v)) for k, v in row.props.items()]
    return [(t, xml_safe(v)) for t, v in props]


def build_tu(row: ExportRow, src_lang: str, tgt_lang: str) -> etree._Element:
    """One bead as a ``<tu>`` element: props first, then the source and target ``<tuv>``."""
    tu = etree.Element("tu", tuid=f"{row.pair_id}-{row.bead_id}")
    for kind, value in tu_props(row):
        etree.SubElement(tu, "prop", type=kind).text = value
    for lang, text in ((src_lang, row.src_text), (tgt_lang, row.tgt_text)):
        tuv = etree.SubElement(tu, "tuv")
        tuv.set(XML_LANG, lang)
        etree.SubElement(tuv, "seg").text = xml_safe(text or "")
    return tu


def write_tmx(
    rows: Iterable[ExportRow],
    path: StrPath,
    *,
    src_lang: str = "en",
    tgt_lang: str = "ko",
    creation_tool: str = "aligner",
    creation_tool_version: str = __version__,
    header_props: Mapping[str, str] | None = None,
    creation_date: datetime | None = None,
) -> int:
    """Write ``rows`` as a TMX 1.4 file at ``path`` (atomically); return the number of TUs.

    ``header_props`` become ``<prop>`` elements in the header (keys get an ``x-`` prefix
    when they lack one). ``creation_date`` defaults to now; pass one for reproducible files.
    A row whose ``src_lang``/``tgt_lang`` is set and differs from the file's raises
    :class:`AlignerError` and nothing is written.
    """
    header = etree.Element(
        "header",
        {
            "creationtool": xml_safe(creation_tool),
            "creationtoolversion": xml_safe(creation_tool_version),
            "segtype": "sentence",
            "o-tmf": "aligner",
            "adminlang": "en",
            "srclang": src_lang,
            "datatype": "plaintext",
            "creationdate": tmx_date(creation_date or datetime.now(UTC)),
        },
    )
    for key, value in (header_props or {}).items():
        etree.SubElement(header, "prop", type=prop_type(str(key))).text = xml_safe(str(value))

    count = 0
    with atomic_write(path, "wb") as handle:
        with etree.xmlfile(handle, encoding="UTF-8") as xf:
            xf.write_declaration()
            with xf.element("tmx", version="1.4"):
                xf.write("\n")
                xf.write(header, pretty_print=True)
                with xf.element("body"):
                    xf.write("\n")
                    for row in check_langs(rows, src_lang, tgt_lang, path):
                        xf.write(build_tu(row, src_lang, tgt_lang), pretty_print=True)
                        count += 1
                xf.write("\n")
    return count
