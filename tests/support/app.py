"""caunoi's web app served for real (uvicorn on a free loopback port, in a thread of this process);
what its API's errors look like; and the app as a logged-in browser meets it through the test
client: log in by the login form, read a page's CSRF token, keep one browser per user."""

from __future__ import annotations

import contextlib
import re
import socket
import threading
import time
from collections.abc import Callable, Iterator
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import httpx
import uvicorn
from fastapi import FastAPI
from fastapi.testclient import TestClient

from caunoi.app import create_app
from caunoi.config import Settings


@contextlib.contextmanager
def serve(settings: Settings, prepare: Callable[[FastAPI], None] | None = None) -> Iterator[str]:
    """create_app(settings) served by uvicorn on 127.0.0.1 in a thread, as `caunoi serve` serves it
    (X-Forwarded-For is the app's to read, not uvicorn's); `prepare` is given the app first (to
    inject a clock, say). Yields its base URL."""
    app = create_app(settings)
    if prepare is not None:
        prepare(app)
    sock = socket.socket()
    sock.bind(("127.0.0.1", 0))
    port = sock.getsockname()[1]
    server = uvicorn.Server(uvicorn.Config(app, log_level="warning", proxy_headers=False))
    thread = threading.Thread(target=server.run, kwargs={"sockets": [sock]}, daemon=True)
    thread.start()
    deadline = time.monotonic() + 30
    while not server.started:
        if not thread.is_alive() or time.monotonic() > deadline:
            raise RuntimeError("uvicorn did not start")
        time.sleep(0.02)
    try:
        yield f"http://127.0.0.1:{port}"
    finally:
        server.should_exit = True
        thread.join(10)
        sock.close()


def assert_error(response: httpx.Response, status: int, code: str | None = None) -> dict[str, Any]:
    """The response is the API's JSON error of this status (and code)."""
    assert response.status_code == status, response.text
    error = response.json()["error"]
    assert error["status"] == status and error["message"]
    if code:
        assert error["code"] == code
    return error


def csrf_of(page: str) -> str:
    """The CSRF token a page's forms carry."""
    return re.search(r'name="csrf_token" value="([^"]+)"', page)[1]


def log_in(browser: TestClient, username: str, password: str, next_url: str = "/"):
    """Log in through the login form, as a browser does (with the form's own token): the answer."""
    token = csrf_of(browser.get("/login").text)
    form = {"username": username, "password": password, "csrf_token": token, "next": next_url}
    return browser.post("/login", data=form, follow_redirects=False)


@contextlib.contextmanager
def site_on(
    backend: str, folder: Path, prepare: Callable[[Any], None], users: dict[str, tuple[str, str | None]],
    password: str,
) -> Iterator[Site]:  # fmt: skip
    """The app over an empty store of `backend` ("sqlite": in `folder`; "postgresql": in a schema of
    its own), `prepare`d (given the service: units, data …), then with `users` ({name: (role,
    mission)}) who share `password`; the service is closed after."""
    from conftest import backend_settings

    with contextlib.ExitStack() as stack:
        app = create_app(backend_settings(backend, folder, stack))
        service = app.state.service
        stack.callback(service.close)
        prepare(service)
        for username, (role, mission) in users.items():
            service.users.add_user(username, password, role, mission=mission, by="test")
        yield Site(app, service, {}, password)


@dataclass
class Site:
    """An app under test, the ids of what a fixture put in it, and its users' shared password."""

    app: Any
    service: Any
    ids: dict[str, int]
    password: str
    clients: dict[str, TestClient] = field(default_factory=dict)

    def client(self, username: str) -> TestClient:
        """A browser logged in as `username`, kept for the module (logins are rate limited)."""
        if username not in self.clients:
            browser = TestClient(self.app, base_url="https://testserver")
            assert log_in(browser, username, self.password).status_code == 303
            self.clients[username] = browser
        return self.clients[username]
