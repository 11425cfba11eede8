"""Untrusted text on its way to a person: the one function every output path goes through.

Page text, server answers, file names and even the corpus database are written by
others. Shown raw, an ``ESC ]0;...BEL`` renames the reviewer's terminal window, an
``ESC ]52;...`` writes their clipboard, ``ESC [2J`` blanks the screen, a bidi override
reverses what a line appears to say, and ``[/x]`` is read by rich and Textual as markup
(and crashes them). So every such string is shown through :func:`visible`, which makes
each control character visible instead of obeying it, and, where rich or Textual draw
it, as a :class:`rich.text.Text` built by :func:`plain`, which is never parsed as markup.

Text written by the project itself (labels, numbers) needs neither; anything that came
from outside, or that holds something that did, needs both.
"""

from __future__ import annotations

import json
import re
from functools import lru_cache

from rich.text import Text

#: What :func:`visible` replaces: C0 controls and DEL, C1 controls, and the format
#: characters (Unicode category Cf) that reorder or hide text: bidi embeddings, overrides
#: and isolates, zero-width characters, the BOM. U+2028/U+2029 break lines as well.
_CONTROL = re.compile(
    "[\x00-\x1f\x7f-\x9f\u00ad\u061c\u180e\u200b-\u200f\u2028-\u202e\u2060-\u206f\ufeff\ufff9-\ufffb]"
)
#: The same, but newline and tab pass (for multi-line text drawn in a widget that wraps).
_CONTROL_KEEP_LINES = re.compile(
    "[\x00-\x08\x0b-\x1f\x7f-\x9f\u00ad\u061c\u180e\u200b-\u200f\u2028-\u202e\u2060-\u206f\ufeff\ufff9-\ufffb]"
)


@lru_cache(maxsize=256)
def _picture(char: str) -> str:
    """How one control character is shown: its Unicode control picture (ESC as ␛, NUL as
    ␀, DEL as ␡), or ``<U+202E>`` for characters that have none."""
    code = ord(char)
    if code < 0x20:
        return chr(0x2400 + code)
    if code == 0x7F:
        return "\u2421"
    return f"<U+{code:04X}>"


def visible(text: object, *, keep_lines: bool = False) -> str:
    """``text`` as a string with every control and bidi/format character made visible.

    No escape sequence survives: ESC becomes ␛, so ``ESC ]0;title BEL`` is shown as
    ``␛]0;title␇`` and does nothing. ``keep_lines`` lets newlines and tabs through (for
    text a widget wraps); otherwise they are shown as ␊ and ␉ and the result is one line.
    Lone surrogates (left by bad decoding) are shown as ``<U+D800>`` rather than breaking
    the terminal's encoder. Anything that is not a ``str`` is formatted with ``str()`` first.
    """
    string = text if isinstance(text, str) else str(text)
    pattern = _CONTROL_KEEP_LINES if keep_lines else _CONTROL
    if pattern.search(string):
        string = pattern.sub(lambda m: _picture(m.group()), string)
    if _has_surrogate(string):
        string = "".join(f"<U+{ord(c):04X}>" if 0xD800 <= ord(c) <= 0xDFFF else c for c in string)
    return string


def _has_surrogate(string: str) -> bool:
    try:
        string.encode("utf-8")
    except UnicodeEncodeError:
        return True
    return False


def plain(text: object, style: str = "", *, keep_lines: bool = False) -> Text:
    """``text`` made :func:`visible` as a rich ``Text``: drawn as it reads, never as markup.

    rich and Textual parse ``[...]`` in a plain ``str`` as markup; a ``Text`` is taken
    literally, so a title holding ``[/x]`` is printed as ``[/x]`` instead of raising.
    """
    return Text(visible(text, keep_lines=keep_lines), style=style)


def line(*parts: object, sep: str = "") -> Text:
    """Several pieces, each :func:`visible`, joined into one literal ``Text`` line.

    For messages that mix our own words with outside values: ``line("wrote ", path)``.
    Pieces that are already ``Text`` (styled by the caller from safe parts) are kept.
    """
    out = Text()
    for i, part in enumerate(parts):
        if i and sep:
            out.append(sep)
        out.append(part if isinstance(part, Text) else visible(part))
    return out


#: What JSON for a terminal spells as ``\uXXXX`` besides what ``json.dumps`` escapes itself
#: (C0 controls): DEL, C1 controls, lone surrogates and the format characters above.
_JSON_UNSAFE = re.compile(
    "[\x7f-\x9f\u00ad\u061c\u180e\u200b-\u200f\u2028-\u202e\u2060-\u206f\ud800-\udfff\ufeff\ufff9-\ufffb]"
)


def json_text(value: object, *, indent: int | None = 2) -> str:
    """``value`` as JSON in which no character a terminal obeys appears raw.

    For ``--json`` output: non-ASCII text stays readable (Korean is not escaped), but
    the characters :func:`visible` would replace are written as JSON ``\\u`` escapes,
    so parsed back the values are exactly the same.
    """
    text = json.dumps(value, ensure_ascii=False, indent=indent)
    return _JSON_UNSAFE.sub(lambda m: f"\\u{ord(m.group()):04x}", text)


__all__ = ["json_text", "line", "plain", "visible"]
