"""Content-Encoding (gzip, deflate) undone a bounded piece at a time.

httpx would undo it too, but a whole network read at a time: 64 kB of gzip can become
64 MB in one call, and two gzip layers 64 GB, before any size check runs. Here each
layer gives at most :data:`DECODE_PIECE` bytes per step, so the fetcher's size cap
stops a compression "bomb" after a few pieces instead of after it filled memory.
"""

from __future__ import annotations

import zlib
from collections.abc import Iterator

#: Most bytes one decompression step may return.
DECODE_PIECE = 64 * 1024
SUPPORTED = ("gzip", "x-gzip", "deflate")


class BodyError(Exception):
    """A body that cannot be decoded; ``retry`` when it may pass (a stream cut short)."""

    def __init__(self, problem: str, retry: bool = False) -> None:
        super().__init__(problem)
        self.problem = problem
        self.retry = retry


class _Inflater:
    """One gzip or deflate layer, undone at most DECODE_PIECE bytes per step."""

    def __init__(self, name: str) -> None:
        self.name = name
        self._z: zlib._Decompress | None = None

    def feed(self, data: bytes) -> Iterator[bytes]:
        if self._z is None:
            if not data:
                return
            # "deflate" is meant to be zlib-wrapped, but some servers send raw deflate.
            zlib_header = len(data) >= 2 and data[0] & 0x0F == 8 and (data[0] << 8 | data[1]) % 31 == 0
            wbits = 16 + zlib.MAX_WBITS if self.name == "gzip" else (zlib.MAX_WBITS if zlib_header else -zlib.MAX_WBITS)
            self._z = zlib.decompressobj(wbits)
        while data and not self._z.eof:  # bytes after the end of the stream are ignored, as browsers do
            out = self._z.decompress(data, DECODE_PIECE)
            if out:
                yield out
            data = self._z.unconsumed_tail
        while not self._z.eof:  # what zlib still holds back after the input ran out
            out = self._z.decompress(b"", DECODE_PIECE)
            if not out:
                break
            yield out

    def complete(self) -> bool:
        return self._z is not None and self._z.eof


class BodyDecoder:
    """Undo a response's Content-Encoding layers (last applied, first undone) with bounded output.

    Raises :class:`BodyError` for an encoding it does not know (at once), for data that
    does not decode, and (``retry``) for a compressed stream that stops before its end.
    """

    def __init__(self, encodings: list[str]) -> None:
        names = [e.strip().lower() for e in encodings if e.strip() and e.strip().lower() != "identity"]
        unknown = [n for n in names if n not in SUPPORTED]
        if unknown:
            raise BodyError(f"unsupported Content-Encoding {', '.join(unknown)}")
        self.layers = [_Inflater("gzip" if n == "x-gzip" else n) for n in reversed(names)]
        self.names = ", ".join(names)

    def feed(self, data: bytes) -> Iterator[bytes]:
        try:
            yield from self._through(0, data)
        except zlib.error as exc:
            raise BodyError(f"{self.names} body cannot be decoded ({exc})") from None

    def _through(self, layer: int, data: bytes) -> Iterator[bytes]:
        if layer == len(self.layers):
            yield data
            return
        for piece in self.layers[layer].feed(data):
            yield from self._through(layer + 1, piece)

    def finish(self) -> None:
        """A compressed stream that stopped before its end is a truncated body."""
        if any(not layer.complete() for layer in self.layers):
            raise BodyError(f"truncated body ({self.names} stream ends early)", retry=True)
