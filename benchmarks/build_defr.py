"""Build a German–French alignment test set from Debian's translated man pages (a proxy).

Why: the engine's target includes strict F1 >= 0.94 on German–French book-style text,
and ``../shared/data`` has no German–French data. Debian's ``manpages-de`` and
``manpages-fr`` (manpages-l10n) are both made by po4a from the same English pages of one
release, so paragraph i of a German page and paragraph i of the French page translate the
same English paragraph: a paragraph-level gold. Pages whose request sequence differs are
dropped; so are paragraph pairs left in English, identical on both sides, not prose
(headings, option tags, synopsis, code, tables), short, or whose numbers and options
differ. Where both paragraphs split into as many sentences (``aligner.text.split``) that
agree pairwise, the sentences are the units, else the paragraph is one unit. The units of
a page form a document; ``build_sets`` then writes clean, edited and hard sets. Man-page
prose, not Text+Berg: report it as a proxy.

The translations are GPL-3+ and the originals under their own licences, so the text is
not committed: this script regenerates it, byte for byte, in ``benchmarks/work/eval-defr``::

    python -m benchmarks.build_defr --debs /tmp/mpl10n   # the two .debs already downloaded
    python -m benchmarks.build_defr                      # apt-get download them first
"""

from __future__ import annotations

import argparse
import gzip
import hashlib
import io
import json
import math
import random
import re
import shutil
import subprocess
import sys
import tarfile
from collections import Counter
from collections.abc import Iterator, Sequence
from dataclasses import dataclass, field
from pathlib import Path

from aligner.text.split import split_paragraph
from benchmarks.build_sets import (
    EDITS,
    Document,
    _format_bead,
    _write_lines,
    bead_kind,
    edit_documents,
    split_documents,
)

HERE = Path(__file__).resolve().parent


VERSION = "4.18.1-1"  # Debian bookworm
DEFAULT_OUT = HERE / "work" / "eval-defr"
SEED = "aligner-eval-defr-2024"
MIN_UNITS, MAX_UNITS, PAGE_UNITS, TARGET_UNITS, MIN_WORDS = 15, 120, 240, 2500, 6  # PAGE_UNITS: most per page
INLINE = {"UR", "UE", "MT", "ME", "URL", "MTO"}  # link macros: their text stays in the paragraph
NO_BREAK = {"", "ad", "na", "nh", "hy", "ss", "fam", "ft", "ll", "ne", "nr", "ds", "als", "PD", "ta", "if", "ie", "el"}
SKIP_SECTIONS = {"BEZEICHNUNG", "NOM", "ÜBERSICHT", "SYNOPSIS", "SIEHE AUCH", "VOIR AUSSI"}
END_SECTIONS = {"ÜBERSETZUNG", "TRADUCTION"}  # the translators' credits, different per language
CHARS = {  # groff special characters (groff_char(7)) met in these pages
    "em": "—",
    "en": "–",
    "hy": "-",
    "bu": "•",
    "aq": "'",
    "dq": '"',
    "lq": "“",
    "rq": "”",
    "oq": "‘",
    "cq": "’",
    "Fo": "«",
    "Fc": "»",
    "fo": "‹",
    "fc": "›",
    "co": "©",
    "rg": "®",
    "tm": "™",
    "mu": "×",
    "di": "÷",
    "+-": "±",
    ">=": "≥",
    "<=": "≤",
    "!=": "≠",
    "->": "→",
    "<-": "←",
    "ti": "~",
    "ha": "^",
    "rs": "\\",
    "sl": "/",
    "ba": "|",
    "at": "@",
    "sh": "#",
    "Do": "$",
    "de": "°",
    "sc": "§",
    "mc": "µ",
    "pl": "+",
    "mi": "−",
    "eq": "=",
    "**": "∗",
    "ga": "`",
    "aa": "´",
    "lB": "[",
    "rB": "]",
    "lC": "{",
    "rC": "}",
    "ss": "ß",
    ":a": "ä",
    ":o": "ö",
    ":u": "ü",
    ":A": "Ä",
    ":O": "Ö",
    ":U": "Ü",
    "'e": "é",
    "`e": "è",
    "^e": "ê",
    "`a": "à",
    ",c": "ç",
    "lA": "⇐",
    "rA": "⇒",
}
STRINGS = {"Aq": "'", "lq": "“", "rq": "”", "R": "®", "Tm": "™"}  # man's predefined strings
SIMPLE = {
    "-": "-",
    "e": "\\",
    " ": " ",
    "~": " ",
    "0": " ",
    "t": " ",
    ".": ".",
    "'": "´",
    "`": "`",
    "&": "",
    "/": "",
    ",": "",
    "|": "",
    "^": "",
    ":": "",
    "%": "",
    ")": "",
    "c": "",
}
ESCAPE = re.compile(
    r"\\(?:f(?:\[[^\]]*\]|\(..|.)|s[-+]?(?:\(\d\d|\[[^\]]*\]|\d)|\((..)|\[([^\]]*)\]"
    r"|\*(?:\((..)|\[([^\]]*)\]|(.))|(.))"
)
NUMBERS_AND_OPTIONS = re.compile(r"\d+|(?<![^\s(\[])--?[A-Za-z][\w-]*")  # an option follows a space or bracket
THOUSANDS = re.compile(r"(?<=\d)[\s.,\u202f](?=\d{3}(?!\d))")  # 1 048 576, 1.048.576
WORD = re.compile(r"\w+")
FINAL = ".!?:;)»”\"'"  # a paragraph ending otherwise leaves its sentence open


class OddEscape(ValueError):
    """An escape this converter does not know: the paragraph is dropped, not guessed."""


def plain(text: str, strings: dict[str, str] | None = None) -> str:
    """Groff text to plain text: fonts and sizes gone, special characters and strings resolved."""

    def one(m: re.Match) -> str:
        char, named, s2, snamed, s1, single = m.groups()
        if char or named:
            name = char or named
            if name.startswith("u") and re.fullmatch(r"u[0-9A-F]{4,5}", name):
                return chr(int(name[1:], 16))
            if name in CHARS:
                return CHARS[name]
            raise OddEscape(m.group())
        if s2 or snamed or s1:
            name = s2 or snamed or s1
            value = (strings or STRINGS).get(name)
            if value is None:
                raise OddEscape(m.group())
            return plain(value, None)
        if single is None:
            return ""  # a font or size change
        if single in SIMPLE:
            return SIMPLE[single]
        raise OddEscape(m.group())

    return ESCAPE.sub(one, text)


def macro_args(line: str) -> list[str]:
    """A request's arguments, groff-quoted (``""`` inside quotes is one quote)."""
    return [
        m[1].replace('""', '"') if m[1] is not None else m[2] for m in re.finditer(r'"((?:[^"]|"")*)"?|(\S+)', line)
    ]


@dataclass
class Block:
    """A stretch of a page between two breaks: its kind, the request that opened it, its section."""

    kind: str  # text, heading, tag, code, table
    macro: str
    section: str
    lines: list[str] = field(default_factory=list)

    def text(self, strings: dict[str, str]) -> str:
        """Plain text on one line (``\\c`` at a line end joins without a space); OddEscape if odd."""
        joined = "".join(line[:-2] if line.endswith("\\c") else line + "\n" for line in self.lines)
        return " ".join(plain(joined, strings).split())


@dataclass
class Page:
    blocks: list[Block]
    requests: list[str]  # every breaking request, in order: the page's structure
    strings: dict[str, str]


def heading(text: str, strings: dict[str, str]) -> str:
    try:
        return " ".join(plain(text, strings).split()).upper()
    except OddEscape:
        return text.upper()


def parse_page(source: str) -> Page:
    """Blocks of a man(7) page, from its first ``.SH`` to the translators' section."""
    blocks: list[Block] = []
    requests: list[str] = []
    strings = dict(STRINGS)
    kind, macro, section, skipping = "text", "", "", ""
    for raw in source.split("\n"):
        line = raw.split('\\"', 1)[0].rstrip()
        if skipping:  # inside .de ... .. or a \{ ... \} block
            skipping = "" if line.strip() == skipping or (skipping == "\\}" and skipping in line) else skipping
            continue
        control = line[:1] in (".", "'")
        name = line[1:].split(None, 1)[0] if control and line[1:].strip() else ""
        args = macro_args(line)[1:] if control else []
        if name == "ds" and len(args) >= 2:
            strings[args[0]] = line.split(None, 2)[2].lstrip('"')
        if name == "de" or (control and "\\{" in line and "\\}" not in line):
            skipping = ".." if name == "de" else "\\}"
            continue
        if not (blocks or name == "SH") or (control and name in NO_BREAK):
            continue
        if control and name in INLINE:  # link text stays in the paragraph; the address goes
            if (name in ("UE", "ME") and args) or (name in ("URL", "MTO") and len(args) > 1):
                blocks[-1].lines.append(" ".join(args[:1] if name in ("UE", "ME") else args[1:]))
            continue
        if not control and line.strip():
            if kind in ("heading", "tag") and blocks[-1].lines:  # a heading or tag is one input line
                kind = "text"
                blocks.append(Block("text", macro, section))
            blocks[-1].lines.append(line)
            if kind == "heading" and macro == "SH":
                section = heading(line, strings)
                if section in END_SECTIONS:
                    blocks.pop()
                    break
            continue
        requests.append(name or "blank")
        if name in ("SH", "SS", "TP", "TQ", "nf", "EX", "TS"):
            kind = {"SH": "heading", "SS": "heading", "TP": "tag", "TQ": "tag", "TS": "table"}.get(name, "code")
        elif name in ("fi", "EE", "TE") or kind not in ("code", "table"):
            kind = "text"
        else:
            continue  # a break inside code or a table
        macro = name
        blocks.append(Block(kind, macro, section))
        if kind == "heading" and args:
            section = heading(" ".join(args), strings) if name == "SH" else section
            blocks[-1].lines.append(" ".join(args))
            if section in END_SECTIONS:
                blocks.pop()
                break
    return Page([b for b in blocks if b.lines], requests, strings)


def tokens(text: str) -> set[str]:
    """Numbers (thousands separators removed) and command-line options: copied by translators."""
    return set(NUMBERS_AND_OPTIONS.findall(THOUSANDS.sub("", text)))


def language(text: str) -> str:
    from langdetect import DetectorFactory, detect
    from langdetect.lang_detect_exception import LangDetectException

    DetectorFactory.seed = 0  # langdetect is random unless seeded
    try:
        return detect(text)
    except LangDetectException:
        return "unknown"


def _paired_texts(de: Page, fr: Page, drops: Counter) -> list[tuple[Block, Block, str | None, str | None]]:
    """Each text block pair as plain text (None where an escape was not converted), with two
    repairs made on both sides alike: a bare ``.IP`` paragraph that continues a sentence the one
    before left open (help2man cuts ``--help`` text at its line ends) is joined to it, and the
    parts of a paragraph cut by code or a table (``Hierbei kann`` | code | ``in den ...``) go."""
    out: list[tuple[Block, Block, str | None, str | None]] = []
    blocks = list(zip(de.blocks, fr.blocks))
    for n, (b_de, b_fr) in enumerate(blocks):
        if b_de.kind != "text":
            continue
        try:
            t_de, t_fr = b_de.text(de.strings), b_fr.text(fr.strings)
        except OddEscape:
            t_de = t_fr = None
        nxt = blocks[n + 1][0].kind if n + 1 < len(blocks) else ""
        if b_de.macro in ("fi", "EE", "TE") or (
            nxt in ("code", "table") and not (t_de and t_fr and t_de[-1] in FINAL and t_fr[-1] in FINAL)
        ):
            drops["paragraph: part of a paragraph cut by code or a table"] += 1
            continue
        prev = out[-1] if out and n and blocks[n - 1][0] is out[-1][0] and b_de.macro == "IP" else None
        if prev and prev[2] and prev[3] and t_de and t_fr and (prev[2][-1] not in FINAL or prev[3][-1] not in FINAL):
            out[-1] = (b_de, b_fr, f"{prev[2]} {t_de}", f"{prev[3]} {t_fr}")
            drops["paragraph: joined to the one before (a sentence cut by .IP)"] += 1
            continue
        out.append((b_de, b_fr, t_de, t_fr))
    return out


def pair_paragraphs(de: Page, fr: Page, drops: Counter) -> list[tuple[str, str]] | None:
    """The prose paragraph pairs of a page, or None when the two pages differ in structure (or
    more of their prose pairs disagree on numbers and options than agree)."""
    if de.requests != fr.requests or [(b.kind, b.macro) for b in de.blocks] != [(b.kind, b.macro) for b in fr.blocks]:
        return None
    for b in de.blocks:
        if b.kind != "text":
            drops[f"paragraph: {b.kind}"] += 1
    pairs, before = [], drops["paragraph: numbers or options differ"]
    for b_de, b_fr, t_de, t_fr in _paired_texts(de, fr, drops):
        if b_de.section in SKIP_SECTIONS or b_fr.section in SKIP_SECTIONS:
            drops["paragraph: name, synopsis or see-also section"] += 1
        elif t_de is None or t_fr is None:
            drops["paragraph: escape not converted"] += 1
        elif min(len(WORD.findall(t_de)), len(WORD.findall(t_fr))) < MIN_WORDS:
            drops[f"paragraph: fewer than {MIN_WORDS} words"] += 1
        elif t_de == t_fr or language(t_de) != "de" or language(t_fr) != "fr":
            drops["paragraph: untranslated (identical or not German/French)"] += 1
        elif tokens(t_de) != tokens(t_fr):
            drops["paragraph: numbers or options differ"] += 1
        else:
            pairs.append((t_de, t_fr))
    differ = drops["paragraph: numbers or options differ"] - before
    if differ > len(pairs):  # most prose pairs disagree: the pages are not translations of one text
        return None
    return pairs


def agree(a: str, b: str) -> bool:
    """Two sentences that may well translate each other: same numbers/options, similar length."""
    return tokens(a) == tokens(b) and max(len(a), len(b)) <= 2.2 * min(len(a), len(b))


def to_units(pairs: Sequence[tuple[str, str]], counts: Counter) -> list[tuple[str, str]]:
    """Sentence pairs where both paragraphs split alike, else the paragraph pair as one unit."""
    units = []
    for t_de, t_fr in pairs:
        s_de, s_fr = split_paragraph(t_de, "de"), split_paragraph(t_fr, "fr")
        if len(s_de) == len(s_fr) > 1 and all(agree(a, b) for a, b in zip(s_de, s_fr)):
            units += zip(s_de, s_fr)
            counts["unit: sentence of a paragraph split alike"] += len(s_de)
        else:
            units.append((t_de, t_fr))
            counts[
                "unit: paragraph (sentence splits differ)"
                if max(len(s_de), len(s_fr)) > 1
                else "unit: one-sentence paragraph"
            ] += 1
    return units


# ---------------------------------------------------------------- reading the .debs


def deb_pages(deb: Path, lang: str) -> Iterator[tuple[str, str]]:
    """(``man7/signal.7``, source) for every regular man page file in a .deb (an ar archive)."""
    data = deb.read_bytes()
    pos = 8  # after "!<arch>\n"
    while pos < len(data):
        name, size = data[pos : pos + 16].decode().strip(), int(data[pos + 48 : pos + 58])
        body = data[pos + 60 : pos + 60 + size]
        pos += 60 + size + size % 2
        if name.startswith("data.tar"):
            with tarfile.open(fileobj=io.BytesIO(body)) as tar:
                for m in sorted(tar.getmembers(), key=lambda m: m.name):
                    prefix = f"./usr/share/man/{lang}/"
                    if m.isfile() and m.name.startswith(prefix) and m.name.endswith(".gz"):
                        yield m.name[len(prefix) : -3], gzip.decompress(tar.extractfile(m).read()).decode("utf-8")


def find_debs(folder: Path | None) -> dict[str, Path]:
    """The two .debs from ``folder``, or downloaded into benchmarks/work/debs with apt-get."""
    if folder is None:
        folder = HERE / "work" / "debs"
        folder.mkdir(parents=True, exist_ok=True)
        wanted = [f"manpages-{lang}={VERSION}" for lang in ("de", "fr")]
        try:
            subprocess.run(["apt-get", "download", *wanted], cwd=folder, check=True, capture_output=True, timeout=600)
        except (OSError, subprocess.SubprocessError) as exc:
            why = (getattr(exc, "stderr", b"") or b"").decode(errors="replace").strip().splitlines()[-1:] or [str(exc)]
            raise SystemExit(
                f"apt-get download {' '.join(wanted)} failed ({why[0]}); give --debs DIR holding the two .debs"
            ) from exc
    debs = {lang: sorted(folder.glob(f"manpages-{lang}_*_all.deb")) for lang in ("de", "fr")}
    if not all(debs.values()):
        raise SystemExit(f"{folder}: no manpages-de_*_all.deb and manpages-fr_*_all.deb here (give --debs DIR)")
    return {lang: paths[-1] for lang, paths in debs.items()}


# ---------------------------------------------------------------- building


def page_documents(debs: dict[str, Path], stats: Counter) -> list[Document]:
    """One document per usable page: its first PAGE_UNITS units, in parts of at most MAX_UNITS."""
    fr = dict(deb_pages(debs["fr"], "fr"))
    seen_units: set[tuple[str, str]] = set()
    docs = []
    for page, de_source in deb_pages(debs["de"], "de"):
        if page not in fr:
            continue
        stats["pages in both"] += 1
        if de_source.lstrip().startswith(".so ") or re.search(r"^\.(Dd|Sh) ", de_source, re.M):
            stats["page: .so redirect or mdoc"] += 1
            continue
        pairs = pair_paragraphs(parse_page(de_source), parse_page(fr[page]), stats)
        if pairs is None:
            stats["page: structure (or most numbers) differ"] += 1
            continue
        units = [u for u in to_units(pairs, stats) if u not in seen_units]  # a text repeated from an earlier page goes
        seen_units.update(units)
        units = units[:PAGE_UNITS]  # so that no page outweighs the others
        if len(units) < MIN_UNITS:
            stats[f"page: fewer than {MIN_UNITS} new units"] += 1
            continue
        parts = math.ceil(len(units) / MAX_UNITS)
        size = math.ceil(len(units) / parts)
        doc_id = re.sub(r"[^\w.+-]", "_", page.split("/")[-1])
        for k in range(parts):
            part = units[k * size : (k + 1) * size]
            docs.append(
                Document(doc_id if parts == 1 else f"{doc_id}.p{k + 1}", [d for d, _ in part], [f for _, f in part])
            )
    return docs


def page_of(doc_id: str) -> str:
    return re.sub(r"\.p\d+$", "", doc_id)


def select(docs: list[Document], target: int) -> list[Document]:
    """Whole pages in a seeded order until the set holds ``target`` units (all when fewer)."""
    pages = sorted({page_of(d.doc_id) for d in docs})
    random.Random(f"{SEED}:pages").shuffle(pages)
    chosen, total = set(), 0
    for page in pages:
        if total >= target:
            break
        chosen.add(page)
        total += sum(len(d.src) for d in docs if page_of(d.doc_id) == page)
    return sorted((d for d in docs if page_of(d.doc_id) in chosen), key=lambda d: d.doc_id)


def build(debs: dict[str, Path], out: Path, target: int = TARGET_UNITS) -> dict:
    stats: Counter = Counter()
    docs = select(page_documents(debs, stats), target)
    stats["selected: pages"] = len({page_of(d.doc_id) for d in docs})
    for d in docs:
        for u_de, u_fr in zip(d.src, d.tgt):
            one = len(split_paragraph(u_de, "de")) == len(split_paragraph(u_fr, "fr")) == 1
            stats["selected: sentence units" if one else "selected: multi-sentence paragraph units"] += 1
    halves = split_documents(sorted({page_of(d.doc_id) for d in docs}), f"{SEED}:split")  # parts of a page together
    split = {d.doc_id: halves[page_of(d.doc_id)] for d in docs}
    manifest: dict = {
        "builder": "benchmarks/build_defr.py",
        "seed": SEED,
        "languages": ["de", "fr"],
        "note": NOTE.format(pages=stats["selected: pages"], units=sum(len(d.src) for d in docs), version=VERSION),
        "source": {
            lang: {"file": p.name, "sha256": hashlib.sha256(p.read_bytes()).hexdigest()} for lang, p in debs.items()
        },
        "licence": LICENCE,
        "edits": {name: vars(rates) for name, rates in EDITS.items()},
        "counts": dict(sorted(stats.items())),
        "sets": {},
        "splits": {"defr": split},
    }
    for edit, rates in EDITS.items():
        name = f"defr-{edit}"
        shutil.rmtree(out / name, ignore_errors=True)
        edited = edit_documents(docs, rates, f"{SEED}:{name}")
        for ed in edited:
            _write_lines(out / name / "src" / ed.doc_id, ed.src)
            _write_lines(out / name / "tgt" / ed.doc_id, ed.tgt)
            _write_lines(out / name / "gold" / ed.doc_id, [_format_bead(b) for b in ed.gold])
        manifest["sets"][name] = {
            "edit": edit,
            **{
                part: {
                    "documents": len(c),
                    "src_lines": sum(len(e.src) for e in c),
                    "tgt_lines": sum(len(e.tgt) for e in c),
                    "beads": dict(sorted(Counter(bead_kind(b) for e in c for b in e.gold).items())),
                }
                for part in ("dev", "test", "all")
                for c in [[e for e in edited if part == "all" or split[e.doc_id] == part]]
            },
        }
    (out / "manifest.json").write_text(json.dumps(manifest, indent=1, ensure_ascii=False) + "\n", encoding="utf-8")
    (out / "README.md").write_text(
        README.format(version=VERSION, counts=json.dumps(manifest["counts"], indent=1, ensure_ascii=False)),
        encoding="utf-8",
    )
    (out / "ATTRIBUTION.md").write_text(ATTRIBUTION, encoding="utf-8")
    return manifest


NOTE = (
    "a proxy for book-style German–French: {pages} Debian man pages (manpages-de/-fr {version}, po4a translations "
    "of the same English pages, paired paragraph by paragraph), {units} units before editing; German source, "
    "French target; man-page prose, not Text+Berg (`benchmarks/build_defr.py`)"
)
LICENCE = (
    "German and French translations from manpages-l10n (Debian manpages-de/manpages-fr), GPL-3.0-or-later; "
    "the English originals under their own licences (see each page's copyright in the .deb). Not redistributed: "
    "regenerate with benchmarks/build_defr.py."
)
ATTRIBUTION = f"""\
# Attribution

Text extracted from the Debian binary packages `manpages-de` and `manpages-fr` ({VERSION},
bookworm), built by Debian from the manpages-l10n project. The translations are licensed
GPL-3.0-or-later by their translators (each page's translators are named in its ÜBERSETZUNG
/ TRADUCTION section); the English originals are under their own licences (Linux man-pages,
GNU coreutils, util-linux, ...; see `/usr/share/doc/manpages-de/copyright` in the package).
Changes: groff markup removed, only paragraphs translated in both languages kept, units
dropped and joined in the edited and hard sets. This folder is generated and must not be
committed or published.
"""
README = """\
# German–French man-page sets (a proxy for book-style text)

Generated by `benchmarks/build_defr.py` from Debian's `manpages-de` and `manpages-fr`
({version}); see ATTRIBUTION.md. Same layout as `corpora/eval/` (`src/` German, `tgt/`
French, `gold/` beads; `manifest.json` has the dev/test half of each document under
`splits.defr` and `"languages": ["de", "fr"]`). One document per man page whose German and
French versions have the same request structure (its first {page_units} units, in parts of at
most {max_units}); a unit is a sentence where both paragraphs split into as many sentences,
else the paragraph. Man-page prose, not literary text: a proxy, labelled as such.

Run: `python -m benchmarks.run --eval-root benchmarks/work/eval-defr --section "German–French (proxy)"`.

What was kept and dropped:

```
{counts}
```
""".replace("{max_units}", str(MAX_UNITS)).replace("{page_units}", str(PAGE_UNITS))


def main(argv: Sequence[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument(
        "--debs",
        type=Path,
        help="folder with manpages-de_*_all.deb and manpages-fr_*_all.deb"
        " (default: apt-get download them into benchmarks/work/debs)",
    )
    parser.add_argument("--out", type=Path, default=DEFAULT_OUT, help="output folder (default: %(default)s)")
    parser.add_argument(
        "--target", type=int, default=TARGET_UNITS, help="units per set (whole pages; default %(default)s)"
    )
    args = parser.parse_args(argv)
    manifest = build(find_debs(args.debs), args.out, args.target)
    for name, s in manifest["sets"].items():
        print(
            f"{name}: {s['all']['documents']} documents ({s['dev']['documents']} dev / {s['test']['documents']} test),"
            f" {s['all']['src_lines']}/{s['all']['tgt_lines']} lines, beads {s['all']['beads']}"
        )
    print(json.dumps(manifest["counts"], indent=1, ensure_ascii=False))
    return 0


if __name__ == "__main__":
    sys.exit(main())
