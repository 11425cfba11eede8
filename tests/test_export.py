"""Exporters: TMX checked by a DTD and by translate-toolkit, TSV by pandas, Moses by line
counts, JSONL by json; arbitrary Unicode via hypothesis; atomic writes under failure."""

from __future__ import annotations

import csv
import json
import os
import stat
import subprocess
import tempfile
import tracemalloc
from collections.abc import Iterator
from datetime import UTC, datetime
from pathlib import Path

import pandas as pd
import pyarrow.parquet as pq
import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st
from lxml import etree
from translate.storage.tmx import tmxfile

from aligner.errors import AlignerError
from aligner.export import FORMATS, ExportResult, export_rows, output_paths
from aligner.export.atomic import atomic_write, atomic_write_many
from aligner.export.jsonl import write_jsonl
from aligner.export.moses import moses_paths, write_moses
from aligner.export.parquet import write_parquet
from aligner.export.rows import UNIT_COLUMNS
from aligner.export.tmx import DTD_PATH, TU_PROPS, write_tmx
from aligner.export.tsv import COLUMNS, read_tsv, write_tsv
from aligner.model import ExportRow, Origin, Status

XML_LANG = "{http://www.w3.org/XML/1998/namespace}lang"
DTD = etree.DTD(str(DTD_PATH))

# ---------------------------------------------------------------- reference behaviour
# Written independently of aligner.export.sanitize, from the XML 1.0 Char production.


def xml_allowed(ch: str) -> bool:
    cp = ord(ch)
    return cp in (0x9, 0xA, 0xD) or 0x20 <= cp <= 0xD7FF or 0xE000 <= cp <= 0xFFFD or 0x10000 <= cp <= 0x10FFFF


def expected_text(text: str) -> str:
    """Surrogate pairs joined into their character, then every XML-forbidden character dropped."""
    out: list[str] = []
    i = 0
    while i < len(text):
        ch = text[i]
        nxt = text[i + 1] if i + 1 < len(text) else ""
        if "\ud800" <= ch <= "\udbff" and "\udc00" <= nxt <= "\udfff":
            ch = chr(0x10000 + ((ord(ch) - 0xD800) << 10) + (ord(nxt) - 0xDC00))
            i += 1
        if xml_allowed(ch):
            out.append(ch)
        i += 1
    return "".join(out)


SPLITLINES_BREAKS = "\n\r\x0b\x0c\x1c\x1d\x1e\x85\u2028\u2029"


def expected_line(text: str) -> str:
    """A sentence as a Moses line: cleaned, CRLF and every other line break to one space."""
    text = expected_text(text).replace("\r\n", " ")
    return "".join(" " if ch in SPLITLINES_BREAKS else ch for ch in text)


def expected_field(text: str) -> str:
    """A text as a TSV field: a Moses line with each tab a space too."""
    return expected_line(text).replace("\t", " ")


def row(
    i: int,
    src: str = "",
    tgt: str = "",
    *,
    src_ids: tuple[int, ...] | None = None,
    tgt_ids: tuple[int, ...] | None = None,
    **fields: object,
) -> ExportRow:
    values: dict = dict(
        pair_id=7,
        bead_id=100 + i,
        position=i,
        src_lang="en",
        tgt_lang="ko",
        src_text=src,
        tgt_text=tgt,
        src_ids=(i,) if src_ids is None else src_ids,
        tgt_ids=(i,) if tgt_ids is None else tgt_ids,
        confidence=0.875,
        score=1.25,
        status="accepted",
        origin="auto",
        src_doc="https://english.hani.co.kr/arti/english_edition/e_national/1.html",
        tgt_doc="https://www.hani.co.kr/arti/society/society_general/2.html",
    )
    values.update(fields)
    return ExportRow(**values)  # type: ignore[arg-type]


TRICKY = [
    row(0, 'Moon said "no" & <left>; 3 > 2 ]]> done.', '문 대통령은 "아니다" & <떠났다>.'),
    row(1, "Tab\there, newline\nthere, CR\rand CRLF\r\nend", "줄\n바꿈\t탭"),
    row(2, "NUL\x00 BEL\x07 ESC\x1b lone\ud800 \udfff FFFE\ufffe FFFF\uffff", "제어\x01문자\x1f"),
    row(3, "RTL \u200fעברית\u200e mixed Ελληνικά العربية \u202edrawkcab\u202c", "한국어 English 日本語 😀"),
    row(4, "   leading and trailing spaces   ", " "),
    row(5, "", "영어 쪽이 빠진 문장.", src_ids=()),  # a 0-1 bead
    row(6, "Added context for foreign readers.", "", tgt_ids=()),  # a 1-0 bead
    row(7, "Two sentences. Joined here.", "두 문장.", src_ids=(7, 8), tgt_ids=(6,)),
    row(8, "NEL\x85 LS\u2028 PS\u2029 VT FF gone", "끝", status=Status.REJECTED, origin=Origin.MANUAL),
]


def read_tmx(path: Path) -> tmxfile:
    with open(path, "rb") as handle:
        return tmxfile(handle, sourcelanguage="en", targetlanguage="ko")


def tuv_langs(unit) -> list[str]:
    return [node.get(XML_LANG) for node in unit.getlanguageNodes()]


def assert_valid_tmx(path: Path) -> etree._ElementTree:
    doc = etree.parse(str(path))
    assert DTD.validate(doc), DTD.error_log.filter_from_errors()
    return doc


# ---------------------------------------------------------------- TMX


def test_tmx_validates_against_dtd_and_reads_back_with_translate_toolkit(tmp_path: Path) -> None:
    path = tmp_path / "corpus.tmx"
    assert write_tmx(TRICKY, path) == len(TRICKY)
    assert_valid_tmx(path)

    store = read_tmx(path)
    assert len(store.units) == len(TRICKY)
    for unit, r in zip(store.units, TRICKY, strict=True):
        assert unit.source == expected_text(r.src_text)
        assert unit.target == expected_text(r.tgt_text)
        assert tuv_langs(unit) == ["en", "ko"]
        assert unit.getid() == f"{r.pair_id}-{r.bead_id}"  # rows without a tuid of their own


def test_tmx_layout_header_and_props(tmp_path: Path) -> None:
    path = tmp_path / "corpus.tmx"
    when = datetime(2024, 5, 6, 7, 8, 9, tzinfo=UTC)
    write_tmx(
        TRICKY,
        path,
        header_props={"corpus": "hani-2024", "x-filter": "accepted"},
        creation_date=when,
        creation_tool_version="9.9",
    )
    raw = path.read_bytes()
    assert raw.startswith(b"<?xml version='1.0' encoding='UTF-8'?>\n<tmx version=\"1.4\">")

    root = assert_valid_tmx(path).getroot()
    header = root.find("header")
    assert header.attrib == {
        "creationtool": "aligner",
        "creationtoolversion": "9.9",
        "segtype": "sentence",
        "o-tmf": "aligner",
        "adminlang": "en",
        "srclang": "en",
        "datatype": "plaintext",
        "creationdate": "20240506T070809Z",
    }
    assert [(p.get("type"), p.text) for p in header.findall("prop")] == [
        ("x-corpus", "hani-2024"),
        ("x-filter", "accepted"),
    ]

    tus = root.find("body").findall("tu")
    first = tus[7]  # the 2-1 bead
    children = [child.tag for child in first]
    assert children == ["prop"] * (len(TU_PROPS) - 2) + ["tuv", "tuv"]  # no aligner estimate, no pair note
    props = {p.get("type"): p.text or "" for p in first.findall("prop")}
    assert props == {
        "x-pair-id": "7",
        "x-bead-id": "107",
        "x-position": "7",
        "x-bead-type": "2-1",
        "x-src-sents": "7,8",
        "x-tgt-sents": "6",
        "x-confidence": "0.875",
        "x-score": "1.25",
        "x-status": "accepted",
        "x-origin": "auto",
        "x-src-doc": TRICKY[7].src_doc,
        "x-tgt-doc": TRICKY[7].tgt_doc,
    }
    # enums are written by value, not by their Python names
    last = {p.get("type"): p.text for p in tus[8].findall("prop")}
    assert (last["x-status"], last["x-origin"]) == ("rejected", "manual")
    for tuv in first.findall("tuv"):
        assert [child.tag for child in tuv] == ["seg"]


REVIEWED = row(
    9,
    "The minister resigned.",
    "장관이 사임했다.",
    confidence=1.0,
    aligner_confidence=0.31,
    status="accepted",
    tuid="3f2a9c0d11e4b5a6c7d8",
    created_at="2024-05-01T09:00:00+00:00",
    created_by="aligner/engine-use",
    changed_at="2024-05-06T16:08:09+09:00",
    changed_by="kim <&> lee",
    note='checked against the "print" edition',
    pair_note="English edition drops the last paragraph",
)


def test_tmx_unit_carries_the_review(tmp_path: Path) -> None:
    """tuid, creation and change attributes in TMX's own UTC form, props for status, origin,
    both confidences and the pair's note, and the reviewer's note as a TMX <note>."""
    path = tmp_path / "reviewed.tmx"
    write_tmx([REVIEWED, TRICKY[0]], path)
    root = assert_valid_tmx(path).getroot()
    tu, plain_tu = root.find("body").findall("tu")
    assert tu.attrib == {
        "tuid": "3f2a9c0d11e4b5a6c7d8",
        "creationdate": "20240501T090000Z",
        "creationid": "aligner/engine-use",
        "changedate": "20240506T070809Z",  # 16:08:09 in Seoul is 07:08:09 UTC
        "changeid": "kim <&> lee",
    }
    props = {p.get("type"): p.text for p in tu.findall("prop")}
    assert [p.get("type") for p in tu.findall("prop")] == list(TU_PROPS)
    assert (props["x-confidence"], props["x-aligner-confidence"]) == ("1.0", "0.31")
    assert (props["x-status"], props["x-origin"]) == ("accepted", "auto")
    assert props["x-pair-note"] == "English edition drops the last paragraph"
    assert [n.text for n in tu.findall("note")] == ['checked against the "print" edition']
    assert [child.tag for child in tu][-3:] == ["note", "tuv", "tuv"]
    assert set(plain_tu.attrib) == {"tuid"} and plain_tu.find("note") is None  # nothing known, nothing claimed

    unit = read_tmx(path).units[0]
    assert unit.getid() == "3f2a9c0d11e4b5a6c7d8"
    assert unit.getnotes() == 'checked against the "print" edition'
    assert (unit.source, unit.target) == ("The minister resigned.", "장관이 사임했다.")


def test_tmx_empty_beads_have_empty_seg(tmp_path: Path) -> None:
    """0-1 and 1-0 beads the caller passes (the default policy leaves them out) are kept,
    with both languages present."""
    path = tmp_path / "empty-beads.tmx"
    write_tmx([TRICKY[5], TRICKY[6]], path)
    root = assert_valid_tmx(path).getroot()
    segs = [[tuv.find("seg").text or "" for tuv in tu.findall("tuv")] for tu in root.iter("tu")]
    assert segs == [["", "영어 쪽이 빠진 문장."], ["Added context for foreign readers.", ""]]
    store = read_tmx(path)
    assert [(u.source, u.target) for u in store.units] == [
        ("", "영어 쪽이 빠진 문장."),
        ("Added context for foreign readers.", ""),
    ]


def test_tmx_row_props_become_x_props(tmp_path: Path) -> None:
    path = tmp_path / "props.tmx"
    write_tmx([row(0, "a", "가", props={"section": "politics", "x-reviewer": "kim\x00"})], path)
    tu = assert_valid_tmx(path).getroot().find("body/tu")
    props = {p.get("type"): p.text for p in tu.findall("prop")}
    assert props["x-section"] == "politics"
    assert props["x-reviewer"] == "kim"


def test_tmx_other_language_pair(tmp_path: Path) -> None:
    path = tmp_path / "de-fr.tmx"
    write_tmx([row(0, "Hallo", "Bonjour", src_lang="de", tgt_lang="fr")], path, src_lang="de", tgt_lang="fr")
    root = assert_valid_tmx(path).getroot()
    assert root.find("header").get("srclang") == "de"
    assert [t.get(XML_LANG) for t in root.iter("tuv")] == ["de", "fr"]


def test_tmx_rejects_rows_in_other_languages(tmp_path: Path) -> None:
    path = tmp_path / "wrong.tmx"
    path.write_bytes(b"old")
    with pytest.raises(AlignerError, match="bead 100 of pair 7 has source language 'ko'"):
        write_tmx([row(0, "x", "y", src_lang="ko", tgt_lang="en")], path)
    assert path.read_bytes() == b"old"
    assert os.listdir(tmp_path) == ["wrong.tmx"]


@pytest.mark.parametrize(
    "bad",
    [
        # a required header attribute missing
        b'<tmx version="1.4"><header creationtool="a" creationtoolversion="1" segtype="sentence"'
        b' o-tmf="a" adminlang="en" datatype="plaintext"/><body/></tmx>',
        # segtype outside its enumeration
        b'<tmx version="1.4"><header creationtool="a" creationtoolversion="1" segtype="word"'
        b' o-tmf="a" adminlang="en" srclang="en" datatype="plaintext"/><body/></tmx>',
        # prop after tuv
        b'<tmx version="1.4"><header creationtool="a" creationtoolversion="1" segtype="sentence"'
        b' o-tmf="a" adminlang="en" srclang="en" datatype="plaintext"/><body><tu>'
        b'<tuv xml:lang="en"><seg>a</seg></tuv><prop type="x">1</prop></tu></body></tmx>',
        # tuv without xml:lang
        b'<tmx version="1.4"><header creationtool="a" creationtoolversion="1" segtype="sentence"'
        b' o-tmf="a" adminlang="en" srclang="en" datatype="plaintext"/><body><tu>'
        b"<tuv><seg>a</seg></tuv></tu></body></tmx>",
        # a tu with no tuv
        b'<tmx version="1.4"><header creationtool="a" creationtoolversion="1" segtype="sentence"'
        b' o-tmf="a" adminlang="en" srclang="en" datatype="plaintext"/><body><tu/></body></tmx>',
        # two segs in a tuv
        b'<tmx version="1.4"><header creationtool="a" creationtoolversion="1" segtype="sentence"'
        b' o-tmf="a" adminlang="en" srclang="en" datatype="plaintext"/><body><tu>'
        b'<tuv xml:lang="en"><seg>a</seg><seg>b</seg></tuv></tu></body></tmx>',
        # element inside prop
        b'<tmx version="1.4"><header creationtool="a" creationtoolversion="1" segtype="sentence"'
        b' o-tmf="a" adminlang="en" srclang="en" datatype="plaintext"><prop type="x"><hi/></prop>'
        b"</header><body/></tmx>",
    ],
)
def test_dtd_rejects_what_tmx_forbids(bad: bytes) -> None:
    assert not DTD.validate(etree.fromstring(bad))


def test_dtd_accepts_level_2_markup() -> None:
    """The inline elements are declared too (we write none, but the DTD should be complete)."""
    doc = etree.fromstring(
        b'<tmx version="1.4"><header creationtool="a" creationtoolversion="1" segtype="phrase"'
        b' o-tmf="a" adminlang="en" srclang="*all*" datatype="html" creationdate="20240101T000000Z">'
        b'<note>n</note><ude name="MacRoman" base="Macintosh"><map unicode="#xF8FF" code="#xF0"'
        b' ent="Apple_logo" subst="[Apple]"/></ude><prop type="x-a">1</prop></header><body>'
        b'<tu tuid="1" srclang="en" usagecount="2"><note>n</note><prop type="x-b">2</prop>'
        b'<tuv xml:lang="en"><prop type="x-c">3</prop><seg>A <bpt i="1" x="1">&lt;b&gt;</bpt>bold'
        b'<ept i="1">&lt;/b&gt;</ept> <ph x="2" assoc="p">&lt;br/&gt;</ph><it pos="begin">&lt;i&gt;'
        b'</it><hi type="x-term">term <ut>{u}</ut></hi><ph>&lt;img alt="<sub>alt</sub>"&gt;</ph>'
        b'</seg></tuv><tuv xml:lang="ko"><seg/></tuv></tu></body></tmx>'
    )
    assert DTD.validate(doc), DTD.error_log.filter_from_errors()


# ---------------------------------------------------------------- TSV, Moses, JSONL


def test_tsv_columns_and_round_trip(tmp_path: Path) -> None:
    path = tmp_path / "corpus.tsv"
    assert write_tsv(TRICKY + [REVIEWED], path) == len(TRICKY) + 1
    raw = path.read_text(encoding="utf-8")
    assert raw.split("\n", 1)[0].split("\t") == list(COLUMNS)  # no quotes anywhere
    assert '"""' not in raw and 'said "no" &' in raw  # a quote is a character, never doubled
    assert all(line.count("\t") == len(COLUMNS) - 1 for line in raw.split("\n")[:-1])
    frame = read_tsv(path)
    assert list(frame.columns) == list(COLUMNS)
    assert frame["src_text"].tolist() == [expected_field(r.src_text) for r in TRICKY + [REVIEWED]]
    assert frame["tgt_text"].tolist() == [expected_field(r.tgt_text) for r in TRICKY + [REVIEWED]]
    assert frame["bead_type"].tolist()[5:8] == ["0-1", "1-0", "2-1"]
    assert frame["src_ids"].tolist()[5:8] == ["", "6", "7,8"]
    assert frame.loc[8, ["status", "origin"]].tolist() == ["rejected", "manual"]
    assert frame["confidence"].tolist() == [0.875] * len(TRICKY) + [1.0]
    last = frame.iloc[-1]
    assert (last["tuid"], last["aligner_confidence"], last["changed_by"]) == (
        "3f2a9c0d11e4b5a6c7d8",
        0.31,
        "kim <&> lee",
    )
    assert (last["created_at"], last["changed_at"]) == ("2024-05-01T09:00:00Z", "2024-05-06T07:08:09Z")
    assert last["note"] == 'checked against the "print" edition'
    assert frame["aligner_confidence"].isna().tolist() == [True] * len(TRICKY) + [False]
    # what the README says: plain pandas with QUOTE_NONE reads every text as written
    plain = pd.read_csv(path, sep="\t", quoting=csv.QUOTE_NONE, keep_default_na=False, dtype=str)
    assert plain["src_text"].tolist() == frame["src_text"].tolist()
    assert plain["note"].tolist()[-1] == 'checked against the "print" edition'
    # and so does cut: column N is field N of every line
    column = COLUMNS.index("tgt_text") + 1
    assert column == 24  # the README's `cut -f 24 corpus.tsv`
    cut = subprocess.run(["cut", "-f", str(column), str(path)], capture_output=True, check=True)
    assert cut.stdout.decode("utf-8").split("\n")[:-1] == ["tgt_text"] + frame["tgt_text"].tolist()


def test_moses_files_are_line_aligned(tmp_path: Path) -> None:
    count, (en, ko) = write_moses(TRICKY, tmp_path / "train")
    assert (en.name, ko.name) == ("train.en", "train.ko")
    assert count == len(TRICKY)
    en_lines = en.read_bytes().decode("utf-8").split("\n")
    ko_lines = ko.read_bytes().decode("utf-8").split("\n")
    assert en_lines[-1] == ko_lines[-1] == ""
    assert en_lines[:-1] == [expected_line(r.src_text) for r in TRICKY]
    assert ko_lines[:-1] == [expected_line(r.tgt_text) for r in TRICKY]
    assert len(en.read_text(encoding="utf-8").splitlines()) == len(TRICKY)


def test_moses_tokenized(tmp_path: Path) -> None:
    rows = [row(0, 'Seoul\'s mayor, Oh, said: "No."', "서울시장은 아니라고 말했다.")]
    _, (en, ko) = write_moses(rows, tmp_path / "tok.txt", tokenize=True)
    assert (en.name, ko.name) == ("tok.en", "tok.ko")
    assert en.read_text(encoding="utf-8") == 'Seoul \'s mayor , Oh , said : " No . "\n'
    ko_tokens = ko.read_text(encoding="utf-8").split()
    assert ko_tokens[:3] == ["서울", "시장", "은"]
    assert ko_tokens[-1] == "."


def test_jsonl_round_trip(tmp_path: Path) -> None:
    path = tmp_path / "corpus.jsonl"
    rows = TRICKY + [row(9, "a", "가", props={"k": "v"}, confidence=float("nan")), REVIEWED]
    assert write_jsonl(rows, path) == len(rows)
    text = path.read_text(encoding="utf-8")
    assert "문 대통령" in text  # not \u-escaped
    lines = text.splitlines()
    assert len(lines) == len(rows)
    records = [json.loads(line) for line in lines]
    assert records[7] == {
        "tuid": "7-107",
        "pair_id": 7,
        "bead_id": 107,
        "position": 7,
        "src_ids": [7, 8],
        "tgt_ids": [6],
        "bead_type": "2-1",
        "confidence": 0.875,
        "aligner_confidence": None,
        "score": 1.25,
        "status": "accepted",
        "origin": "auto",
        "created_at": None,
        "created_by": None,
        "changed_at": None,
        "changed_by": None,
        "note": None,
        "pair_note": None,
        "src_doc": TRICKY[7].src_doc,
        "tgt_doc": TRICKY[7].tgt_doc,
        "src_lang": "en",
        "tgt_lang": "ko",
        "src_text": "Two sentences. Joined here.",
        "tgt_text": "두 문장.",
        "props": {},
    }
    assert list(records[7])[:-3] == list(UNIT_COLUMNS)  # the same columns, in the same order, as TSV
    last = records[10]
    assert (last["tuid"], last["confidence"], last["aligner_confidence"]) == ("3f2a9c0d11e4b5a6c7d8", 1.0, 0.31)
    assert (last["changed_at"], last["changed_by"]) == ("2024-05-06T07:08:09Z", "kim <&> lee")
    assert [r["src_text"] for r in records[:9]] == [expected_text(r.src_text) for r in TRICKY]
    assert (records[8]["status"], records[8]["origin"]) == ("rejected", "manual")
    assert records[9]["props"] == {"k": "v"}
    assert records[9]["confidence"] is None  # NaN has no strict-JSON spelling


# ---------------------------------------------------------------- export_rows


@pytest.mark.parametrize("fmt", FORMATS)
def test_export_rows_creates_parent_dirs_and_reports(tmp_path: Path, fmt: str) -> None:
    target = tmp_path / "deep" / "er" / f"corpus.{fmt}"
    result = export_rows(TRICKY, fmt, target, src_lang="en", tgt_lang="ko")
    assert isinstance(result, ExportResult)
    assert result.format == fmt
    assert result.count == len(TRICKY)
    assert result.paths == output_paths(fmt, target, "en", "ko")
    assert all(p.is_file() for p in result.paths)
    if fmt == "moses":
        assert [p.name for p in result.paths] == ["corpus.en", "corpus.ko"]


@pytest.mark.parametrize("fmt", FORMATS)
def test_empty_rows_give_valid_files(tmp_path: Path, fmt: str) -> None:
    result = export_rows(iter(()), fmt, tmp_path / f"empty.{fmt}", src_lang="en", tgt_lang="ko")
    assert result.count == 0
    if fmt == "tmx":
        root = assert_valid_tmx(result.paths[0]).getroot()
        assert root.find("body") is not None and len(root.find("body")) == 0
        assert read_tmx(result.paths[0]).units == []
    elif fmt == "tsv":
        frame = read_tsv(result.paths[0])
        assert list(frame.columns) == list(COLUMNS) and len(frame) == 0
    elif fmt == "parquet":
        table = pq.read_table(result.paths[0])
        assert table.num_rows == 0 and table.column_names == ["translation", *UNIT_COLUMNS]
    else:
        assert all(p.read_bytes() == b"" for p in result.paths)


def test_export_rows_errors(tmp_path: Path) -> None:
    with pytest.raises(AlignerError, match="unknown export format 'xlsx'"):
        export_rows(TRICKY, "xlsx", tmp_path / "c.xlsx", src_lang="en", tgt_lang="ko")
    with pytest.raises(AlignerError, match="tmx output is not tokenized"):
        export_rows(TRICKY, "tmx", tmp_path / "c.tmx", src_lang="en", tgt_lang="ko", tokenize=True)
    with pytest.raises(AlignerError, match="both 'en'"):
        export_rows(TRICKY, "moses", tmp_path / "c", src_lang="en", tgt_lang="en")
    (tmp_path / "adir.tsv").mkdir()
    with pytest.raises(AlignerError, match="is a directory"):
        export_rows(TRICKY, "tsv", tmp_path / "adir.tsv", src_lang="en", tgt_lang="ko")
    (tmp_path / "afile").write_text("x")
    with pytest.raises(AlignerError, match="cannot write") as info:
        export_rows(TRICKY, "jsonl", tmp_path / "afile" / "c.jsonl", src_lang="en", tgt_lang="ko")
    assert "\n" not in str(info.value)
    with pytest.raises(AlignerError, match="has target language 'ja'"):
        rows = [row(0, "a", "b", tgt_lang="ja")]
        export_rows(rows, "tsv", tmp_path / "c.tsv", src_lang="en", tgt_lang="ko")
    assert not (tmp_path / "c.tsv").exists()


def test_export_rows_fills_missing_languages_and_tokenizes(tmp_path: Path) -> None:
    rows = [row(0, "It's here.", "여기 있다.", src_lang="", tgt_lang="")]
    result = export_rows(rows, "jsonl", tmp_path / "t.jsonl", src_lang="en", tgt_lang="ko", tokenize=True)
    record = json.loads(result.paths[0].read_text(encoding="utf-8"))
    assert (record["src_lang"], record["tgt_lang"]) == ("en", "ko")
    assert record["src_text"] == "It 's here ."
    assert record["tgt_text"].split()[0] == "여기"
    result = export_rows(rows, "tsv", tmp_path / "t.tsv", src_lang="en", tgt_lang="ko", tokenize=True)
    assert read_tsv(result.paths[0])["src_text"].tolist() == ["It 's here ."]


# ---------------------------------------------------------------- atomic writes


def failing_rows(good: int) -> Iterator[ExportRow]:
    """Rows that break down part-way, like a database cursor that dies mid-export."""
    for i in range(good):
        yield row(i, f"sentence {i}", f"문장 {i}")
    raise RuntimeError("the row source broke")


@pytest.mark.parametrize("fmt", FORMATS)
def test_failure_mid_export_keeps_old_file_and_leaves_no_temp(tmp_path: Path, fmt: str) -> None:
    target = tmp_path / f"corpus.{fmt}"
    paths = output_paths(fmt, target, "en", "ko")
    old = {p: f"old {p.name} \x00\xff".encode("latin-1") for p in paths}
    for p, content in old.items():
        p.write_bytes(content)
    with pytest.raises(RuntimeError, match="broke"):
        # enough rows that the writers have flushed data to the temp file already
        export_rows(failing_rows(3_000), fmt, target, src_lang="en", tgt_lang="ko")
    assert {p: p.read_bytes() for p in paths} == old
    assert sorted(os.listdir(tmp_path)) == sorted(p.name for p in paths)


def test_atomic_write_replaces_only_on_success(tmp_path: Path) -> None:
    target = tmp_path / "f.txt"
    target.write_text("old")
    os.chmod(target, 0o640)
    with pytest.raises(ZeroDivisionError):
        with atomic_write(target) as handle:
            handle.write("new, half")
            handle.flush()
            assert len(os.listdir(tmp_path)) == 2  # the temp file sits next to the target
            raise ZeroDivisionError("failed while writing")
    assert target.read_text() == "old"
    assert os.listdir(tmp_path) == ["f.txt"]

    with atomic_write(target) as handle:
        handle.write("new 한글")
        assert target.read_text() == "old"  # not visible until the block ends
    assert target.read_text(encoding="utf-8") == "new 한글"
    assert stat.S_IMODE(target.stat().st_mode) == 0o640  # a rewrite keeps permissions
    assert os.listdir(tmp_path) == ["f.txt"]


def test_atomic_write_new_file_binary_and_umask(tmp_path: Path) -> None:
    target = tmp_path / "new.bin"
    old_umask = os.umask(0o022)
    try:
        with atomic_write(target, "wb") as handle:
            handle.write(b"\x00\x01")
    finally:
        os.umask(old_umask)
    assert target.read_bytes() == b"\x00\x01"
    assert stat.S_IMODE(target.stat().st_mode) == 0o644


def test_atomic_write_refuses_directory_and_read_modes(tmp_path: Path) -> None:
    with pytest.raises(AlignerError, match="is a directory"):
        with atomic_write(tmp_path):
            pass
    with pytest.raises(ValueError):
        with atomic_write(tmp_path / "x", "r+"):
            pass
    assert os.listdir(tmp_path) == []


def test_atomic_write_many_renames_none_unless_all_complete(tmp_path: Path) -> None:
    a, b = tmp_path / "c.en", tmp_path / "c.ko"
    a.write_text("old en")
    b.write_text("old ko")
    with pytest.raises(KeyError):
        with atomic_write_many([a, b]) as (fa, fb):
            fa.write("new en, complete")
            fb.write("new ko, half")
            raise KeyError("second file failed")
    assert (a.read_text(), b.read_text()) == ("old en", "old ko")
    assert sorted(os.listdir(tmp_path)) == ["c.en", "c.ko"]
    with atomic_write_many([a, b]) as (fa, fb):
        fa.write("new en")
        fb.write("new ko")
    assert (a.read_text(), b.read_text()) == ("new en", "new ko")
    with pytest.raises(ValueError):
        with atomic_write_many([a, tmp_path / "." / "c.en"]):
            pass


def test_moses_paths_follow_stem() -> None:
    assert moses_paths("out/corpus", "en", "ko") == (Path("out/corpus.en"), Path("out/corpus.ko"))
    assert moses_paths("out/corpus.txt", "en", "ko") == (Path("out/corpus.en"), Path("out/corpus.ko"))


# ---------------------------------------------------------------- streaming


def _peak_bytes(fmt: str, n: int, directory: Path) -> int:
    """Peak Python heap while exporting ``n`` beads of about 10 kB each."""

    def rows() -> Iterator[ExportRow]:
        for i in range(n):
            yield row(i, f"English sentence number {i}. " * 100, f"한국어 문장 번호 {i}. " * 200)

    tracemalloc.start()
    try:
        if fmt == "parquet":
            write_parquet(rows(), directory / f"big{n}.parquet", chunk_rows=50)
        else:
            export_rows(rows(), fmt, directory / f"big{n}.{fmt}", src_lang="en", tgt_lang="ko")
        return tracemalloc.get_traced_memory()[1]
    finally:
        tracemalloc.stop()


@pytest.mark.parametrize("fmt", FORMATS)
def test_writers_stream_in_flat_memory(tmp_path: Path, fmt: str) -> None:
    """Five times the beads must not need more memory: a writer that kept 800 more beads of
    10 kB would grow by about 8 MB (the Parquet writer holds one row group of 50 at a time)."""
    small = _peak_bytes(fmt, 200, tmp_path)
    large = _peak_bytes(fmt, 1_000, tmp_path)
    assert large - small < 2 * 1024 * 1024, f"{fmt}: peak {small / 1e6:.1f} MB -> {large / 1e6:.1f} MB"


# ---------------------------------------------------------------- property tests

SPECIALS = [
    "\x00",
    "\x01",
    "\x08",
    "\x0b",
    "\x0c",
    "\x1b",
    "\x7f",
    "\x85",
    "\t",
    "\n",
    "\r",
    "\r\n",
    "\u200e",
    "\u200f",
    "\u202e",
    "\u2028",
    "\u2029",
    "\ufeff",
    "\ufffe",
    "\uffff",
    "\ud800",
    "\udbff",
    "\udc00",
    "\udfff",
    "\ud83d\ude00",
    "😀",
    "\U0010ffff",
    '"',
    "'",
    "<",
    ">",
    "&",
    "]]>",
    "&amp;",
    "\\",
    ",",
    " ",
    "  ",
    "한국어",
    "English",
    "עברית",
    "العربية",
    "日本語",
]

texts = st.one_of(
    st.text(st.characters(exclude_categories=()), max_size=40),
    st.lists(
        st.one_of(st.sampled_from(SPECIALS), st.text(st.characters(exclude_categories=()), max_size=8)),
        max_size=12,
    ).map("".join),
    st.builds(
        lambda piece, n: piece * n,
        st.sampled_from(["가나다 ", "word\t", "a\r\nb "]),
        st.integers(50, 1500),
    ),
)
id_tuples = st.lists(st.integers(0, 500), max_size=4).map(tuple)
rows_strategy = st.lists(
    st.builds(
        lambda i, src, tgt, sids, tids, conf, score, doc, props: row(
            i, src, tgt, src_ids=sids, tgt_ids=tids, confidence=conf, score=score, src_doc=doc, props=props
        ),
        st.integers(0, 10_000),
        texts,
        texts,
        id_tuples,
        id_tuples,
        st.floats(0, 1),
        st.floats(allow_nan=False, allow_infinity=False),
        texts,
        st.dictionaries(st.text(max_size=5), texts, max_size=2),
    ),
    max_size=6,
)

PROPERTY = settings(max_examples=60, deadline=None, suppress_health_check=[HealthCheck.too_slow])


@PROPERTY
@given(rows_strategy)
def test_property_tmx(rows: list[ExportRow]) -> None:
    with tempfile.TemporaryDirectory() as tmp:
        path = Path(tmp) / "p.tmx"
        assert write_tmx(rows, path) == len(rows)
        doc = assert_valid_tmx(path)
        store = read_tmx(path)
        assert len(store.units) == len(rows)
        for unit, r in zip(store.units, rows, strict=True):
            assert unit.source == expected_text(r.src_text)
            assert unit.target == expected_text(r.tgt_text)
            assert tuv_langs(unit) == ["en", "ko"]
        for tu, r in zip(doc.getroot().iter("tu"), rows, strict=True):
            props = {p.get("type"): p.text or "" for p in tu.findall("prop")}
            assert props["x-src-doc"] == expected_text(r.src_doc)
            assert props["x-bead-type"] == r.kind


@PROPERTY
@given(rows_strategy)
def test_property_tsv(rows: list[ExportRow]) -> None:
    with tempfile.TemporaryDirectory() as tmp:
        path = Path(tmp) / "p.tsv"
        assert write_tsv(rows, path) == len(rows)
        frame = read_tsv(path)
        assert len(frame) == len(rows)
        assert frame["src_text"].tolist() == [expected_field(r.src_text) for r in rows]
        assert frame["tgt_text"].tolist() == [expected_field(r.tgt_text) for r in rows]
        assert frame["src_doc"].tolist() == [expected_field(r.src_doc) for r in rows]
        lines = path.read_bytes().decode("utf-8").split("\n")
        assert len(lines) == len(rows) + 2 and lines[-1] == ""  # header, one line a bead, final LF
        assert all(line.count("\t") == len(COLUMNS) - 1 for line in lines[:-1])
        assert frame["src_ids"].tolist() == [",".join(map(str, r.src_ids)) for r in rows]
        assert frame["confidence"].tolist() == [r.confidence for r in rows]
        assert frame["score"].tolist() == [r.score for r in rows]


@PROPERTY
@given(rows_strategy)
def test_property_moses(rows: list[ExportRow]) -> None:
    with tempfile.TemporaryDirectory() as tmp:
        count, (en, ko) = write_moses(rows, Path(tmp) / "p")
        assert count == len(rows)
        for path, side in ((en, "src_text"), (ko, "tgt_text")):
            text = path.read_bytes().decode("utf-8")
            assert len(text.splitlines()) == len(rows)
            with open(path, encoding="utf-8") as handle:  # universal newlines, as most readers
                assert sum(1 for _ in handle) == len(rows)
            assert text.split("\n")[:-1] == [expected_line(getattr(r, side)) for r in rows]


@PROPERTY
@given(rows_strategy)
def test_property_jsonl(rows: list[ExportRow]) -> None:
    with tempfile.TemporaryDirectory() as tmp:
        path = Path(tmp) / "p.jsonl"
        assert write_jsonl(rows, path) == len(rows)
        lines = path.read_bytes().decode("utf-8").splitlines()
        assert len(lines) == len(rows)
        for line, r in zip(lines, rows, strict=True):
            record = json.loads(line)
            assert record["src_text"] == expected_text(r.src_text)
            assert record["tgt_text"] == expected_text(r.tgt_text)
            assert record["src_ids"] == list(r.src_ids)
            assert record["confidence"] == r.confidence
            assert record["props"] == {expected_text(k): expected_text(v) for k, v in r.props.items()}
