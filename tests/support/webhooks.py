"""A webhook receiver on 127.0.0.1 (the local web server, taking POSTs) and a route that checks the
signature as caunoi.alerts.notify tells receivers to."""

from __future__ import annotations

from caunoi.alerts.notify import verify_signature
from support.localweb import LocalWeb, Route

SECRET = "bí-mật-chung"


class WebhookReceiver(LocalWeb):
    """The project's local web server, taught to take POSTs: each body is read onto the request."""

    def __init__(self) -> None:
        super().__init__()
        self.posts: list[tuple[str, dict[str, str], bytes]] = []

        def do_POST(req) -> None:
            req.body = req.rfile.read(int(req.headers.get("Content-Length") or 0))
            self.posts.append((req.path, dict(req.headers), req.body))
            self._serve(req)

        self.server.RequestHandlerClass.do_POST = do_POST


def verified(req) -> Route:
    """A route that checks the signature as caunoi.alerts.notify's docstring tells receivers to."""
    good = verify_signature(
        SECRET, req.headers["X-Caunoi-Timestamp"], req.body, req.headers["X-Caunoi-Signature"]
    )
    return Route(status=200, body=b"ok", content_type="text/plain") if good else Route(status=401)
