"""benchmarks/build_defr.py on small hand-written man pages: groff to plain paragraphs, the
pairing of a German and a French page, what is dropped, and a whole build from two tiny
.debs made here (offline, no real package needed)."""

from __future__ import annotations

import gzip
import io
import json
import tarfile
from pathlib import Path

import pytest

from tests.scripts import load_script

defr = load_script("build_defr")

DE = r""".\" -*- coding: UTF-8 -*-
.TH TEST 7 "1. Januar 2023" "Linux man\-pages 6.03"
.SH BEZEICHNUNG
test \- ein kleines Beispiel für diese Tests hier
.SH ÜBERSICHT
\fBtest\fP [\fIOPTION\fP] \fIDATEI\fP und noch mehr Wörter
.SH BESCHREIBUNG
Der Befehl \fBtest\fP prüft die Datei \fI/etc/passwd\fP und gibt das Ergebnis
aus. Danach beendet er sich mit dem Status 0.
.PP
Dieser Absatz hat nur einen einzigen langen Satz mit der Option \fB\-\-all\fP am Ende.
.TP
\fB\-v\fP, \fB\-\-verbose\fP
gibt ausführliche Meldungen über jeden Schritt der Prüfung aus.
.PP
Kurzer Absatz.
.PP
This paragraph was left untranslated by the translators of this page.
.PP
Diese Seite beschreibt die Version 2 des Programms und seine Unterschiede.
.nf
Beispiel: test \-v /etc/passwd und weitere Wörter hier
.fi
.PP
Die Prüfung dauert meist nur wenige Sekunden\(em bei großen Dateien länger. Sie
dauert aber selten länger als eine Minute.
.SH "SIEHE AUCH"
\fBstat\fP(1), \fBls\fP(1) und viele weitere Seiten in diesem Handbuch
.SH ÜBERSETZUNG
Die deutsche Übersetzung dieser Handbuchseite wurde von Max Mustermann erstellt.
"""

FR = r""".\" -*- coding: UTF-8 -*-
.TH TEST 7 "1 janvier 2023" "Linux man\-pages 6.03"
.SH NOM
test \- un petit exemple pour les tests de ce fichier
.SH SYNOPSIS
\fBtest\fP [\fIOPTION\fP] \fIFICHIER\fP et encore des mots
.SH DESCRIPTION
La commande \fBtest\fP vérifie le fichier \fI/etc/passwd\fP et affiche le
résultat. Ensuite elle se termine avec le code 0.
.PP
Ce paragraphe n'a qu'une seule longue phrase avec l'option \fB\-\-all\fP à la fin.
.TP
\fB\-v\fP, \fB\-\-verbose\fP
afficher des messages détaillés sur chaque étape de la vérification.
.PP
Court paragraphe.
.PP
This paragraph was left untranslated by the translators of this page.
.PP
This page describes version 2 of the program and its differences.
.nf
Exemple\ : test \-v /etc/passwd et d'autres mots ici
.fi
.PP
La vérification ne dure en général que quelques secondes, mais pour les gros
fichiers elle peut durer plus longtemps, rarement plus d'une minute.
.SH "VOIR AUSSI"
\fBstat\fP(1), \fBls\fP(1) et beaucoup d'autres pages de ce manuel
.SH TRADUCTION
La traduction française de cette page de manuel a été créée par Jean Dupont.
.PP
Cette traduction est une documentation libre, et ce paragraphe n'existe qu'en français.
"""

KEPT = [
    (
        "Der Befehl test prüft die Datei /etc/passwd und gibt das Ergebnis aus. Danach beendet er sich mit dem Status 0.",
        "La commande test vérifie le fichier /etc/passwd et affiche le résultat. Ensuite elle se termine avec le code 0.",
    ),
    (
        "Dieser Absatz hat nur einen einzigen langen Satz mit der Option --all am Ende.",
        "Ce paragraphe n'a qu'une seule longue phrase avec l'option --all à la fin.",
    ),
    (
        "gibt ausführliche Meldungen über jeden Schritt der Prüfung aus.",
        "afficher des messages détaillés sur chaque étape de la vérification.",
    ),
    (
        "Die Prüfung dauert meist nur wenige Sekunden— bei großen Dateien länger. Sie dauert aber selten länger als eine Minute.",
        "La vérification ne dure en général que quelques secondes, mais pour les gros fichiers elle peut durer plus "
        "longtemps, rarement plus d'une minute.",
    ),
]


def test_plain_resolves_fonts_escapes_and_special_characters():
    assert defr.plain(r"\fBcat\fP \-n \(em \*(lqja\*(rq \[u00E9]t\['e] \s-1KLEIN\s0 \&.\f(CWx\fR") == (
        "cat -n — “ja” été KLEIN .x"
    )
    with pytest.raises(defr.OddEscape):
        defr.plain(r"a \X'tty: link' b")


def test_macro_arguments_are_groff_quoted():
    assert defr.macro_args('.SH "SIEHE AUCH"') == [".SH", "SIEHE AUCH"]
    assert defr.macro_args('.IP "a ""b"" c" 4') == [".IP", 'a "b" c', "4"]


def test_parse_page_stops_at_the_translators_section_and_classifies_blocks():
    page = defr.parse_page(DE)
    kinds = [(b.kind, b.macro) for b in page.blocks]
    assert kinds[:3] == [("heading", "SH"), ("text", "SH"), ("heading", "SH")]
    assert ("code", "nf") in kinds and ("tag", "TP") in kinds
    assert all(b.section != "ÜBERSETZUNG" for b in page.blocks)
    assert "Max Mustermann" not in "".join(line for b in page.blocks for line in b.lines)


def test_matching_pages_keep_translated_prose_only():
    drops = defr.Counter()
    pairs = defr.pair_paragraphs(defr.parse_page(DE), defr.parse_page(FR), drops)
    assert pairs == KEPT
    assert drops["paragraph: untranslated (identical or not German/French)"] == 2  # identical; French left English
    assert drops["paragraph: fewer than 6 words"] == 1
    assert drops["paragraph: name, synopsis or see-also section"] == 3
    assert drops["paragraph: code"] == 1 and drops["paragraph: tag"] == 1


def test_units_are_sentences_where_both_sides_split_alike():
    counts = defr.Counter()
    units = defr.to_units(KEPT, counts)
    assert units == [
        (
            "Der Befehl test prüft die Datei /etc/passwd und gibt das Ergebnis aus.",
            "La commande test vérifie le fichier /etc/passwd et affiche le résultat.",
        ),
        ("Danach beendet er sich mit dem Status 0.", "Ensuite elle se termine avec le code 0."),
        KEPT[1],
        KEPT[2],
        KEPT[3],  # the last: two German sentences, one French: one paragraph unit
    ]
    assert counts["unit: paragraph (sentence splits differ)"] == 1


def test_pages_with_different_structure_are_dropped():
    # the French page cuts one paragraph in two: paragraph i no longer translates paragraph i
    split_fr = FR.replace("avec l'option", "avec\n.PP\nl'option")
    assert defr.pair_paragraphs(defr.parse_page(DE), defr.parse_page(split_fr), defr.Counter()) is None
    # the same requests but one paragraph missing its text on one side
    shorter = FR.replace("Court paragraphe.\n", "")
    assert defr.pair_paragraphs(defr.parse_page(DE), defr.parse_page(shorter), defr.Counter()) is None


def _deb(path: Path, lang: str, pages: dict[str, str]) -> Path:
    """A minimal .deb: an ar archive whose data.tar.xz holds gzipped man pages."""
    buf = io.BytesIO()
    with tarfile.open(fileobj=buf, mode="w:xz") as tar:
        for name, source in pages.items():
            data = gzip.compress(source.encode("utf-8"), mtime=0)
            info = tarfile.TarInfo(f"./usr/share/man/{lang}/{name}.gz")
            info.size = len(data)
            tar.addfile(info, io.BytesIO(data))
    out = b"!<arch>\n"
    for name, data in (("debian-binary", b"2.0\n"), ("data.tar.xz", buf.getvalue())):
        out += f"{name:<16}{0:<12}{0:<6}{0:<6}{100644:<8}{len(data):<10}`\n".encode() + data + b"\n" * (len(data) % 2)
    path.write_bytes(out)
    return path


def test_build_from_two_debs_writes_the_sets_and_drops_the_mismatched_page(tmp_path, monkeypatch):
    monkeypatch.setattr(defr, "MIN_UNITS", 2)
    debs = {
        "de": _deb(tmp_path / "manpages-de_1_all.deb", "de", {"man7/test.7": DE, "man7/other.7": DE}),
        "fr": _deb(
            tmp_path / "manpages-fr_1_all.deb",
            "fr",
            {"man7/test.7": FR, "man7/other.7": FR.replace("avec l'option", "avec\n.PP\nl'option")},
        ),
    }
    assert defr.find_debs(tmp_path) == debs
    manifest = defr.build(debs, tmp_path / "out", target=100)
    assert manifest["languages"] == ["de", "fr"]
    assert manifest["counts"]["page: structure (or most numbers) differ"] == 1
    assert list(manifest["splits"]["defr"]) == ["test.7"]
    clean = tmp_path / "out" / "defr-clean"
    assert (clean / "src" / "test.7").read_text(encoding="utf-8").splitlines() == [
        d for d, _ in defr.to_units(KEPT, defr.Counter())
    ]
    assert (clean / "gold" / "test.7").read_text(encoding="utf-8").splitlines()[0] == "[0]:[0]"
    assert (
        json.loads((tmp_path / "out" / "manifest.json").read_text(encoding="utf-8"))["sets"]["defr-hard"]["all"][
            "documents"
        ]
        == 1
    )


def test_sentences_cut_by_ip_are_joined_and_paragraphs_cut_by_code_dropped():
    de = (
        ".SH BESCHREIBUNG\n.IP\nbeendet sich sogar dann mit dem selben Status wie BEFEHL, auch wenn\n.IP\n"
        "der Befehl die Zeit überschreitet.\n.PP\nDas Ergebnis hängt von der Einstellung ab, hierbei kann\n.nf\n"
        "#define X 1\n.fi\nder Wert des Makros beliebig gewählt werden, wie hier gezeigt.\n"
    )
    fr = (
        ".SH DESCRIPTION\n.IP\nrenvoyer le même état de fin d'exécution que COMMANDE, même si\n.IP\n"
        "la commande dépasse la durée.\n.PP\nLe résultat dépend du réglage, et lorsque apparaît\n.nf\n"
        "#define X 1\n.fi\nla valeur de la macro peut être choisie librement, comme montré ici.\n"
    )
    drops = defr.Counter()
    assert defr.pair_paragraphs(defr.parse_page(de), defr.parse_page(fr), drops) == [
        (
            "beendet sich sogar dann mit dem selben Status wie BEFEHL, auch wenn der Befehl die Zeit überschreitet.",
            "renvoyer le même état de fin d'exécution que COMMANDE, même si la commande dépasse la durée.",
        ),
    ]
    assert drops["paragraph: part of a paragraph cut by code or a table"] == 2
