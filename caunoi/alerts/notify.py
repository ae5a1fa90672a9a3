"""Delivering alert notifications: e-mail over SMTP and signed webhooks, retried, each ending in a record.

`send_mail` and `post_webhook` never raise for a delivery problem: they return a `Delivery` whose
`error` says in one line what went wrong and whose `permanent` says whether trying again later
could help. Failures that may pass (timeouts, refused connections, SMTP 4xx, HTTP 429 and 5xx)
are retried `notify_retries` times with exponential backoff and jitter; the others are not.

Verifying a webhook (for whoever receives one). Each POST carries a JSON body (UTF-8) and
    X-Caunoi-Event      what happened, e.g. "alert.triggered"
    X-Caunoi-Delivery   a uuid4, the same on every retry of one delivery: drop duplicates by it
    X-Caunoi-Timestamp  unix seconds when this attempt was signed
    X-Caunoi-Signature  "sha256=" + hex HMAC-SHA256, keyed with the shared secret (UTF-8), of the
                        bytes: timestamp (ASCII digits) + b"." + the body exactly as received
Recompute the HMAC over the raw body (before any JSON parsing), compare in constant time, and
refuse timestamps more than a few minutes from your clock, so a captured request cannot be
replayed later. `verify_signature` does all three:

    verify_signature(secret, request.headers["X-Caunoi-Timestamp"], request.body,
                     request.headers["X-Caunoi-Signature"])
"""

from __future__ import annotations

import asyncio
import contextlib
import hashlib
import hmac
import json
import logging
import random
import re
import smtplib
import socket
import ssl
import time
import uuid
from collections.abc import Awaitable, Callable
from dataclasses import dataclass
from email.headerregistry import Address
from email.message import EmailMessage
from email.utils import formatdate, getaddresses, make_msgid
from typing import Any

import httpx

from caunoi import __version__
from caunoi.config import Settings
from caunoi.net.guard import AddressGuard, GuardedBackend, Permit, Refused, Resolver, permit_scope
from caunoi.net.http import USER_AGENT_TOKEN, FetchPolicy, _guarded_pool, parse_retry_after

log = logging.getLogger(__name__)

WEBHOOK_USER_AGENT = (
    f"{USER_AGENT_TOKEN}/{__version__} (Cau Noi notifications; +https://github.com/caunoi/caunoi)"
)
BACKOFF = 1.0  # first retry after about this many seconds, doubling, with jitter
MAX_BACKOFF = 30.0
MAX_RETRY_AFTER = 60.0  # a server asking for a longer wait is not waited for: the delivery fails for now
_REDIRECTS = (301, 302, 303, 307, 308)

_LOCAL_PART = re.compile(r"^[A-Za-z0-9!#$%&'*+/=?^_`{|}~-]+(\.[A-Za-z0-9!#$%&'*+/=?^_`{|}~-]+)*$")
_DOMAIN_LABEL = re.compile(r"^(?!-)[A-Za-z0-9-]{1,63}(?<!-)$")
_HEADER_NAME = re.compile(r"^[!-9;-~]+$")  # printable ASCII but the colon


@dataclass
class Delivery:
    """What became of one notification: the record the caller stores."""

    channel: str  # "email" | "webhook"
    target: str  # the recipients, comma-separated, or the webhook URL
    ok: bool = False
    attempts: int = 0  # connections tried; 0 when refused before any
    status: int | None = None  # the last SMTP reply code or HTTP status, when there was one
    error: str | None = None  # one line for the user; None when delivered
    permanent: bool = False  # trying again later will not help (5xx reply, 4xx answer, bad address…)
    duration_s: float = 0.0


class _Failure(Exception):
    """Ends the delivery: the message becomes Delivery.error."""

    def __init__(self, message: str, status: int | None = None, permanent: bool = True):
        super().__init__(message)
        self.status = status
        self.permanent = permanent


class _Transient(Exception):
    """One attempt failed in a way that may pass: try again after a while."""

    def __init__(self, message: str, status: int | None = None, retry_after: float | None = None):
        super().__init__(message)
        self.status = status
        self.retry_after = retry_after


def _wait_before_retry(exc: _Transient, attempt: int, retries: int) -> float:
    """Seconds to wait before the next attempt, or _Failure when there is to be none."""
    if attempt >= retries:
        raise _Failure(f"{exc} (gave up after {attempt + 1} tries)", exc.status, permanent=False)
    if exc.retry_after is not None:
        if exc.retry_after > MAX_RETRY_AFTER:
            raise _Failure(
                f"{exc}: asked to wait {exc.retry_after:.0f} s, longer than the {MAX_RETRY_AFTER:.0f} s "
                "we wait; try again later",
                exc.status,
                permanent=False,
            )
        return exc.retry_after
    return min(MAX_BACKOFF, BACKOFF * 2**attempt * random.uniform(0.5, 1.5))


def _finish(delivery: Delivery, started: float, failure: _Failure | None = None) -> Delivery:
    if failure is not None:
        delivery.ok, delivery.error, delivery.permanent = False, str(failure), failure.permanent
        delivery.status = failure.status if failure.status is not None else delivery.status
        log.warning("%s to %s failed: %s", delivery.channel, _loggable(delivery), delivery.error)
    else:
        delivery.ok, delivery.error = True, None
        log.info("%s to %s delivered in %d tries", delivery.channel, _loggable(delivery), delivery.attempts)
    delivery.duration_s = time.monotonic() - started
    return delivery


def _loggable(delivery: Delivery) -> str:
    # a webhook URL's path and query often hold a token: the log gets the origin only
    if delivery.channel == "webhook":
        with contextlib.suppress(httpx.InvalidURL):
            url = httpx.URL(delivery.target)
            return f"{url.scheme}://{url.netloc.decode('ascii', 'replace')}"
    return delivery.target


def _one_line(text: str | bytes, limit: int = 200) -> str:
    if isinstance(text, bytes):
        text = text.decode("utf-8", "replace")
    text = " ".join(text.split())
    return text if len(text) <= limit else text[: limit - 1] + "…"


# -- e-mail ------------------------------------------------------------------------------------


def send_mail(
    settings: Settings,
    to: list[str],
    subject: str,
    html: str,
    text: str,
    headers: dict[str, str] | None = None,
    *,
    sleep: Callable[[float], None] = time.sleep,
    ssl_context: ssl.SSLContext | None = None,
) -> Delivery:
    """Send one multipart/alternative mail (text and HTML) to `to`, retrying what may pass.

    `to` holds addresses ("an@example.vn" or "Phòng Báo chí <an@example.vn>"); `headers` adds or
    replaces headers (Reply-To, List-Id, a Message-ID of your own…). `ssl_context` replaces the
    system's certificate store, for a private CA; `sleep` is the wait between tries.
    """
    started = time.monotonic()
    listed = [to] if isinstance(to, str) else list(to)
    delivery = Delivery("email", ", ".join(str(r) for r in listed))
    try:
        if not settings.smtp_host:
            raise _Failure("e-mail is off: set CAUNOI_SMTP_HOST (and CAUNOI_SMTP_PORT…) to send mail")
        if not listed:
            raise _Failure("no recipients: give at least one e-mail address")
        sender = _mailbox(settings.smtp_from, "sender (smtp_from)")
        recipients = [_mailbox(r, "recipient") for r in listed]
        delivery.target = ", ".join(r.addr_spec for r in recipients)
        message = build_message(sender, recipients, subject, html, text, headers)
        retries = max(0, settings.notify_retries)
        for attempt in range(retries + 1):
            delivery.attempts += 1
            try:
                delivery.status = _smtp_send(settings, message, sender, recipients, ssl_context)
                return _finish(delivery, started)
            except _Transient as exc:
                delivery.status = exc.status
                wait = _wait_before_retry(exc, attempt, retries)
                log.debug("mail to %s: retry in %.2f s: %s", delivery.target, wait, exc)
                sleep(wait)
        raise AssertionError("unreachable")
    except _Failure as exc:
        return _finish(delivery, started, exc)


def _mailbox(raw: Any, role: str) -> Address:
    """One address, checked: ASCII local part, a domain of DNS labels (an IDN is encoded)."""
    hint = "an e-mail address looks like name@example.vn, one per list item"
    if not isinstance(raw, str) or not raw.strip() or "\r" in raw or "\n" in raw:
        raise _Failure(f"malformed {role} address {raw!r}: {hint}")
    parsed = getaddresses([raw])
    if len(parsed) != 1:
        raise _Failure(f"malformed {role} address {raw!r}: {hint}")
    name, addr = parsed[0]
    if addr not in raw:  # the parser mends "an@exa mple.vn" into another address: refuse, don't guess
        raise _Failure(f"malformed {role} address {raw!r}: {hint}")
    local, at, domain = addr.rpartition("@")
    try:
        domain = domain.encode("idna").decode("ascii")
    except UnicodeError:
        domain = ""
    if not at or not _LOCAL_PART.match(local) or not all(_DOMAIN_LABEL.match(p) for p in domain.split(".")):
        raise _Failure(f"malformed {role} address {raw!r}: {hint}")
    return Address(display_name=name, username=local, domain=domain)


def build_message(
    sender: Address,
    recipients: list[Address],
    subject: str,
    html: str,
    text: str,
    headers: dict[str, str] | None = None,
) -> EmailMessage:
    """The mail itself: text part first, HTML second, UTF-8, with Date and Message-ID."""
    message = EmailMessage()
    message["Subject"] = " ".join(subject.split())  # a title with a line break must not end the header
    message["From"] = sender
    message["To"] = tuple(recipients)
    message["Date"] = formatdate(localtime=True)
    message["Message-ID"] = make_msgid(domain=sender.domain)  # a domain of ours: no slow FQDN lookup
    for name, value in (headers or {}).items():
        if not _HEADER_NAME.match(name) or "\r" in str(value) or "\n" in str(value):
            raise _Failure(f"bad mail header {name!r}: a name without spaces or colon, a value on one line")
        del message[name]
        message[name] = str(value)
    # base64 keeps non-ASCII bodies 7-bit clean for servers without 8BITMIME
    message.set_content(text, cte=None if text.isascii() else "base64")
    message.add_alternative(html, subtype="html", cte=None if html.isascii() else "base64")
    return message


def _smtp_send(
    settings: Settings,
    message: EmailMessage,
    sender: Address,
    recipients: list[Address],
    context: ssl.SSLContext | None,
) -> int:
    """One attempt: connect, secure, log in, send; the server's reply code, or why not."""
    where = f"SMTP server {settings.smtp_host}:{settings.smtp_port}"
    security = settings.smtp_security
    try:
        if security == "ssl":
            context = context or ssl.create_default_context()
            smtp: smtplib.SMTP = smtplib.SMTP_SSL(
                settings.smtp_host, settings.smtp_port, timeout=settings.smtp_timeout, context=context
            )
        else:
            smtp = smtplib.SMTP(settings.smtp_host, settings.smtp_port, timeout=settings.smtp_timeout)
        try:
            if security == "starttls":
                smtp.starttls(context=context or ssl.create_default_context())
            if settings.smtp_user:
                smtp.login(settings.smtp_user, settings.smtp_password)
            refused = smtp.send_message(
                message, from_addr=sender.addr_spec, to_addrs=[r.addr_spec for r in recipients]
            )
        finally:
            # the mail is sent once DATA is accepted: a failed QUIT must not turn that into a retry
            with contextlib.suppress(smtplib.SMTPException, OSError):
                smtp.quit()
            smtp.close()
    except smtplib.SMTPRecipientsRefused as exc:  # every recipient refused
        raise _refusal(where, exc.recipients, len(recipients)) from None
    except smtplib.SMTPAuthenticationError as exc:
        said = f"login to {where} failed: {exc.smtp_code} {_one_line(exc.smtp_error)}"
        if 400 <= exc.smtp_code < 500:
            raise _Transient(said, exc.smtp_code) from None
        raise _Failure(f"{said}; check CAUNOI_SMTP_USER and CAUNOI_SMTP_PASSWORD", exc.smtp_code) from None
    except smtplib.SMTPResponseException as exc:  # greeting, HELO, MAIL FROM or DATA answered badly
        said = f"{where} answered {exc.smtp_code} {_one_line(exc.smtp_error)}"
        if 400 <= exc.smtp_code < 500:
            raise _Transient(said, exc.smtp_code) from None
        raise _Failure(said, exc.smtp_code) from None
    except smtplib.SMTPServerDisconnected as exc:
        raise _Transient(f"{where} hung up: {exc or 'connection closed'}") from None
    except smtplib.SMTPNotSupportedError as exc:  # no STARTTLS, or no AUTH, on offer
        raise _Failure(f"{where}: {exc} Check CAUNOI_SMTP_SECURITY and CAUNOI_SMTP_USER.") from None
    except smtplib.SMTPException as exc:
        raise _Failure(f"{where}: {exc}") from None
    except ssl.SSLCertVerificationError as exc:
        raise _Failure(
            f"the certificate of {where} failed verification ({exc.verify_message or exc.reason}); "
            "is CAUNOI_SMTP_HOST the name on its certificate?"
        ) from None
    except ssl.SSLError as exc:
        raise _Failure(
            f"TLS with {where} failed: {exc.reason or exc}; check CAUNOI_SMTP_SECURITY "
            "(ssl is usually port 465, starttls 587)"
        ) from None
    except TimeoutError:
        raise _Transient(f"{where} did not answer within {settings.smtp_timeout:g} s") from None
    except ConnectionRefusedError:
        raise _Transient(f"cannot connect to {where}: connection refused") from None
    except socket.gaierror as exc:
        if exc.errno == socket.EAI_NONAME:
            raise _Failure(f"cannot find {where}: no such host; check CAUNOI_SMTP_HOST") from None
        raise _Transient(f"cannot resolve {where}: {exc.strerror or exc}") from None
    except OSError as exc:
        raise _Transient(f"cannot reach {where}: {exc.strerror or exc}") from None
    if refused:  # some accepted, some not: sending again would duplicate the mail for the others
        raise _refusal(where, refused, len(recipients))
    return 250  # smtplib raises unless DATA was answered 250


def _refusal(where: str, refused: dict, total: int) -> _Failure | _Transient:
    codes = [code for code, _ in refused.values()]
    detail = "; ".join(f"{addr} ({code} {_one_line(text, 120)})" for addr, (code, text) in refused.items())
    if len(refused) < total:
        return _Failure(
            f"delivered to {total - len(refused)} of {total}; {where} rejected {detail}", max(codes)
        )
    if all(400 <= code < 500 for code in codes):
        return _Transient(f"{where} deferred the recipients: {detail}", max(codes))
    return _Failure(f"{where} rejected the recipient: {detail}", max(codes))


# -- webhooks ----------------------------------------------------------------------------------


def sign_webhook(secret: str, timestamp: int | str, body: bytes) -> str:
    """The X-Caunoi-Signature value: "sha256=" + hex HMAC-SHA256 of b"<timestamp>." + body."""
    signed = str(timestamp).encode("ascii") + b"." + body
    return "sha256=" + hmac.new(secret.encode("utf-8"), signed, hashlib.sha256).hexdigest()


def verify_signature(
    secret: str,
    timestamp: int | str,
    body: bytes,
    signature: str,
    tolerance_s: float = 300,
    now: float | None = None,
) -> bool:
    """True when `signature` is ours for this body and timestamp, and the timestamp is recent."""
    try:
        when = int(str(timestamp).strip())
    except ValueError:
        return False
    if abs((time.time() if now is None else now) - when) > tolerance_s:
        return False
    expected = sign_webhook(secret, when, body).encode("ascii")
    return hmac.compare_digest(expected, str(signature).strip().encode("utf-8", "replace"))


def post_webhook(
    url: str, secret: str, payload: dict, settings: Settings, *, event: str, **options: Any
) -> Delivery:
    """POST `payload` as signed JSON to `url`; from synchronous code. It runs post_webhook_async, and
    `options` are its own: transport, allow_private, resolver, sleep."""
    try:
        asyncio.get_running_loop()
    except RuntimeError:
        pass
    else:
        raise RuntimeError("post_webhook is for synchronous code; in a coroutine, await post_webhook_async")
    return asyncio.run(post_webhook_async(url, secret, payload, settings, event=event, **options))


async def post_webhook_async(
    url: str,
    secret: str,
    payload: dict,
    settings: Settings,
    *,
    event: str,
    transport: httpx.AsyncBaseTransport | None = None,
    allow_private: bool = False,
    resolver: Resolver | None = None,
    sleep: Callable[[float], Awaitable[None]] = asyncio.sleep,
) -> Delivery:
    """POST `payload` as signed JSON to `url`, retrying what may pass; redirects are not followed.

    The address is checked by the SSRF guard before each attempt and again when connecting:
    private and loopback addresses only with `allow_private` (for this URL's host alone), cloud
    metadata never. `resolver` replaces DNS and `transport` the network, for tests.
    """
    started = time.monotonic()
    delivery = Delivery("webhook", url)
    try:
        bad = _url_problem(url)
        if bad is not None:
            raise _Failure(bad)
        if not secret:
            raise _Failure("the webhook has no secret: set one, so the receiver can check the signature")
        body = json.dumps(payload, ensure_ascii=False, separators=(",", ":")).encode("utf-8")
        guard = AddressGuard(resolver)
        permit = Permit.for_urls([url]) if allow_private else Permit()
        headers = {
            "Content-Type": "application/json",
            "User-Agent": WEBHOOK_USER_AGENT,
            "X-Caunoi-Event": event,
            "X-Caunoi-Delivery": str(uuid.uuid4()),
        }
        retries = max(0, settings.notify_retries)
        async with _webhook_client(guard, transport, settings) as client:
            with permit_scope(permit):
                for attempt in range(retries + 1):
                    try:
                        try:
                            await guard.check(url, permit)
                        except Refused as exc:
                            if not _dns_failed(exc):
                                raise _Failure(str(exc)) from None  # a refused address: no try is made
                            delivery.attempts += 1
                            raise _Transient(str(exc)) from None  # DNS may answer next time
                        delivery.attempts += 1
                        delivery.status = await _post_once(client, url, secret, body, headers, settings)
                        return _finish(delivery, started)
                    except _Transient as exc:
                        delivery.status = exc.status
                        wait = _wait_before_retry(exc, attempt, retries)
                        log.debug("webhook to %s: retry in %.2f s: %s", _loggable(delivery), wait, exc)
                        await sleep(wait)
        raise AssertionError("unreachable")
    except _Failure as exc:
        return _finish(delivery, started, exc)


def _url_problem(url: str) -> str | None:
    """Why `url` is no webhook URL (not http(s), no host), or None."""
    try:
        parts = httpx.URL(url)
    except httpx.InvalidURL as exc:
        return f"bad webhook URL {url!r}: {exc}"
    if parts.scheme not in ("http", "https") or not parts.host:
        return f"bad webhook URL {url!r}: it must start with https:// (or http://) and name a host"
    return None


def webhook_problem(url: str, *, allow_private: bool = False, resolver: Resolver | None = None) -> str | None:
    """Why `url` is no webhook to post to, said when its channel is added or changed (None: it may
    be): not http(s) with a host, or an address the SSRF guard refuses now (DNS through `resolver`):
    private or loopback without `allow_private`, cloud metadata ever. A name DNS does not answer for
    now is let be: the guard asks again before each delivery. From synchronous code, as post_webhook."""
    bad = _url_problem(url)
    if bad is not None:
        return bad
    permit = Permit.for_urls([url]) if allow_private else Permit()
    try:
        asyncio.run(AddressGuard(resolver).check(url, permit))
    except Refused as exc:
        return None if _dns_failed(exc) else str(exc).split("; a source")[0]
    return None


def _webhook_client(
    guard: AddressGuard, transport: httpx.AsyncBaseTransport | None, settings: Settings
) -> httpx.AsyncClient:
    if transport is None:
        transport = httpx.AsyncHTTPTransport(retries=0, trust_env=False)
        # connect only to addresses the guard checked, as the fetcher does (see caunoi/net/guard.py)
        transport._pool = _guarded_pool(GuardedBackend(guard), FetchPolicy(concurrency=1))
    return httpx.AsyncClient(
        transport=transport,
        follow_redirects=False,
        trust_env=False,  # a proxy would resolve names itself, out of the guard's sight
        timeout=httpx.Timeout(settings.webhook_timeout),
    )


async def _post_once(
    client: httpx.AsyncClient, url: str, secret: str, body: bytes, headers: dict[str, str], settings: Settings
) -> int:
    """One attempt, signed now; the HTTP status when it is 2xx, or why not."""
    timestamp = int(time.time())
    signed = {
        **headers,
        "X-Caunoi-Timestamp": str(timestamp),
        "X-Caunoi-Signature": sign_webhook(secret, timestamp, body),
    }
    try:
        async with asyncio.timeout(settings.webhook_timeout):
            async with client.stream("POST", url, content=body, headers=signed) as response:
                status = response.status_code
                if 200 <= status < 300:
                    return status
                if status in _REDIRECTS:
                    location = response.headers.get("location")
                    where = f" (to {_one_line(location, 120)})" if location else ""
                    raise _Failure(f"webhook answered {status}; redirects are not followed{where}", status)
                said = f"webhook answered HTTP {status} {response.reason_phrase}".strip()
                snippet = await _start_of(response)
                said += f": {snippet}" if snippet else ""
                if status == 429 or status >= 500:
                    raise _Transient(said, status, parse_retry_after(response.headers.get("retry-after")))
                raise _Failure(said, status)
    except TimeoutError:
        raise _Transient(f"webhook did not answer within {settings.webhook_timeout:g} s") from None
    except httpx.TimeoutException as exc:
        raise _Transient(f"webhook timed out ({type(exc).__name__})") from None
    except httpx.ConnectError as exc:
        cause: BaseException | None = exc
        while cause is not None and not isinstance(cause, Refused):
            cause = cause.__cause__ or cause.__context__
        if isinstance(cause, Refused) and not _dns_failed(cause):
            raise _Failure(str(cause)) from None
        if "refused to connect to" in str(exc):
            raise _Failure(str(exc)) from None
        raise _Transient(f"cannot connect to the webhook: {exc or type(exc).__name__}") from None
    except (httpx.ReadError, httpx.WriteError, httpx.RemoteProtocolError) as exc:
        raise _Transient(f"connection to the webhook broken: {exc or type(exc).__name__}") from None
    except httpx.HTTPError as exc:
        raise _Failure(f"webhook HTTP error: {exc or type(exc).__name__}") from None


def _dns_failed(exc: Refused) -> bool:
    return str(exc).startswith("cannot resolve host")


async def _start_of(response: httpx.Response, limit: int = 300) -> str:
    """The first few hundred bytes of an error answer, on one line: often the reason in words."""
    read = b""
    with contextlib.suppress(httpx.HTTPError):  # the status is what counts; the words are a bonus
        async for chunk in response.aiter_bytes():
            read += chunk
            if len(read) >= limit:
                break
    return _one_line(read[:limit])
