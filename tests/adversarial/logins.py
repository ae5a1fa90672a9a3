"""Logins and the API's rate limit under many people and attackers (issue 14, items 6 and 7).

Two apps over one SQLite store are served for real (tests/support/app.py): `direct`, reached by the
browser itself (no trusted proxy), and `proxied`, behind a reverse proxy on this machine (127.0.0.1
is a trusted proxy, the client is in `X-Forwarded-For`). Each case starts a day after the last on
an injected clock, so a case never waits for a window to pass; it is one of:

- an office: 10 to 40 people logging in with their right password within a minute from one
  address (direct, direct with a spoofed `X-Forwarded-For`, or behind the proxy) — all get in;
- a guesser at one user from many addresses — stopped with 429 and `Retry-After` after a few
  tries, even when it then sends the right password, while the user still gets in from the
  office they log in from and a colleague does too; the stop ends by itself after `Retry-After`,
  or with `users enable` or a new password set by an admin;
- a guesser at many users (known and not) from one address, spoofing `X-Forwarded-For` or not —
  stopped with 429 and `Retry-After`, while another address gets in; the stop ends by itself;
- random `Authorization` headers (not Bearer, Bearer junk, Basic …) at the API from one address —
  rate limited with 429 and `Retry-After`, while a valid token's owner is still answered;
- junk logins (long, control characters, bad `X-Forwarded-For` lists) — never a 5xx, never in.

Held: the office gets in, the guesser is stopped with 429 and Retry-After, nothing answers 5xx.
Password hashing is made cheap for the run (argon2id with small parameters): the cost of a hash is
not what is tested.
"""

from __future__ import annotations

import contextlib
import dataclasses
import random
import shutil
import string
import tempfile
from collections.abc import Callable, Iterator
from datetime import datetime, timedelta
from pathlib import Path

import httpx
from argon2 import PasswordHasher
from support.app import serve
from support.cli import caunoi, cli

from adversarial import Budget, Tally
from caunoi import users as users_module
from caunoi.config import Settings
from caunoi.service import Service

OFFICE_USERS = 40
VICTIMS = 12
PASSWORD = "trống đồng Đông Sơn {n} ngàn năm"
API_RATE = 40  # per minute: bursts of 10
GUESS_ALLOWANCE = 10  # wrong passwords checked (401) before a guesser at one user must be stopped
ADDRESS_ALLOWANCE = 25  # … and before a guesser from one address must be
CSRF = "adversarial-login-csrf-token-0123456789"
TIMEOUT = 15.0
JUNK = string.printable + "đĐơưáàảãạ\u200b\ufeff\x00\x01\x7f"
HEADER_TEXT = string.ascii_letters + string.digits + string.punctuation + " "  # what a header can hold


class Clock:
    """The time the users' service sees: moved by hand."""

    def __init__(self) -> None:
        self.now = datetime(2026, 12, 1, 8, 0)

    def __call__(self) -> datetime:
        return self.now

    def advance(self, **delta: float) -> None:
        self.now += timedelta(**delta)


@dataclasses.dataclass
class World:
    settings: Settings
    clock: Clock
    direct: httpx.Client
    proxied: httpx.Client
    token: str  # a valid API token of office0
    rng: random.Random
    victims: dict[str, str] = dataclasses.field(default_factory=dict)  # their passwords, as changed


def run(budget_s: float, seed: int = 0) -> Tally:
    tally = Tally("logins")
    budget = Budget(budget_s)
    rng = random.Random(seed)
    cases: list[Callable[[World], str | None]] = [
        office_direct, office_spoofed, office_proxied, guess_one_user, guess_from_one_address,
        guess_spoofing, api_random_authorization, junk_login,
    ]  # fmt: skip
    with _world(rng) as world:
        n = 0
        while budget:
            case = cases[n % len(cases)] if n < len(cases) else rng.choice(cases)
            n += 1
            world.clock.advance(days=1)
            try:
                failure = case(world)
            except Exception as exc:  # a timeout or a broken answer is this case's failure
                failure = f"{type(exc).__name__}: {str(exc)[:200]}"
            tally.case(failure is None, f"{case.__name__}: {failure}")
    return tally


# -- the cases: each returns None when it held, else what went wrong --------------------------------


def office_direct(world: World) -> str | None:
    return _office(world, world.direct, xff=None)


def office_spoofed(world: World) -> str | None:
    """The browsers' own X-Forwarded-For, random, at the app reached directly: it counts for nothing."""
    return _office(world, world.direct, xff=lambda: _random_address(world.rng))


def office_proxied(world: World) -> str | None:
    """Behind the proxy, which appends the office's address to whatever the browser sent."""
    rng = world.rng
    address = _random_address(rng)
    return _office(world, world.proxied, xff=lambda: _appended(rng, address))


def _office(world: World, app: httpx.Client, xff: Callable[[], str] | None) -> str | None:
    people = world.rng.sample(range(OFFICE_USERS), world.rng.randint(10, OFFICE_USERS))
    for n in people:
        world.clock.advance(seconds=60 / len(people))
        answer = _login(app, f"office{n}", PASSWORD.format(n=n), xff() if xff else None)
        if not _in(answer):
            return f"office{n} of {len(people)} was not let in: {_said(answer)}"
    return None


def guess_one_user(world: World) -> str | None:
    rng, app = world.rng, world.proxied
    n = rng.randrange(VICTIMS)
    victim = f"victim{n}"
    right = world.victims.setdefault(victim, PASSWORD.format(n=f"v{n}"))
    office = _random_address(rng)
    if not _in(answer := _login(app, victim, right, office)):
        return f"{victim} could not log in before the guessing: {_said(answer)}"
    checked, stop = _guess(app, rng, lambda: victim, lambda: _random_address(rng), rng.randint(12, 40))
    if checked > GUESS_ALLOWANCE or stop is None:
        return f"{checked} guesses at {victim} from many addresses were checked, stopped: {stop}"
    answer = _login(app, victim, right, _random_address(rng))
    if answer.status_code != 429 or not _retry_after(answer):
        return f"the guesser's right password for {victim} during the stop: {_said(answer)}"
    if not _in(answer := _login(app, victim, right, office)):
        return f"{victim} from their office during the stop: {_said(answer)}"
    colleague = rng.randrange(OFFICE_USERS)
    if not _in(answer := _login(app, f"office{colleague}", PASSWORD.format(n=colleague), office)):
        return f"a colleague of {victim} during the stop: {_said(answer)}"
    how = rng.choice(("wait", "enable", "password"))
    if how == "wait":
        world.clock.advance(seconds=stop + 1)
    elif how == "enable":
        caunoi(world.settings, "users", "enable", victim, "--by", "admin")
    else:
        right = world.victims[victim] = f"{PASSWORD.format(n=rng.random())} mới"
        _set_password(world, victim, right)
    if not _in(answer := _login(app, victim, right, _random_address(rng))):
        return f"{victim} from a new address after the stop ended ({how}): {_said(answer)}"
    return None


def guess_from_one_address(world: World) -> str | None:
    """From one address behind the proxy, writing its own X-Forwarded-For entries before the proxy's;
    an IPv6 guesser takes a new address of its /64 at every try."""
    rng, app = world.rng, world.proxied
    address = _random_address(rng)
    line = address.rsplit(":", 4)[0] if ":" in address else None

    def hop() -> str:
        if line is None:
            return _appended(rng, address)
        return _appended(rng, f"{line}:{rng.randrange(65536):x}:{rng.randrange(65536):x}::1")

    checked, stop = _guess(app, rng, lambda: _any_username(rng), hop, rng.randint(30, 60))
    if checked > ADDRESS_ALLOWANCE or stop is None:
        return f"{checked} guesses from {address} were checked, stopped: {stop}"
    n = rng.randrange(OFFICE_USERS)
    answer = _login(app, f"office{n}", PASSWORD.format(n=n), address)
    if answer.status_code != 429 or not _retry_after(answer):
        return f"a right password from {address} during its stop: {_said(answer)}"
    if not _in(answer := _login(app, f"office{n}", PASSWORD.format(n=n), _random_address(rng))):
        return f"office{n} from another address during the stop of {address}: {_said(answer)}"
    world.clock.advance(seconds=stop + 1)
    if not _in(answer := _login(app, f"office{n}", PASSWORD.format(n=n), address)):
        return f"office{n} from {address} after its stop ended: {_said(answer)}"
    return None


def guess_spoofing(world: World) -> str | None:
    """Guessing at the app reached directly, a new X-Forwarded-For each time: still one address."""
    rng, app = world.rng, world.direct
    checked, stop = _guess(
        app, rng, lambda: _any_username(rng), lambda: _random_address(rng), rng.randint(30, 60)
    )
    if checked > ADDRESS_ALLOWANCE or stop is None:
        return f"{checked} guesses with spoofed X-Forwarded-For were checked, stopped: {stop}"
    world.clock.advance(seconds=stop + 1)
    n = rng.randrange(OFFICE_USERS)
    if not _in(answer := _login(app, f"office{n}", PASSWORD.format(n=n), _random_address(rng))):
        return f"office{n} after the stop ended: {_said(answer)}"
    return None


def api_random_authorization(world: World) -> str | None:
    rng = world.rng
    app, fixed = rng.choice(((world.direct, None), (world.proxied, _random_address(rng))))
    limited = None
    for n in range(API_RATE):
        headers = {"Authorization": _random_authorization(rng)}
        xff = fixed or (_random_address(rng) if rng.random() < 0.5 else None)
        if xff:
            headers["X-Forwarded-For"] = xff
        answer = app.get("/api/v1/stories", headers=headers)
        if answer.status_code >= 500:
            return f"{headers}: {_said(answer)}"
        if answer.status_code == 429:
            if not _retry_after(answer):
                return f"429 without Retry-After: {answer.headers}"
            limited = n
            break
        if answer.status_code != 401:
            return f"{headers}: {_said(answer)}"
    if limited is None:
        return f"{API_RATE} calls with random Authorization headers were never rate limited"
    headers = {"Authorization": f"Bearer {world.token}", **({"X-Forwarded-For": fixed} if fixed else {})}
    answer = app.get("/api/v1/stories", headers=headers)
    if answer.status_code != 200:
        return f"a valid token from the same address after the flood: {_said(answer)}"
    return None


def junk_login(world: World) -> str | None:
    rng = world.rng
    app = rng.choice((world.direct, world.proxied))
    for _ in range(5):
        username, password = _junk(rng, 120), _junk(rng, 2000)
        xff = rng.choice((_junk(rng, 40, HEADER_TEXT), ", ".join(_random_address(rng) for _ in range(50))))
        answer = _login(app, username, password, xff)
        if answer.status_code >= 500 or _in(answer):
            return f"{username!r}/{xff!r}: {_said(answer)}"
        if answer.status_code == 429 and not _retry_after(answer):
            return f"429 without Retry-After for {username!r}"
    return None


# -- how a case talks to the app --------------------------------------------------------------------


def _login(app: httpx.Client, username: str, password: str, xff: str | None) -> httpx.Response:
    headers = {"Cookie": f"caunoi_login_csrf={CSRF}"}
    if xff is not None:
        headers["X-Forwarded-For"] = xff
    form = {"username": username, "password": password, "csrf_token": CSRF, "next": "/"}
    return app.post("/login", data=form, headers=headers)


def _in(answer: httpx.Response) -> bool:
    return answer.status_code == 303 and "caunoi_session=" in answer.headers.get("set-cookie", "")


def _retry_after(answer: httpx.Response) -> int | None:
    value = answer.headers.get("retry-after", "")
    return int(value) if value.isdigit() and int(value) > 0 else None


def _said(answer: httpx.Response) -> str:
    return f"{answer.status_code} {answer.text[:120]!r}"


def _guess(
    app: httpx.Client, rng: random.Random, username: Callable[[], str], address: Callable[[], str], tries: int
) -> tuple[int, int | None]:
    """Wrong passwords: how many were checked (401) and the Retry-After of the stop (None: none)."""
    checked, stop = 0, None
    for _ in range(tries):
        answer = _login(app, username(), "".join(rng.choices(string.ascii_letters, k=14)), address())
        if answer.status_code == 401:
            checked += 1
        elif answer.status_code == 429:
            stop = _retry_after(answer)
            if stop is None:
                return checked, None
        else:
            raise AssertionError(f"a wrong password answered {_said(answer)}")
    return checked, stop


def _any_username(rng: random.Random) -> str:
    if rng.random() < 0.5:
        return f"victim{rng.randrange(VICTIMS)}"
    return rng.choice(("admin", "root", "thu", "lan", "")) + str(rng.randrange(1000))


def _random_address(rng: random.Random) -> str:
    if rng.random() < 0.8:
        return f"{rng.randint(1, 223)}.{rng.randrange(256)}.{rng.randrange(256)}.{rng.randint(1, 254)}"
    return "2001:db8:" + ":".join(f"{rng.randrange(65536):x}" for _ in range(6))


def _appended(rng: random.Random, address: str) -> str:
    """X-Forwarded-For as the proxy passes it on: what the browser wrote (maybe), then `address`,
    maybe with a port."""
    written = rng.choice(
        ("", "127.0.0.1, ", "10.0.0.2, ", f"{_random_address(rng)}, ", "unknown, ", "a, b, ")
    )
    if rng.random() < 0.2:
        address = (
            f"[{address}]:{rng.randint(1, 65535)}" if ":" in address else f"{address}:{rng.randint(1, 65535)}"
        )
    return written + address


def _random_authorization(rng: random.Random) -> str:
    junk = "".join(rng.choices(string.ascii_letters + string.digits + "+/=-_.", k=rng.randint(1, 80)))
    return rng.choice((junk, f"Basic {junk}", f"Bearer {junk}", f"Bearer cn_{junk}", f"Token {junk}"))


def _junk(rng: random.Random, longest: int, alphabet: str = JUNK) -> str:
    return "".join(rng.choices(alphabet, k=rng.randint(0, longest)))


def _set_password(world: World, username: str, password: str) -> None:
    """`users password` reads its new password from standard input: give it there."""
    cli(world.settings, "users", "password", username, "--password-stdin", "--by", "admin", input=password)


# -- the world: one store, two apps, cheap hashes, an injected clock ---------------------------------


@contextlib.contextmanager
def _world(rng: random.Random) -> Iterator[World]:
    folder = Path(tempfile.mkdtemp(prefix="caunoi-adversarial-logins-"))
    clock = Clock()
    try:
        with contextlib.ExitStack() as stack:
            stack.enter_context(_cheap_hashes())
            base = Settings(data_dir=folder, api_rate_per_minute=API_RATE)
            proxied_settings = _trusting(base, "127.0.0.1")
            with Service(base) as service:
                for n in range(OFFICE_USERS):
                    service.users.add_user(f"office{n}", PASSWORD.format(n=n), "viewer", by="admin")
                for n in range(VICTIMS):
                    service.users.add_user(f"victim{n}", PASSWORD.format(n=f"v{n}"), "viewer", by="admin")
                token = service.users.create_token("office0", "adversarial", by="admin")
            clients = []
            for settings in (base, proxied_settings):
                url = stack.enter_context(serve(settings, prepare=lambda app: _inject(app, clock, stack)))
                clients.append(stack.enter_context(httpx.Client(base_url=url, timeout=TIMEOUT)))
            yield World(base, clock, clients[0], clients[1], token, rng)
    finally:
        shutil.rmtree(folder, ignore_errors=True)


def _trusting(settings: Settings, proxies: str) -> Settings:
    """The settings with a trusted proxy, where the code has that setting (older code has none)."""
    if "trusted_proxies" in {f.name for f in dataclasses.fields(Settings)}:
        return dataclasses.replace(settings, trusted_proxies=proxies)
    return settings


def _inject(app, clock: Clock, stack: contextlib.ExitStack) -> None:
    """The users' service of `app` on `clock` (older code has no clock to inject: its module's
    datetime is replaced instead)."""
    users = app.state.service.users
    if hasattr(users, "clock"):
        users.clock = clock
        return

    class FakeDatetime(datetime):
        @classmethod
        def now(cls, tz=None):
            return clock()

    stack.enter_context(_patched(users_module, "datetime", FakeDatetime))


@contextlib.contextmanager
def _cheap_hashes() -> Iterator[None]:
    cheap = PasswordHasher(time_cost=1, memory_cost=1024, parallelism=1)
    dummy = cheap.hash("dummy")
    hasher, dummy_hash = (
        _patched(users_module, "_hasher", lambda: cheap),
        _patched(users_module, "_dummy_hash", lambda: dummy),
    )
    with hasher, dummy_hash:
        yield


@contextlib.contextmanager
def _patched(owner: object, name: str, value: object) -> Iterator[None]:
    old = getattr(owner, name)
    setattr(owner, name, value)
    try:
        yield
    finally:
        setattr(owner, name, old)
