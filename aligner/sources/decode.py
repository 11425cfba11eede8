"""Bytes of a fetched page to text.

Why not just ``data.decode("utf-8")``: Hankyoreh pages from before the site moved to
UTF-8 are EUC-KR (really CP949, its Microsoft superset, as browsers treat it), and a
cache can hold things that are not pages at all (an image saved under an article URL).
The charset comes from, in order: a byte-order mark, the caller's HTTP header, the
page's own ``<meta charset>`` / ``http-equiv`` declaration, then UTF-8 with a CP949
fallback for undeclared Korean pages.

Declarations lie (a page re-saved as UTF-8 keeps its old ``charset=euc-kr``; the cache
keeps no HTTP header), so a Korean legacy or UTF-8 declaration is checked against the
bytes: valid UTF-8 is read as UTF-8 whatever the page says (EUC-KR text is practically
never valid UTF-8, while UTF-8 Hangul often passes as CP949 and comes out as Chinese-
looking garbage), and a page "declared" UTF-8 whose bytes are clean CP949 Hangul is
read as CP949.
"""

from __future__ import annotations

import codecs
import re

from aligner.errors import InputError

# Names pages use for Korean legacy encodings; CP949 decodes all of them (WHATWG does the same).
_KOREAN_ALIASES = {
    "euc-kr",
    "euckr",
    "euc_kr",
    "ks_c_5601-1987",
    "ks_c_5601",
    "ksc5601",
    "ksc_5601",
    "korean",
    "csksc56011987",
    "iso-ir-149",
    "windows-949",
    "x-windows-949",
    "cp949",
    "uhc",
    "ms949",
}
_NOT_CHARSETS = frozenset(
    {"undefined", "idna", "punycode", "unicode-escape", "raw-unicode-escape", "utf-7", "mbcs", "oem"}
)
_META_CHARSET = re.compile(rb"""<meta[^>]*?charset\s*=\s*["']?\s*([A-Za-z0-9_.:-]+)""", re.IGNORECASE)
_MAGIC: tuple[tuple[bytes, str], ...] = (
    (b"\x89PNG\r\n\x1a\n", "a PNG image"),
    (b"GIF87a", "a GIF image"),
    (b"GIF89a", "a GIF image"),
    (b"\xff\xd8\xff", "a JPEG image"),
    (b"%PDF-", "a PDF document"),
    (b"PK\x03\x04", "a zip archive"),
    (b"\x1f\x8b", "gzip-compressed data"),
    (b"RIFF", "a RIFF (WebP/WAV) file"),
    (b"\x00\x00\x01\x00", "an icon"),
    (b"OggS", "an Ogg file"),
    (b"ID3", "an MP3 file"),
    (b"\x7fELF", "an executable"),
)
_BOMS: tuple[tuple[bytes, str], ...] = (
    (codecs.BOM_UTF8, "utf-8-sig"),
    (codecs.BOM_UTF32_LE, "utf-32"),
    (codecs.BOM_UTF32_BE, "utf-32"),
    (codecs.BOM_UTF16_LE, "utf-16"),
    (codecs.BOM_UTF16_BE, "utf-16"),
)


def normalize_charset(name: str | None) -> str | None:
    """A Python codec name for a declared charset, or None when unknown."""
    if not name:
        return None
    label = name.strip().strip("\"'").lower()
    if label in _KOREAN_ALIASES:
        return "cp949"
    if label in ("utf8", "unicode-1-1-utf-8", "x-unicode20utf8"):
        return "utf-8"
    if label in ("latin1", "iso-8859-1", "us-ascii", "ascii"):
        return "cp1252"  # what browsers do, and a superset of ASCII
    try:
        info = codecs.lookup(label)
    except (LookupError, ValueError):  # ValueError: a label with a NUL in it
        return None
    # Not every Python codec is a charset: "base64", "zlib" or "rot13" are no text
    # encodings and bytes.decode refuses them; "idna" and "punycode" fail on page bytes;
    # "unicode_escape" would turn the text "\x1b" into ESC; UTF-7 hides markup (browsers
    # refuse it too). Such a declaration is ignored, as a browser ignores labels it does not know.
    if not getattr(info, "_is_text_encoding", True) or info.name in _NOT_CHARSETS:
        return None
    return info.name


def sniff_binary(data: bytes) -> str | None:
    """What the bytes look like when they are clearly not text (None when they may be)."""
    for magic, what in _MAGIC:
        if data.startswith(magic):
            return what
    head = data[:4096]
    if any(head.startswith(bom) for bom, _ in _BOMS):
        return None  # UTF-16/32 text has NULs
    if head.count(0) > max(2, len(head) // 100):
        return "binary data (NUL bytes)"
    return None


def declared_charset(data: bytes) -> str | None:
    """The charset the page declares in its first few kilobytes, as written."""
    m = _META_CHARSET.search(data[:8192])
    return m.group(1).decode("ascii", "replace") if m else None


def _charset_param(content_type: str | None) -> str | None:
    if not content_type:
        return None
    m = re.search(r"charset\s*=\s*[\"']?([^\s;\"']+)", content_type, re.IGNORECASE)
    return m.group(1) if m else None


def _utf8_error(data: bytes, exc: UnicodeDecodeError, item: str | None, how: str) -> InputError:
    line = data.count(b"\n", 0, exc.start) + 1
    return InputError(item, f"invalid UTF-8 at byte {exc.start} (line {line}) in a page {how} UTF-8")


def decode_html(data: bytes, item: str | None = None, content_type: str | None = None) -> str:
    """Decode an HTML page; raises InputError for binary data or bytes that fit no charset."""
    if not data.strip():
        raise InputError(item, "empty page")
    what = sniff_binary(data)
    if what:
        raise InputError(item, f"not an HTML page ({what})")
    for bom, codec in _BOMS:
        if data.startswith(bom):
            try:
                return data.decode(codec)
            except UnicodeDecodeError as exc:
                raise InputError(item, f"bytes do not match the page's {codec} byte-order mark: {exc.reason}") from None

    label = _charset_param(content_type) or declared_charset(data)
    declared = normalize_charset(label)
    if declared == "utf-8":
        try:
            return data.decode("utf-8")
        except UnicodeDecodeError as exc:
            text = _clean_korean(data)
            if text is None:
                raise _utf8_error(data, exc, item, "declared") from None
            return text
    if declared == "cp949":
        return _decode_korean(data, item)
    if declared is not None:
        try:
            return data.decode(declared, errors="replace")
        except (UnicodeError, LookupError):
            pass  # a codec that fails even with errors="replace": as if nothing were declared
    # Nothing declared (or an unknown name): UTF-8, else an undeclared Korean legacy page.
    try:
        return data.decode("utf-8")
    except UnicodeDecodeError as exc:
        text = _clean_korean(data)
        if text is None:
            raise _utf8_error(data, exc, item, "assumed") from None
        return text


def _clean_korean(data: bytes) -> str | None:
    """The bytes as CP949 when they decode without an error and hold Hangul, else None."""
    try:
        text = data.decode("cp949")
    except UnicodeDecodeError:
        return None
    return text if re.search("[\uac00-\ud7a3]", text) else None


def _decode_korean(data: bytes, item: str | None) -> str:
    """EUC-KR/CP949, tolerating a few stray bytes as old pages have; valid UTF-8 is read as UTF-8."""
    try:
        return data.decode("utf-8")  # first: mislabelled UTF-8 Hangul can also pass as CP949
    except UnicodeDecodeError:
        pass
    try:
        return data.decode("cp949")
    except UnicodeDecodeError:
        pass
    text = data.decode("cp949", errors="replace")
    bad = text.count("\ufffd")
    if bad > max(5, len(text) // 200):
        raise InputError(item, f"invalid EUC-KR/CP949: {bad} undecodable byte sequences")
    return text
