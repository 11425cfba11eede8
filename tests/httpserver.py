"""A real HTTP server on 127.0.0.1 for the fetcher's tests, with scripted misbehaviour.

Tests must not touch the real site, and must not mock httpx either: the fetcher's
retries, timeouts, redirects and size caps are only tested honestly against a server
that really sends short bodies, slow answers and bad redirects. Each route maps a path
(with its query string) to a list of ``Reply``; a route answers with its replies in turn
and repeats the last one, so "500 then 200" is ``[Reply(500), Reply(200, body)]``.
Every request is logged (path, headers, time) so tests can check politeness.
"""

from __future__ import annotations

import socket
import struct
import threading
import time
import zlib
from dataclasses import dataclass, field
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer


@dataclass
class Reply:
    """One scripted answer. ``declared_length`` larger than the body makes a truncated body."""

    status: int = 200
    body: bytes | str = b""
    content_type: str | None = "text/html; charset=utf-8"
    headers: dict[str, str] = field(default_factory=dict)
    delay: float = 0.0  # seconds to wait before answering
    declared_length: int | None = None
    trickle: float = 0.0  # seconds between 1 kB chunks (a slow body rather than a slow start)
    chunked: bool = False  # no Content-Length: the client learns the size only by reading
    # Content-Encoding to send, applied by the server in the order listed ("gzip",
    # "deflate", "raw-deflate" for the headerless kind some servers send, "gzip, gzip")
    encoding: str | None = None
    # The status line's reason phrase (sent as Latin-1, as http.server does); None: the usual one
    reason: str | None = None
    # Header value sent as the Content-Encoding instead of the encoding's own name (a lie)
    encoding_label: str | None = None

    def payload(self) -> bytes:
        data = self.body.encode("utf-8") if isinstance(self.body, str) else self.body
        for coding in (self.encoding or "").split(","):
            if coding.strip():
                data = compress(data, coding.strip())
        return data

    def encoding_header(self) -> str | None:
        """The Content-Encoding header value ("raw-deflate" is sent as plain "deflate")."""
        if self.encoding_label is not None:
            return self.encoding_label
        return self.encoding.replace("raw-deflate", "deflate") if self.encoding else None


@dataclass
class Hit:
    path: str
    headers: dict[str, str]
    at: float
    host: str


class LocalServer:
    """A threading HTTP server on a free port of 127.0.0.1 (``with LocalServer() as s:``)."""

    def __init__(self) -> None:
        self.routes: dict[str, list[Reply]] = {}
        self.served: dict[str, int] = {}
        self.hits: list[Hit] = []
        self._lock = threading.Lock()
        self._server: ThreadingHTTPServer | None = None
        self._thread: threading.Thread | None = None

    # -- set-up ---------------------------------------------------------------------

    def route(self, path: str, *replies: Reply) -> str:
        """Script ``path``; returns its full URL on 127.0.0.1."""
        self.routes[path] = list(replies) or [Reply()]
        self.served.pop(path, None)
        return self.url(path)

    def page(self, path: str, body: bytes | str, content_type: str = "text/html; charset=utf-8") -> str:
        return self.route(path, Reply(200, body, content_type))

    def redirect(self, path: str, location: str, status: int = 302) -> str:
        return self.route(path, Reply(status, b"", None, {"Location": location}))

    # -- addresses ------------------------------------------------------------------

    @property
    def port(self) -> int:
        assert self._server is not None, "server not started"
        return self._server.server_address[1]

    def url(self, path: str = "/", host: str = "127.0.0.1") -> str:
        return f"http://{host}:{self.port}{path}"

    def count(self, path: str) -> int:
        """How many requests ``path`` has had."""
        with self._lock:
            return sum(1 for h in self.hits if h.path == path)

    # -- lifecycle ------------------------------------------------------------------

    def start(self) -> LocalServer:
        handler = _make_handler(self)
        self._server = _QuietServer(("127.0.0.1", 0), handler)
        self._server.daemon_threads = True
        self._thread = threading.Thread(target=self._server.serve_forever, kwargs={"poll_interval": 0.05}, daemon=True)
        self._thread.start()
        return self

    def stop(self) -> None:
        if self._server is not None:
            self._server.shutdown()
            self._server.server_close()
            self._server = None

    def __enter__(self) -> LocalServer:
        return self.start()

    def __exit__(self, *exc: object) -> None:
        self.stop()

    # -- answering ------------------------------------------------------------------

    def _next_reply(self, path: str) -> Reply | None:
        with self._lock:
            replies = self.routes.get(path)
            if replies is None:
                return None
            n = self.served.get(path, 0)
            self.served[path] = n + 1
            return replies[min(n, len(replies) - 1)]


class _QuietServer(ThreadingHTTPServer):
    """Clients that hang up early (timeouts, size caps) are part of the tests, not errors."""

    def handle_error(self, request, client_address) -> None:  # noqa: ANN001 - socketserver's signature
        pass


def _make_handler(server: LocalServer) -> type[BaseHTTPRequestHandler]:
    class Handler(BaseHTTPRequestHandler):
        protocol_version = "HTTP/1.1"

        def log_message(self, format: str, *args: object) -> None:  # noqa: A002 - quiet tests
            pass

        def do_GET(self) -> None:  # noqa: N802 - http.server's naming
            with server._lock:
                server.hits.append(
                    Hit(self.path, dict(self.headers.items()), time.monotonic(), self.headers.get("Host", ""))
                )
            reply = server._next_reply(self.path)
            if reply is None:
                reply = Reply(404, b"<html><body>not found</body></html>")
            if reply.delay:
                time.sleep(reply.delay)
            payload = reply.payload()
            try:
                self.send_response(reply.status, reply.reason)
                if reply.content_type:
                    self.send_header("Content-Type", reply.content_type)
                if reply.encoding or reply.encoding_label is not None:
                    self.send_header("Content-Encoding", reply.encoding_header())
                for name, value in reply.headers.items():
                    self.send_header(name, value)
                length = reply.declared_length if reply.declared_length is not None else len(payload)
                if reply.chunked:
                    self.send_header("Transfer-Encoding", "chunked")
                elif not any(name.lower() == "content-length" for name in reply.headers):
                    self.send_header("Content-Length", str(length))  # unless the script sends its own
                truncated = reply.declared_length is not None and reply.declared_length > len(payload)
                if truncated:
                    self.send_header("Connection", "close")
                self.end_headers()
                if reply.chunked:
                    for i in range(0, len(payload), 4096):
                        part = payload[i : i + 4096]
                        self.wfile.write(b"%x\r\n%s\r\n" % (len(part), part))
                    self.wfile.write(b"0\r\n\r\n")
                elif reply.trickle:
                    for i in range(0, len(payload), 1024):
                        self.wfile.write(payload[i : i + 1024])
                        self.wfile.flush()
                        time.sleep(reply.trickle)
                else:
                    self.wfile.write(payload)
                self.wfile.flush()
                if truncated:
                    self.close_connection = True
                    self.connection.shutdown(socket.SHUT_WR)
            except (BrokenPipeError, ConnectionResetError, OSError):
                self.close_connection = True

    return Handler


def raw_header(text: str) -> str:
    """``text`` as its UTF-8 bytes in a header (http.server sends headers as Latin-1)."""
    return text.encode("utf-8").decode("latin-1")


def rewrite_hosts(body: bytes, mapping: dict[str, str]) -> bytes:
    """Point a fixture page's links at the local server ("https://www.hani.co.kr" -> local URL)."""
    for old, new in mapping.items():
        body = body.replace(old.encode("ascii"), new.encode("ascii"))
    return body


def compress(data: bytes, coding: str) -> bytes:
    """``data`` in one Content-Encoding: gzip, deflate (zlib-wrapped) or raw-deflate."""
    wbits = {"gzip": 31, "deflate": 15, "raw-deflate": -15}[coding]
    packer = zlib.compressobj(9, zlib.DEFLATED, wbits)
    return packer.compress(data) + packer.flush()


def zero_bomb(size: int, block: int = 1 << 20) -> bytes:
    """A valid gzip stream that expands to ``size`` zero bytes (a multiple of ``block``).

    Built in well under a second whatever the size: after a full flush the compressor
    starts afresh, so one block of zeros compresses to the same bytes every time and can
    be repeated; only the trailer (CRC-32 and length of the whole) is computed.
    """
    packer = zlib.compressobj(9, zlib.DEFLATED, 31)
    first = packer.compress(bytes(block)) + packer.flush(zlib.Z_FULL_FLUSH)
    again = packer.compress(bytes(block)) + packer.flush(zlib.Z_FULL_FLUSH)
    end = packer.flush()[:-8]  # the final empty block, without the trailer for two blocks
    count = size // block
    crc = 0
    zeros = bytes(block)
    for _ in range(count):
        crc = zlib.crc32(zeros, crc)
    return first + again * (count - 1) + end + struct.pack("<II", crc, (count * block) & 0xFFFFFFFF)
