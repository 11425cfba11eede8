"""A full disk during ``aligner fetch``: one line, a non-zero exit, and a page with its
record both there after a retry, or neither; never a half line in ``pairs.jsonl``.

The errors are real ones from the kernel, raised in the writing code itself:

* ENOSPC from a small tmpfs the test mounts (needs root; skipped, saying so, elsewhere),
  filled so that nothing fits, or so that both pages of an item fit but its record not;
* EFBIG from ``RLIMIT_FSIZE`` in a child process (works for any user): pages fit under
  the limit, but the manifest crosses it in the middle of a line.
"""

from __future__ import annotations

import errno
import math
import os
import resource
import subprocess
import sys
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path

import pytest

from aligner.sources import PageCache
from aligner.sources.manifest import MANIFEST_NAME, read_manifest
from tests.conftest import ROOT
from tests.httpserver import LocalServer, rewrite_hosts
from tests.local_site import EN_2017, EN_2019, KO_2023, KO_OLD, PAGES, local_links, serve_file

BLOCK = 4096


@pytest.fixture(scope="module")
def site():
    with LocalServer() as server:
        server.page("/robots.txt", "User-agent: *\nAllow: /\n", "text/plain")
        serve_file(server, EN_2019, PAGES / "hani_en_2019.html")
        serve_file(server, EN_2017, PAGES / "hani_en_2017.html")
        serve_file(server, KO_OLD, PAGES / "hani_ko_old.html")
        serve_file(server, KO_2023, PAGES / "hani_ko_2023.html")
        yield server


def fetch_cli(
    site: LocalServer, corpus: Path, *urls: str, limit_bytes: int | None = None
) -> subprocess.CompletedProcess:
    """``aligner fetch`` in a child process (optionally under RLIMIT_FSIZE)."""
    env = {k: v for k, v in os.environ.items() if "proxy" not in k.lower()}

    def limit() -> None:
        if limit_bytes is not None:
            resource.setrlimit(resource.RLIMIT_FSIZE, (limit_bytes, limit_bytes))

    return subprocess.run(
        [
            sys.executable,
            "-m",
            "aligner",
            "fetch",
            "-d",
            str(corpus),
            "--allow-host",
            f"127.0.0.1:{site.port}",
            "--allow-host",
            "localhost",
            "--rate",
            "1000",
            *urls,
        ],
        capture_output=True,
        text=True,
        env=env,
        cwd=ROOT,
        preexec_fn=limit,
        timeout=120,
    )


def stored_pages(corpus: Path) -> list[str]:
    return sorted(str(p.relative_to(corpus)) for p in (corpus / "pages").rglob("*") if p.is_file())


def assert_pages_match_records(corpus: Path, fetched: list[str]) -> None:
    """The cached pages are exactly those of the fetched articles' records, and the manifest
    ends with a whole line."""
    cache = PageCache(corpus)
    entries = {e.en_url: e for e in read_manifest(corpus)}
    assert set(fetched) <= set(entries)
    recorded = {str(cache.path(u).relative_to(corpus)) for url in fetched for u in (url, entries[url].ko_url)}
    assert set(stored_pages(corpus)) == recorded
    assert (corpus / MANIFEST_NAME).read_bytes().endswith(b"\n")


# -- ENOSPC on a real tmpfs ----------------------------------------------------------------------


@contextmanager
def tmpfs(where: Path, size: str = "4m") -> Iterator[Path]:
    """A tmpfs of ``size`` mounted at ``where/disk`` for the ``with`` block (skips the test
    where mounting is impossible)."""
    if os.geteuid() != 0:
        pytest.skip("mounting a tmpfs needs root; test_efbig_* covers the same writing code for any user")
    mount = where / "disk"
    mount.mkdir()
    done = subprocess.run(
        ["mount", "-t", "tmpfs", "-o", f"size={size},nr_inodes=4096", "tmpfs", str(mount)],
        capture_output=True,
        text=True,
    )
    if done.returncode != 0:
        pytest.skip(f"cannot mount a tmpfs here ({done.stderr.strip()}); test_efbig_* covers the writing code")
    try:
        yield mount
    finally:
        subprocess.run(["umount", "-l", str(mount)], check=False)


@pytest.fixture
def small_disk(tmp_path):
    with tmpfs(tmp_path) as mount:
        yield mount


def fill(mount: Path, leave_blocks: int = 0) -> Path:
    """Fill the file system, then free exactly ``leave_blocks`` blocks; returns the filler."""
    filler = mount / "filler"
    with filler.open("wb", buffering=0) as fh:  # unbuffered: nothing left to flush at close
        try:
            while True:
                fh.write(bytes(BLOCK * 16))
        except OSError as exc:
            assert exc.errno == errno.ENOSPC
    size = filler.stat().st_size
    size -= size % BLOCK
    os.truncate(filler, size)  # what the buffered writer left half-written goes
    stat = os.statvfs(mount)
    free = stat.f_bavail * stat.f_frsize
    if leave_blocks:
        os.truncate(filler, size - (leave_blocks * BLOCK - free))
    stat = os.statvfs(mount)
    assert stat.f_bavail * stat.f_frsize == leave_blocks * BLOCK
    return filler


def served_size(site: LocalServer, fixture: str) -> int:
    return len(rewrite_hosts((PAGES / fixture).read_bytes(), local_links(site)))


def test_enospc_writing_a_page_stores_nothing_and_a_retry_stores_both(site, small_disk):
    corpus = small_disk / "corpus"
    corpus.mkdir()
    filler = fill(small_disk)
    urls = [site.url(EN_2019), site.url(EN_2017)]
    done = fetch_cli(site, corpus, *urls)
    assert done.returncode == 1, done
    err = done.stderr.splitlines()
    assert len(err) == 1 and err[0].startswith("aligner: stopped: ") and "No space left on device" in err[0], done
    assert "Traceback" not in done.stdout + done.stderr
    assert done.stdout.splitlines()[0].startswith(f"failed: {urls[0]}: not stored: ")
    assert stored_pages(corpus) == [] and not list(corpus.rglob(".tmp-*"))
    assert not (corpus / MANIFEST_NAME).exists() or (corpus / MANIFEST_NAME).stat().st_size == 0
    filler.unlink()
    again = fetch_cli(site, corpus, *urls)
    assert again.returncode == 0, again
    assert "paired 2, already done 0, failed 0" in again.stdout
    assert_pages_match_records(corpus, urls)
    assert len(read_manifest(corpus)) == 2


def test_enospc_appending_the_record_takes_the_items_pages_back_out(site, small_disk):
    corpus = small_disk / "corpus"
    corpus.mkdir()
    pages = math.ceil(served_size(site, "hani_en_2019.html") / BLOCK) + math.ceil(
        served_size(site, "hani_ko_old.html") / BLOCK
    )
    filler = fill(small_disk, leave_blocks=pages)  # both pages fit; the record's first block does not
    urls = [site.url(EN_2019), site.url(EN_2017)]
    done = fetch_cli(site, corpus, *urls)
    assert done.returncode == 1, done
    assert done.stderr.count("\n") == 1 and "pairs.jsonl: cannot write: No space left on device" in done.stderr
    assert stored_pages(corpus) == []  # the pages written for the item went out again
    assert not (corpus / MANIFEST_NAME).exists() or (corpus / MANIFEST_NAME).read_bytes() == b""
    filler.unlink()
    again = fetch_cli(site, corpus, *urls)
    assert again.returncode == 0, again
    assert_pages_match_records(corpus, urls)
    assert len(read_manifest(corpus)) == 2


# -- EFBIG under RLIMIT_FSIZE (any user) ------------------------------------------------------------


def test_efbig_mid_line_leaves_no_half_line_and_no_unrecorded_page(site, tmp_path):
    corpus = tmp_path / "corpus"
    corpus.mkdir()
    limit = 1 << 20  # every page is far below it; the manifest is filled up to just under it
    filler = {
        "en_url": "https://english.hani.co.kr/arti/english_edition/e_national/1.html",
        "ko_url": "https://www.hani.co.kr/arti/politics/defense/1.html",
        "how": "manual",
    }
    import json

    line = json.dumps({**filler, "en_title": "x" * 900}) + "\n"
    count, rest = divmod(limit - 100, len(line))
    last = json.dumps({**filler, "en_title": "x" * (900 + rest)}) + "\n"
    (corpus / MANIFEST_NAME).write_text(line * (count - 1) + last, encoding="utf-8")
    before = (corpus / MANIFEST_NAME).read_bytes()
    assert limit - 200 < len(before) < limit  # an appended record crosses the limit mid-line
    done = fetch_cli(site, corpus, site.url(EN_2019), site.url(EN_2017), limit_bytes=limit)
    assert done.returncode == 1, done
    err = done.stderr.splitlines()
    assert len(err) == 1 and "pairs.jsonl: cannot write: File too large" in err[0], done
    assert (corpus / MANIFEST_NAME).read_bytes() == before  # cut back: no half line
    assert stored_pages(corpus) == []
    again = fetch_cli(site, corpus, site.url(EN_2019), site.url(EN_2017))
    assert again.returncode == 0, again
    assert_pages_match_records(corpus, [site.url(EN_2019), site.url(EN_2017)])
    assert len(read_manifest(corpus)) == 3  # the filler's article and the two fetched ones


def test_efbig_writing_a_page_is_one_line_and_nothing_stored(site, tmp_path):
    corpus = tmp_path / "corpus"
    done = fetch_cli(site, corpus, site.url(EN_2019), site.url(EN_2017), limit_bytes=1000)
    assert done.returncode == 1, done
    assert done.stderr.count("\n") == 1 and "cannot write to the page cache: File too large" in done.stderr
    assert stored_pages(corpus) == [] and not list(corpus.rglob(".tmp-*"))
    assert not (corpus / MANIFEST_NAME).exists()
