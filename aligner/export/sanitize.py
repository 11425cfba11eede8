"""Text clean-up shared by every exporter.

All formats drop the characters that XML 1.0 cannot carry, not only TMX: a corpus exported
as TMX and as TSV then holds the same text, and lone surrogates (which UTF-8 cannot encode
at all) never make a writer fail halfway through a file.
"""

from __future__ import annotations

import re

# XML 1.0 (5th ed.) Char production: #x9 | #xA | #xD | [#x20-#xD7FF] | [#xE000-#xFFFD] |
# [#x10000-#x10FFFF]. Everything else that a Python str can hold is listed here.
_XML_FORBIDDEN = re.compile("[\x00-\x08\x0b\x0c\x0e-\x1f\ud800-\udfff\ufffe\uffff]")
_SURROGATE = re.compile("[\ud800-\udfff]")

# Every character Python's str.splitlines() breaks on, "\r\n" first so it becomes one space.
_LINE_BREAK = re.compile("\r\n|[\n\r\x0b\x0c\x1c\x1d\x1e\x85\u2028\u2029]")


def xml_safe(text: str) -> str:
    """Remove characters XML 1.0 forbids (C0 controls but tab/LF/CR, lone surrogates, U+FFFE/F).

    A high surrogate directly followed by a low one (how some decoders leave an astral
    character in a Python str) is first joined into that character rather than dropped.
    """
    if _SURROGATE.search(text):
        text = text.encode("utf-16-le", "surrogatepass").decode("utf-16-le", "surrogatepass")
    return _XML_FORBIDDEN.sub("", text)


def one_line(text: str) -> str:
    """Replace every line break (as ``str.splitlines`` understands them) by a space.

    Line-aligned formats (Moses) would otherwise gain lines and fall out of step.
    """
    return _LINE_BREAK.sub(" ", text)
