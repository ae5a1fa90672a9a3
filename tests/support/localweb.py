"""A small real HTTP server on 127.0.0.1 for the fetching tests: routes, bad cases, request log;
and loopback ports, free or bound but not listening."""

from __future__ import annotations

import contextlib
import gzip
import socket
import struct
import threading
import time
from collections import Counter
from collections.abc import Callable, Iterator
from dataclasses import dataclass, field
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer


def free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return sock.getsockname()[1]


@contextlib.contextmanager
def closed_port() -> Iterator[int]:
    """A loopback port bound but not listening: a connection to it is refused at once."""
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        yield sock.getsockname()[1]


@dataclass
class Route:
    status: int = 200
    body: bytes = b""
    headers: dict[str, str] = field(default_factory=dict)
    content_type: str | None = "text/html; charset=utf-8"
    drip: float | None = None  # seconds between single bytes of the body (a slow-drip response)
    delay: float = 0.0  # seconds to think before answering
    stream_bytes: int = 0  # send this many bytes of filler, without Content-Length (-1: never end)
    stream_pause: float = 0.0  # seconds between two 64 KiB chunks of that filler
    reset: bool = False  # answer nothing: the connection is reset (TCP RST) once the request is read
    gzip: bool = False  # Content-Encoding: gzip
    etag: str | None = None  # answer 304 to a matching If-None-Match
    handler: Callable[[BaseHTTPRequestHandler], Route | None] | None = None  # decides per request


class LocalWeb:
    """`with LocalWeb() as web: web.add("/feed.xml", Route(body=...)); web.url("/feed.xml")`."""

    def __init__(self, address: str = "127.0.0.1") -> None:
        self.routes: dict[str, Route] = {}
        self.hits: Counter[str] = Counter()
        self.log: list[tuple[str, dict[str, str], float]] = []
        self._lock = threading.Lock()
        web = self

        class Handler(BaseHTTPRequestHandler):
            protocol_version = "HTTP/1.1"

            def log_message(self, *args: object) -> None:
                pass

            def do_GET(self) -> None:
                web._serve(self)

        self.address = address
        self.server = ThreadingHTTPServer((address, 0), Handler)
        self.server.daemon_threads = True
        self.server.handle_error = lambda *args: None  # a client hanging up early is part of the tests
        self.port = self.server.server_address[1]
        self.thread = threading.Thread(target=self.server.serve_forever, args=(0.05,), daemon=True)

    def __enter__(self) -> LocalWeb:
        self.thread.start()
        return self

    def __exit__(self, *exc: object) -> None:
        self.server.shutdown()
        self.server.server_close()

    @property
    def base(self) -> str:
        return f"http://{self.address}:{self.port}"

    def url(self, path: str) -> str:
        return self.base + path

    def add(self, path: str, route: Route | None = None, **kwargs) -> str:
        self.routes[path] = route or Route(**kwargs)
        return self.url(path)

    def _serve(self, req: BaseHTTPRequestHandler) -> None:
        path = req.path
        with self._lock:
            self.hits[path] += 1
            self.log.append((path, dict(req.headers), time.monotonic()))
        route = self.routes.get(path)
        if route is not None and route.handler is not None:
            route = route.handler(req) or route
        if route is None:
            route = Route(status=404, body=b"not here", content_type="text/plain")
        with contextlib.suppress(BrokenPipeError, ConnectionResetError):
            self._send(req, route)

    @staticmethod
    def _send(req: BaseHTTPRequestHandler, route: Route) -> None:
        if route.delay:
            time.sleep(route.delay)
        if route.reset:  # SO_LINGER 0: close() sends RST instead of FIN
            req.connection.setsockopt(socket.SOL_SOCKET, socket.SO_LINGER, struct.pack("ii", 1, 0))
            req.connection.close()
            req.close_connection = True
            return
        if route.etag and req.headers.get("If-None-Match") == route.etag:
            req.send_response(304)
            req.send_header("ETag", route.etag)
            req.send_header("Content-Length", "0")
            req.end_headers()
            return
        body = gzip.compress(route.body) if route.gzip else route.body
        req.send_response(route.status)
        if route.content_type:
            req.send_header("Content-Type", route.content_type)
        if route.etag:
            req.send_header("ETag", route.etag)
        if route.gzip:
            req.send_header("Content-Encoding", "gzip")
        for name, value in route.headers.items():
            req.send_header(name, value)
        if route.stream_bytes:
            req.send_header("Connection", "close")
            req.end_headers()
            chunk = b"<p>" + b"x" * 65_530 + b"</p>\n"
            sent = 0
            while route.stream_bytes < 0 or sent < route.stream_bytes:
                req.wfile.write(chunk)
                sent += len(chunk)
                if route.stream_pause:
                    time.sleep(route.stream_pause)
            return
        req.send_header("Content-Length", str(len(body)))
        req.end_headers()
        if route.drip is not None:
            for i in range(len(body)):
                req.wfile.write(body[i : i + 1])
                req.wfile.flush()
                time.sleep(route.drip)
            return
        req.wfile.write(body)
