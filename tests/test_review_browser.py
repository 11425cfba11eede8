"""``aligner review DB --serve`` in a real browser: Debian's chromium, headless, driven by Playwright.

The server runs as a user would start it (a process on 127.0.0.1), the page is opened in
chromium, keys are pressed in the page, and the database is read through a connection
of its own: the app's screen is a canvas, so what the app did is checked where it
matters, in the corpus database. No browser is downloaded: Playwright drives
/usr/bin/chromium (``.ci/run`` installs Debian's package when it is missing).

About 10 s (server, browser and app start); marked ``browser`` so it can be left out
with ``-m 'not browser'``, but part of the default run.
"""

from __future__ import annotations

import socket
import sqlite3
import subprocess
import sys
import time
from collections.abc import Callable, Iterator
from pathlib import Path

import pytest

from tests.conftest import ROOT, child_env
from tests.review_data import build_corpus

CHROMIUM = Path("/usr/bin/chromium")
FLAGS = [
    "--headless",
    "--no-sandbox",
    "--disable-gpu",
    "--disable-quic",
    "--no-first-run",
    "--disable-background-networking",
    "--disable-component-update",
    "--disable-sync",
]

pytestmark = [
    pytest.mark.browser,
    pytest.mark.skipif(not CHROMIUM.exists(), reason="Debian's chromium is not installed (apt-get install chromium)"),
]


def free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return int(s.getsockname()[1])


def wait_for(what: str, check: Callable[[], object], timeout: float = 30.0) -> object:
    """Poll ``check`` until it returns something true; fail naming ``what`` after ``timeout`` seconds."""
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        result = check()
        if result:
            return result
        time.sleep(0.1)
    raise AssertionError(f"timed out waiting for {what}")


def query(db: Path, sql: str, *args: object) -> list[tuple]:
    """Read the database as another process would (a fresh connection each time)."""
    conn = sqlite3.connect(db, timeout=10)
    try:
        return conn.execute(sql, args).fetchall()
    finally:
        conn.close()


@pytest.fixture
def served(tmp_path: Path) -> Iterator[tuple[str, Path, subprocess.Popen[bytes]]]:
    """The sample review corpus served on a free port of 127.0.0.1: (URL, database, server)."""
    db = build_corpus(tmp_path / "corpus.db")
    port = free_port()
    log = (tmp_path / "server.log").open("wb")
    server = subprocess.Popen(
        [sys.executable, "-m", "aligner", "review", str(db), "--serve", "--port", str(port), "--reviewer", "web"],
        cwd=ROOT,
        env=child_env(),
        stdout=log,
        stderr=subprocess.STDOUT,
    )

    def listening() -> bool:
        assert server.poll() is None, (tmp_path / "server.log").read_text(errors="replace")
        with socket.socket() as s:
            return s.connect_ex(("127.0.0.1", port)) == 0

    try:
        wait_for("the server to listen", listening)
        yield f"http://127.0.0.1:{port}/", db, server
    finally:
        server.terminate()
        try:
            server.wait(timeout=15)
        except subprocess.TimeoutExpired:
            server.kill()
            server.wait()
        log.close()


def test_the_served_app_loads_in_chromium_and_a_key_accepts_a_bead(served, tmp_path):
    playwright = pytest.importorskip("playwright.sync_api")
    url, db, _ = served
    with playwright.sync_playwright() as p:
        browser = p.chromium.launch_persistent_context(
            str(tmp_path / "profile"),
            executable_path=str(CHROMIUM),
            headless=True,
            args=FLAGS,
            viewport={"width": 1200, "height": 700},
        )
        try:
            page = browser.new_page()
            page.goto(url)
            assert "aligner review · corpus.db" in page.content()  # the page's intro names the corpus
            page.wait_for_selector("body.-first-byte", timeout=30_000)  # the app's first bytes arrived
            # the app started in a process of its own and said its reviewer is here
            wait_for(
                "the app to start",
                lambda: query(db, "SELECT 1 FROM review_state WHERE reviewer='web' AND seen_at IS NOT NULL"),
            )
            page.click(".textual-terminal")  # keys go to the terminal
            page.keyboard.press("Enter")  # open the first pair ...
            wait_for(
                "the pair to open",
                lambda: query(db, "SELECT 1 FROM review_state WHERE reviewer='web' AND screen='pair' AND pair_id=1"),
            )
            page.keyboard.press("a")  # ... and accept its first unreviewed bead (bead 2)
            wait_for(
                "the accept to be stored",
                lambda: query(
                    db, "SELECT 1 FROM beads WHERE pair_id=1 AND position=1 AND status='accepted' AND changed_by='web'"
                ),
            )
            assert query(db, "SELECT reviewer, action FROM edits") == [("web", "accept 2")]
            page.close()  # the tab is gone: the app quits and the reviewer is no longer shown on a pair
            wait_for(
                "the reviewer to leave",
                lambda: query(db, "SELECT 1 FROM review_state WHERE reviewer='web' AND seen_at IS NULL"),
            )
        finally:
            browser.close()
