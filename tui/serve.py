"""``aligner review DB --serve``: the same review app in a web browser, through textual-serve.

textual-serve runs a small web server; every browser tab that opens its page starts the
app in a process of its own (``python -m tui DB``) and streams its screen to the tab.
So each tab is one reviewer's app on the shared database, exactly as in a terminal: the
tabs see each other's changes within a second and the list shows who is on which pair.

It listens on 127.0.0.1 unless told otherwise: anyone who can open the page can edit the
corpus, and there is no login.
"""

from __future__ import annotations

import ipaddress
import shlex
import sys
from pathlib import Path
from typing import Any

from aligner.display import plain, visible
from aligner.errors import AlignerError
from tui.app import open_corpus


def app_command(db: Path, reviewer: str | None) -> str:
    """The shell command textual-serve runs for each browser tab (every part quoted: a file
    or reviewer name is never read by the shell)."""
    argv = [sys.executable, "-m", "tui", str(db.resolve())]
    if reviewer:
        argv += ["--reviewer", reviewer]
    return shlex.join(argv)


def is_loopback(host: str) -> bool:
    if host == "localhost":
        return True
    try:
        return ipaddress.ip_address(host).is_loopback
    except ValueError:
        return False


def serve(db: str | Path, reviewer: str | None, host: str = "127.0.0.1", port: int = 8000) -> int:
    """Serve the app on http://HOST:PORT until Ctrl+C; a missing database or a port that is
    taken is one line (AlignerError), not a traceback."""
    from textual_serve.server import Server

    path = Path(db)
    open_corpus(path).close()  # a missing or foreign file fails here, not in every tab

    class ReviewServer(Server):
        """textual-serve's server, announcing itself without markup (the path is the user's)."""

        async def on_startup(self, app: Any) -> None:
            self.console.print(plain(f"Serving the review of {path} on {self.public_url} (Ctrl+C stops it)"))
            if not is_loopback(host):
                self.console.print(
                    plain(f"warning: anyone who can reach {host}:{port} can edit this corpus; there is no login")
                )

    server = ReviewServer(
        app_command(path, reviewer), host=host, port=port, title=visible(f"aligner review · {path.name}")
    )
    try:
        server.serve()
    except OSError as exc:
        raise AlignerError(f"{host}:{port}", f"cannot serve there ({exc.strerror or exc})") from None
    return 0
