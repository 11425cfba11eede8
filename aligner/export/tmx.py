"""TMX 1.4b writer: the format CAT tools import as a translation memory.

One ``<tu>`` per bead, streamed with ``lxml.etree.xmlfile`` so a corpus of any size is
written in constant memory. Each ``<tu>`` carries the review facts TMX has attributes for:

* ``tuid``: the bead's stable name (:func:`aligner.store.unit_id`), the same in every run
  and every export while the bead and its documents stay the same;
* ``creationdate``/``creationid``: when the run aligned the pair, and the aligner that did
  it (``aligner/engine-use``);
* ``changedate``/``changeid``: the last reviewer action on the bead, and the reviewer
  (only when a person touched it); dates in UTC as ``YYYYMMDDThhmmssZ``.

Then ``<prop>`` elements (see :data:`TU_PROPS`: status, origin, the exported confidence,
which is 1.0 for a bead a person accepted or made, and the aligner's own estimate beside
it), a ``<note>`` with the reviewer's note when there is one, and two ``<tuv
xml:lang=...>`` (source first), each with one ``<seg>`` of plain text.

Empty beads (0-1, 1-0) are left out by the default export policy; when the caller passes
them they are written with an empty ``<seg/>`` on the missing side, which is valid TMX
and keeps both languages in every unit.

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
from aligner.export.rows import check_langs, plain, tmx_stamp
from aligner.export.sanitize import xml_safe
from aligner.model import ExportRow

XML_LANG = "{http://www.w3.org/XML/1998/namespace}lang"

#: Where the DTD used to validate our output lives (shipped as package data).
DTD_PATH = Path(__file__).with_name("tmx14.dtd")

#: The ``<prop type=...>`` written on a ``<tu>``, in this order, then ``row.props``. Those
#: marked optional are left out when the bead has no such value.
TU_PROPS = (
    "x-pair-id",  # corpus pair (article pair) id
    "x-bead-id",  # bead id in the corpus database
    "x-position",  # bead's position within its pair, 0-based
    "x-bead-type",  # "1-1", "2-1", "0-1", ...
    "x-src-sents",  # source sentence indexes, comma-separated ("" for none)
    "x-tgt-sents",  # target sentence indexes
    "x-confidence",  # 1.0 for a bead a person accepted or made, else the aligner's estimate
    "x-aligner-confidence",  # optional: the aligner's own estimate (none for a bead a person made)
    "x-score",  # aligner's raw similarity score
    "x-status",  # unreviewed / accepted / rejected
    "x-origin",  # auto / manual
    "x-src-doc",  # source document URL or path
    "x-tgt-doc",  # target document URL or path
    "x-pair-note",  # optional: the reviewer's note on the article pair
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


def _float(value: float) -> str:
    return repr(float(value))


def tu_props(row: ExportRow) -> list[tuple[str, str]]:
    """The ``(type, value)`` pairs written as ``<prop>`` on the row's ``<tu>``."""
    values: dict[str, str | None] = {
        "x-pair-id": str(row.pair_id),
        "x-bead-id": str(row.bead_id),
        "x-position": str(row.position),
        "x-bead-type": row.kind,
        "x-src-sents": _ids(row.src_ids),
        "x-tgt-sents": _ids(row.tgt_ids),
        "x-confidence": _float(row.confidence),
        "x-aligner-confidence": None if row.aligner_confidence is None else _float(row.aligner_confidence),
        "x-score": _float(row.score),
        "x-status": plain(row.status),
        "x-origin": plain(row.origin),
        "x-src-doc": row.src_doc or "",
        "x-tgt-doc": row.tgt_doc or "",
        "x-pair-note": row.pair_note or None,
    }
    props = [(kind, value) for kind, value in values.items() if value is not None]
    props += [(prop_type(plain(k)), plain(v)) for k, v in row.props.items()]
    return [(t, xml_safe(v)) for t, v in props]


def tu_attributes(row: ExportRow) -> dict[str, str]:
    """The ``<tu>`` attributes: its stable id, and who made and last changed it, when."""
    attrs = {"tuid": xml_safe(row.tuid or f"{row.pair_id}-{row.bead_id}")}
    for name, moment, who in (("creation", row.created_at, row.created_by), ("change", row.changed_at, row.changed_by)):
        stamp = tmx_stamp(moment)
        if stamp:
            attrs[f"{name}date"] = stamp
        if who:
            attrs[f"{name}id"] = xml_safe(plain(who))
    return attrs


def build_tu(row: ExportRow, src_lang: str, tgt_lang: str) -> etree._Element:
    """One bead as a ``<tu>`` element: props, the note if any, then the source and target ``<tuv>``."""
    tu = etree.Element("tu", tu_attributes(row))
    for kind, value in tu_props(row):
        etree.SubElement(tu, "prop", type=kind).text = value
    if row.note:
        etree.SubElement(tu, "note").text = xml_safe(row.note)
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
