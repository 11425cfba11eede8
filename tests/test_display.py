"""The one neutralising function for untrusted text: nothing it returns can steer a terminal."""

from __future__ import annotations

import io

from hypothesis import given
from hypothesis import strategies as st
from rich.console import Console

from aligner.display import line, plain, visible

HOSTILE = [
    "\x1b]0;pwned\x07",  # window title (OSC 0)
    "\x1b]52;c;ZXZpbA==\x07",  # clipboard write (OSC 52)
    "\x1b[2J\x1b[H",  # clear screen, cursor home (CSI)
    "\x9b31m",  # the one-byte C1 CSI
    "\u202egnp.exe",  # right-to-left override
    "[/x] [bold]not bold[/bold] [link=http://x]y[/link]",  # markup
    ":smile: \x00\x7f\ud800",  # emoji code, NUL, DEL, lone surrogate
]


def render(renderable: object, *, terminal: bool = False) -> str:
    out = io.StringIO()
    Console(file=out, force_terminal=terminal, color_system=None, width=200).print(renderable)
    return out.getvalue()


def test_escape_sequences_become_visible_pictures() -> None:
    assert visible("\x1b]0;pwned\x07") == "␛]0;pwned␇"
    assert visible("a\nb\tc") == "a␊b␉c"
    assert visible("a\nb\tc", keep_lines=True) == "a\nb\tc"
    assert visible("\u202eabc") == "<U+202E>abc"
    assert visible("\x9b") == "<U+009B>"
    assert visible("x\ud800y") == "x<U+D800>y"
    assert visible(42) == "42"


def test_ordinary_text_passes_unchanged() -> None:
    text = '대통령은 "기자회견"에서 말했다 — Größe, déjà [1] 7,500원'
    assert visible(text) == text


def test_markup_is_printed_literally() -> None:
    printed = render(plain("[/x] [bold]b[/bold]"))
    assert printed.strip() == "[/x] [bold]b[/bold]"
    assert render(line("title: ", "[/zz]", " ok")).strip() == "title: [/zz] ok"


@given(st.text(alphabet=st.characters(codec=None, categories=None), max_size=80) | st.sampled_from(HOSTILE))
def test_no_control_byte_reaches_the_console(text: str) -> None:
    for renderable in (plain(text), line("a ", text), plain(text, keep_lines=True)):
        for terminal in (False, True):
            printed = render(renderable, terminal=terminal)
            assert "\x1b" not in printed and "\x9b" not in printed
            assert not any(0x80 <= ord(c) <= 0x9F for c in printed)
            assert "\u202e" not in printed


@given(st.text(max_size=60) | st.sampled_from(HOSTILE))
def test_json_for_a_terminal_hides_nothing_and_obeys_nothing(text: str) -> None:
    import json

    from aligner.display import json_text

    shown = json_text({"title": text, "n": [1, 2]})
    assert not any(0x7F <= ord(c) <= 0x9F or c in "\x1b\x07\u202e" for c in shown)
    assert json.loads(shown) == {"title": text, "n": [1, 2]}
    shown.encode("utf-8")  # no lone surrogate left to break the terminal's encoder
