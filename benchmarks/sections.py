"""Rewrite one ``## `` section of a Markdown report, leaving every other line as it was.

Several scripts keep a section each of ``benchmarks/RESULTS.md`` and
``docs/reliability.md``, sometimes running at the same time, so each re-reads the file
right before writing and replaces its own section only.
"""

from __future__ import annotations

import os
import re
from pathlib import Path


def write_section(path: Path, section: str) -> None:
    """Put ``section`` (starting with its ``## heading`` line) in place of the section with
    that heading, up to the next ``## `` heading; appended when the report has none.

    Written to a temporary file and renamed, so a reader never sees half a report.
    """
    heading, _, body = section.partition("\n")
    if not heading.startswith("## "):
        raise ValueError(f"a section starts with its '## ' heading, not {heading!r}")
    new_section = f"{heading}\n\n{body.strip()}\n\n"
    text = path.read_text(encoding="utf-8") if path.exists() else ""
    if path.exists() and not text.strip():
        # another writer caught mid-way: writing now would leave only this section
        raise SystemExit(f"{path}: empty at the moment (being rewritten?); not updating it, try again")
    old = re.search(rf"^{re.escape(heading)}\n.*?(?=^## |\Z)", text, re.MULTILINE | re.DOTALL)
    if old is None:
        new = (text.rstrip("\n") + "\n\n" if text.strip() else "") + new_section
    else:
        new = text[: old.start()] + new_section + text[old.end() :]
    temp = path.with_name(f".{path.name}.tmp")
    temp.write_text(new, encoding="utf-8")
    os.replace(temp, path)


def publish(path: Path, section: str, *, dry_run: bool) -> None:
    """``--no-write``: print the section; otherwise put it in the report at ``path``."""
    if dry_run:
        print(section)
    else:
        write_section(path, section)
