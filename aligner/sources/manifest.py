"""The corpus folder's manifest, ``pairs.jsonl``: which English article translates which Korean one.

One JSON object a line, appended by ``aligner fetch`` (pairs found by the original-article
link) and ``aligner pair --record-in`` (pairs found by content); a later line about the
same English article supersedes an earlier one. The file is written by us but read as
untrusted: a line that is not a JSON object with two web addresses (a URL that is a
number, a list, null, 70,000 characters, broken JSON, invalid UTF-8, a control character)
is skipped with one line naming the file and line number, and the rest is read.

URLs are keyed by :func:`~aligner.sources.urls.page_key`, so a manifest written before
tracking parameters were dropped (``1.html?_fr=mt1``) reads as the same articles.

Appends are all or nothing: a line is written with one call, flushed and fsynced, and a
write that fails (a full disk) is cut back to the file's old length, so no half line is
ever left for a later reader to stumble on; the caller gets :class:`ManifestWriteError`.
"""

from __future__ import annotations

import json
import logging
import math
import os
from dataclasses import asdict, dataclass, field
from datetime import UTC, datetime
from pathlib import Path

from aligner.display import visible
from aligner.errors import InputError
from aligner.sources.urls import UnsafeURLError, article_url, canonical_url

log = logging.getLogger(__name__)

MANIFEST_NAME = "pairs.jsonl"
#: Longer lines are skipped unread: a record is a few hundred bytes.
MAX_LINE_BYTES = 64 * 1024
#: Longer URLs are no article's (the fetcher refuses them too).
MAX_URL_CHARS = 4096


class ManifestWriteError(InputError):
    """A line that could not be appended (a full disk, no permission); nothing was written."""


@dataclass
class ManifestEntry:
    """One line of ``pairs.jsonl``: an English article and its Korean original.

    ``how`` says how the pair was found: "link" (the English page's original-article
    link), "content" (``aligner pair``), or "manual".
    """

    en_url: str
    ko_url: str
    how: str = "link"
    en_final_url: str | None = None
    ko_final_url: str | None = None
    en_title: str | None = None
    ko_title: str | None = None
    score: float | None = None
    fetched: str | None = None  # when the pair was recorded (UTC, ISO 8601)


@dataclass
class Manifest:
    """The pairs of a manifest file (one per English article, file order of the latest
    line) and one line per line that was skipped."""

    entries: list[ManifestEntry]
    problems: list[str] = field(default_factory=list)


_URL_FIELDS = ("en_url", "ko_url")
_TEXT_FIELDS = ("how", "en_final_url", "ko_final_url", "en_title", "ko_title", "fetched")


def manifest_path(corpus_dir: str | Path) -> Path:
    return Path(corpus_dir) / MANIFEST_NAME


def load_manifest(corpus_dir: str | Path) -> Manifest:
    """Read a corpus folder's manifest; bad lines are skipped and listed in ``problems``.

    A missing file is an empty manifest; a file that cannot be opened at all is an
    InputError naming it.
    """
    path = manifest_path(corpus_dir)
    entries: dict[str, ManifestEntry] = {}
    problems: list[str] = []
    try:
        fh = path.open("rb")
    except (FileNotFoundError, NotADirectoryError):
        return Manifest([])
    except OSError as exc:
        raise InputError(str(path), f"cannot read: {exc.strerror or exc}") from None
    with fh:
        number = 0
        while True:
            raw = fh.readline(MAX_LINE_BYTES + 1)
            if not raw:
                break
            number += 1
            if len(raw) > MAX_LINE_BYTES and not raw.endswith(b"\n"):
                while raw and not raw.endswith(b"\n"):  # skip the rest of the line unread
                    raw = fh.readline(MAX_LINE_BYTES)
                problems.append(f"{path}, line {number}: longer than {MAX_LINE_BYTES} bytes; skipped")
                continue
            entry, problem = _entry(raw, at_end=not raw.endswith(b"\n"))
            if problem:
                problems.append(visible(f"{path}, line {number}: {problem}; skipped"))
            elif entry is not None:
                key = canonical_url(entry.en_url)
                entries.pop(key, None)  # keep file order of the latest record
                entries[key] = entry
    return Manifest(list(entries.values()), problems)


def read_manifest(corpus_dir: str | Path) -> list[ManifestEntry]:
    """The pairs recorded in a corpus folder (see :func:`load_manifest`); each skipped
    line is logged as a warning, one line each."""
    manifest = load_manifest(corpus_dir)
    for problem in manifest.problems:
        log.warning("%s", problem)
    return manifest.entries


def _entry(raw: bytes, at_end: bool) -> tuple[ManifestEntry | None, str]:
    """One line as an entry, or why it is not one; (None, "") for a blank line."""
    try:
        line = raw.decode("utf-8").strip()
    except UnicodeDecodeError as exc:
        return None, f"not UTF-8 (byte {exc.start + 1} of the line)"
    if not line:
        return None, ""
    try:
        record = json.loads(line)
    except (json.JSONDecodeError, RecursionError) as exc:
        torn = " (the last line, cut short: a run stopped while writing it?)" if at_end else ""
        return None, f"not JSON ({exc.msg if isinstance(exc, json.JSONDecodeError) else 'nested too deep'}){torn}"
    if not isinstance(record, dict):
        return None, f"a JSON {_kind(record)}, not an object"
    values: dict[str, object] = {}
    for name in _URL_FIELDS:
        url, problem = _url(record.get(name), name)
        if problem:
            return None, problem
        values[name] = url
    for name in _TEXT_FIELDS:
        value = record.get(name)
        if value is not None and not isinstance(value, str):
            return None, f"{name} is a {_kind(value)}, not text"
        if value is not None:
            values[name] = value
    score = record.get("score")
    if score is not None:
        if isinstance(score, bool) or not isinstance(score, (int, float)):
            return None, f"score is a {_kind(score)}, not a number"
        try:
            values["score"] = float(score)
        except OverflowError:
            values["score"] = math.inf
        if not math.isfinite(values["score"]):  # type: ignore[arg-type]
            return None, "score is not a finite number"
    return ManifestEntry(**values), ""  # type: ignore[arg-type]


def _url(value: object, name: str) -> tuple[str, str]:
    if value is None or value == "":
        return "", f"no {name}"
    if not isinstance(value, str):
        return "", f"{name} is a {_kind(value)}, not a URL"
    if len(value) > MAX_URL_CHARS:
        return "", f"{name} is {len(value)} characters long (more than {MAX_URL_CHARS})"
    if any(ord(c) < 32 or 127 <= ord(c) < 160 for c in value):
        return "", f"control character in {name}"
    url = article_url(value)
    try:
        canonical_url(url)
    except UnsafeURLError as exc:
        return "", f"{name} is not a page address ({exc.problem.removeprefix('refused as a cache key: ')})"
    return url, ""


def _kind(value: object) -> str:
    return {
        dict: "JSON object",
        list: "list",
        bool: "true/false",
        int: "number",
        float: "number",
        str: "string",
        type(None): "null",
    }.get(type(value), type(value).__name__)


def append_jsonl(path: Path, record: dict) -> None:
    """Append one JSON line and fsync it, so a killed run keeps every finished item.

    All or nothing: on a failed write (ENOSPC, EFBIG...) the file is cut back to its
    old length and :class:`ManifestWriteError` names the file and the problem.
    """
    line = json.dumps(record, ensure_ascii=False) + "\n"
    try:
        path.parent.mkdir(parents=True, exist_ok=True)
        fd = os.open(path, os.O_RDWR | os.O_APPEND | os.O_CREAT, 0o644)
    except OSError as exc:
        raise ManifestWriteError(str(path), f"cannot write: {exc.strerror or exc}") from None
    try:
        size = os.fstat(fd).st_size
        if size and _ends_mid_line(fd, size):
            line = "\n" + line  # a torn last line from a killed run must not swallow this one
        data = line.encode("utf-8")
        try:
            written = 0
            while written < len(data):
                written += os.write(fd, data[written:])
            os.fsync(fd)
        except OSError as exc:
            try:
                os.ftruncate(fd, size)
            except OSError:
                pass
            raise ManifestWriteError(str(path), f"cannot write: {exc.strerror or exc}") from None
    finally:
        os.close(fd)


def _ends_mid_line(fd: int, size: int) -> bool:
    return os.pread(fd, 1, size - 1) != b"\n"


def record_pair(corpus_dir: str | Path, entry: ManifestEntry) -> None:
    """Add (or supersede) a pair in the corpus folder's manifest.

    The URLs are recorded without fragments or tracking parameters.
    """
    entry.en_url, entry.ko_url = article_url(entry.en_url), article_url(entry.ko_url)
    if entry.fetched is None:
        entry.fetched = datetime.now(UTC).isoformat(timespec="seconds")
    append_jsonl(manifest_path(corpus_dir), {k: v for k, v in asdict(entry).items() if v is not None})
