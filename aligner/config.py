"""Run settings from a TOML file, so an unattended run is one file to keep with the corpus.

Example (every key is optional except ``corpus``; paths are relative to the file)::

    corpus = "corpora/sample"      # a folder with pages/ (corpus.db is written there)
    workers = 2                    # worker processes; or dask = "tcp://host:8786"
    retry_failed = false
    force = false
    pair_unsure = false            # also use originals found by content that pairing is not sure of

    [languages]
    source = "en"
    target = "ko"

    [align]
    method = "engine"              # engine or length
    encoder = "use"                # use, e5, or st:<sentence-transformers model>
    threads = 1                    # BLAS threads per worker (default: cores / workers)

    [export]                       # which beads: aligner.export.policy.ExportPolicy
    formats = ["tmx", "tsv"]       # tmx, tsv, moses, jsonl, parquet
    dir = "export"                 # default: <corpus>/export
    min_confidence = 0.9           # beads a reviewer accepted or made always pass
    status = "not-rejected"        # the default; also accepted, unreviewed, rejected, any
    keep_empty = false             # export 0-1 and 1-0 beads too

A mistake (unknown key, wrong type, missing corpus) is one line naming the file and key.
"""

from __future__ import annotations

import tomllib
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from aligner.errors import AlignerError, InputError, OptionError
from aligner.export.policy import STATUS_CHOICES, ExportPolicy
from aligner.run import RunOptions

# the keys a config may have, and their TOML types
_TOP = {"corpus": str, "workers": int, "dask": str, "retry_failed": bool, "force": bool, "pair_unsure": bool}
_TABLES: dict[str, dict[str, type | tuple[type, ...]]] = {
    "languages": {"source": str, "target": str},
    "align": {"method": str, "encoder": str, "threads": int},
    "export": {"formats": list, "dir": str, "min_confidence": (int, float), "status": str, "keep_empty": bool},
}
#: Where each of :class:`RunOptions`'s settings is in a config, for messages.
_KEYS = {
    "formats": "export.formats",
    "export_dir": "export.dir",
    "src_lang": "languages.source",
    "tgt_lang": "languages.target",
    "method": "align.method",
    "encoder": "align.encoder",
    "threads": "align.threads",
}


@dataclass
class RunConfig:
    """A corpus folder and the options to run it with."""

    corpus: Path
    options: RunOptions
    path: Path | None = None  # the file it came from


def is_config_path(path: str | Path) -> bool:
    """``aligner run`` takes a folder or a ``.toml`` file."""
    return Path(path).suffix.lower() == ".toml"


def load_config(path: str | Path) -> RunConfig:
    """Read and check a run config (see the module docstring for the keys): the TOML types
    here, the values by :class:`~aligner.run.RunOptions` and the export policy themselves."""
    path = Path(path)
    item = str(path)
    try:
        data = tomllib.loads(path.read_text(encoding="utf-8"))
    except FileNotFoundError:
        raise InputError(item, "no such config file") from None
    except OSError as exc:
        raise InputError(item, _unreadable(path, f"cannot read config ({exc.strerror or exc})")) from None
    except UnicodeDecodeError:
        raise InputError(item, _unreadable(path, "config is not UTF-8 text")) from None
    except tomllib.TOMLDecodeError as exc:
        raise InputError(item, _unreadable(path, f"not valid TOML ({exc})")) from None

    def check(table: dict[str, Any], schema: dict[str, Any], prefix: str) -> None:
        for key, value in table.items():
            name = f"{prefix}{key}"
            if key in _TABLES and not prefix:
                if not isinstance(value, dict):
                    raise InputError(item, f"[{key}] must be a table")
                check(value, _TABLES[key], f"{key}.")
                continue
            if key not in schema:
                known = ", ".join(sorted(schema) + ([f"[{t}]" for t in _TABLES] if not prefix else []))
                raise InputError(item, f"unknown key {name!r} (known: {known})")
            want = schema[key]
            if not isinstance(value, want) or isinstance(value, bool) != (want is bool):
                raise InputError(item, f"{name} must be {_type_name(want)}")

    check(data, _TOP, "")
    if "corpus" not in data:
        raise InputError(item, 'needs corpus = "FOLDER" (the folder with pages/)')
    base = path.parent
    langs, align, export = (data.get(t, {}) for t in ("languages", "align", "export"))
    status = export.get("status", ExportPolicy.status.value)
    if status not in STATUS_CHOICES:
        raise InputError(item, f"export.status must be one of {', '.join(STATUS_CHOICES)}")
    try:
        policy = ExportPolicy(
            status=status,
            min_confidence=float(export.get("min_confidence", 0.0)),
            keep_empty=export.get("keep_empty", False),
        )
    except AlignerError as exc:
        raise InputError(item, f"export: {exc.problem}") from None
    try:
        options = RunOptions(
            formats=tuple(export.get("formats", ("tmx", "tsv"))),
            export_dir=(base / export["dir"]) if "dir" in export else None,
            policy=policy,
            force=data.get("force", False),
            src_lang=langs.get("source", "en"),
            tgt_lang=langs.get("target", "ko"),
            workers=data.get("workers", 1),
            dask=data.get("dask"),
            retry_failed=data.get("retry_failed", False),
            pair_unsure=data.get("pair_unsure", False),
            method=align.get("method", "engine"),
            encoder=align.get("encoder", "use"),
            threads=align.get("threads"),
        )
    except OptionError as exc:
        raise InputError(item, f"{_KEYS.get(str(exc.item), exc.item)} {exc.problem}") from None
    return RunConfig(base / data["corpus"], options, path)


def _unreadable(path: Path, problem: str) -> str:
    """``aligner run FILE`` also takes files not named .toml: for those, first say what the file is not."""
    if is_config_path(path):
        return problem
    return f"is a file, so not a corpus folder, and not a run config: {problem}"


def _type_name(want: type | tuple[type, ...]) -> str:
    names = {str: "a string", int: "a whole number", float: "a number", bool: "true or false", list: "a list"}
    if isinstance(want, tuple):
        return "a number"
    return names.get(want, want.__name__)
