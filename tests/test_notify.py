"""Notifications delivered for real: mail to an SMTP server and webhooks to an HTTP server, both on
127.0.0.1 and started by the tests. Addresses that must be refused are only ever named through a
fake DNS answer and a transport that fails the test if asked to send: nothing leaves this machine."""

from __future__ import annotations

import email
import email.policy
import json
import shutil
import ssl
import subprocess
import time
import uuid
from dataclasses import replace

import httpx
import pytest
from support.dns import fake_dns
from support.localweb import Route, closed_port
from support.mail import Mailbox, smtp_server
from support.webhooks import SECRET, WebhookReceiver, verified

from caunoi.alerts.notify import Delivery, post_webhook, send_mail, sign_webhook, verify_signature
from caunoi.config import Settings, load_settings

SUBJECT = "Điểm tin sáng 24/11: Biển Đông"
TEXT = "Tàu hải cảnh tiếp tục hoạt động gần bãi Tư Chính.\nXem chi tiết trong bản tin."
HTML = "<h1>Điểm tin sáng</h1><p>Tàu hải cảnh tiếp tục hoạt động gần <b>bãi Tư Chính</b>.</p>"


# -- local servers ---------------------------------------------------------------------------


def mail_settings(port: int, **kwargs) -> Settings:
    values = {
        "smtp_security": "none",
        "smtp_from": "Cầu Nối <canh-bao@caunoi.example.vn>",
        "smtp_timeout": 5.0,
    }
    return Settings(smtp_host="127.0.0.1", smtp_port=port, **{**values, **kwargs})


@pytest.fixture
def receiver():
    with WebhookReceiver() as server:
        yield server


class Waits:
    """The sleep hook: records each wait instead of waiting."""

    def __init__(self) -> None:
        self.seconds: list[float] = []

    def __call__(self, seconds: float) -> None:
        self.seconds.append(seconds)

    async def sleep(self, seconds: float) -> None:
        self.seconds.append(seconds)


HOOK_SETTINGS = Settings(webhook_timeout=5.0)
ALERT = {"event": "alert.triggered", "rule": "Biển Đông", "title": SUBJECT, "articles": [101, 102]}


def hook(url: str, waits: Waits | None = None, settings: Settings = HOOK_SETTINGS, **kwargs) -> Delivery:
    kwargs.setdefault("allow_private", True)  # the receiver is on 127.0.0.1
    return post_webhook(
        url, SECRET, ALERT, settings, event="alert.triggered", sleep=(waits or Waits()).sleep, **kwargs
    )


# -- settings --------------------------------------------------------------------------------


def test_notification_settings_from_the_environment():
    settings = load_settings(
        env={
            "CAUNOI_SMTP_HOST": "mail.example.vn",
            "CAUNOI_SMTP_PORT": "465",
            "CAUNOI_SMTP_SECURITY": "ssl",
            "CAUNOI_SMTP_PASSWORD": "hunter2",
            "CAUNOI_NOTIFY_RETRIES": "5",
            "CAUNOI_WEBHOOK_TIMEOUT": "2.5",
        }
    )
    assert (settings.smtp_host, settings.smtp_port, settings.smtp_security) == ("mail.example.vn", 465, "ssl")
    assert (settings.notify_retries, settings.webhook_timeout) == (5, 2.5)
    assert "hunter2" not in repr(settings)
    defaults = load_settings(env={})
    assert (defaults.smtp_host, defaults.smtp_security, defaults.smtp_port) == ("", "starttls", 25)


def test_a_bad_smtp_security_is_a_one_line_error():
    with pytest.raises(ValueError, match="setting smtp_security must be none, starttls or ssl, got 'tls'"):
        load_settings(env={"CAUNOI_SMTP_SECURITY": "tls"})


# -- e-mail ----------------------------------------------------------------------------------


def test_a_vietnamese_mail_arrives_whole_with_both_parts():
    box = Mailbox()
    with smtp_server(box) as server:
        result = send_mail(
            mail_settings(server.port),
            ["Phòng Báo chí <bao-chi@example.vn>", "truc-ban@example.vn"],
            SUBJECT,
            HTML,
            TEXT,
            headers={"X-Caunoi-Alert": "42"},
        )
    assert result.ok and result.attempts == 1 and result.status == 250 and result.error is None
    assert result.target == "bao-chi@example.vn, truc-ban@example.vn"
    (envelope,) = box.received
    assert envelope.mail_from == "canh-bao@caunoi.example.vn"
    assert envelope.rcpt_tos == ["bao-chi@example.vn", "truc-ban@example.vn"]
    message = email.message_from_bytes(envelope.content, policy=email.policy.default)
    assert message["Subject"] == SUBJECT
    assert message["From"].addresses[0].display_name == "Cầu Nối"
    assert [a.display_name for a in message["To"].addresses] == ["Phòng Báo chí", ""]
    assert message["Date"] and message["Message-ID"].endswith("@caunoi.example.vn>")
    assert message["X-Caunoi-Alert"] == "42"
    assert message.get_content_type() == "multipart/alternative"
    plain, html = message.iter_parts()
    assert plain.get_content_type() == "text/plain" and plain.get_content().strip() == TEXT
    assert html.get_content_type() == "text/html" and "<b>bãi Tư Chính</b>" in html.get_content()
    assert envelope.content.isascii()  # 7-bit clean: any relay can carry it


def test_a_temporary_refusal_is_retried_and_delivered():
    box = Mailbox(data_answers=["451 4.3.0 Mail server temporarily busy"])
    waits = Waits()
    with smtp_server(box) as server:
        result = send_mail(mail_settings(server.port), ["an@example.vn"], SUBJECT, HTML, TEXT, sleep=waits)
    assert result.ok and result.attempts == 2 and result.status == 250
    assert len(box.received) == 1 and len(waits.seconds) == 1


def test_a_rejected_recipient_is_not_retried():
    box = Mailbox(
        refuse={"khong-co@example.vn": "550 5.1.1 <khong-co@example.vn>: Recipient address rejected"}
    )
    waits = Waits()
    with smtp_server(box) as server:
        result = send_mail(
            mail_settings(server.port), ["khong-co@example.vn"], SUBJECT, HTML, TEXT, sleep=waits
        )
    assert not result.ok and result.permanent and result.attempts == 1 and result.status == 550
    assert "rejected" in result.error and "khong-co@example.vn" in result.error
    assert waits.seconds == [] and box.received == []


def test_a_mail_some_recipients_got_is_not_sent_again():
    box = Mailbox(refuse={"khong-co@example.vn": "550 5.1.1 Recipient address rejected"})
    waits = Waits()
    with smtp_server(box) as server:
        result = send_mail(
            mail_settings(server.port),
            ["an@example.vn", "khong-co@example.vn"],
            SUBJECT,
            HTML,
            TEXT,
            sleep=waits,
        )
    assert not result.ok and result.permanent and result.attempts == 1 and waits.seconds == []
    assert result.error.startswith("delivered to 1 of 2;") and "khong-co@example.vn (550" in result.error
    assert [e.rcpt_tos for e in box.received] == [["an@example.vn"]]


def test_no_server_is_retried_with_growing_waits_then_reported():
    waits = Waits()
    with closed_port() as port:
        settings = mail_settings(port)
        result = send_mail(settings, ["an@example.vn"], SUBJECT, HTML, TEXT, sleep=waits)
    tries = settings.notify_retries + 1
    assert not result.ok and not result.permanent and result.attempts == tries
    assert result.error == (
        f"cannot connect to SMTP server 127.0.0.1:{port}: connection refused (gave up after {tries} tries)"
    )
    assert len(waits.seconds) == settings.notify_retries
    assert [0.5 <= w / 2**i <= 1.5 for i, w in enumerate(waits.seconds)] == [True] * len(waits.seconds)


@pytest.mark.parametrize(
    "to, says",
    [
        ([], "no recipients"),
        (["không phải địa chỉ"], "malformed recipient address"),
        (["an@example.vn, binh@example.vn"], "malformed recipient address"),
        (["an@exa mple.vn"], "malformed recipient address"),
        (["an@example.vn\r\nBcc: mat@example.org"], "malformed recipient address"),
    ],
)
def test_bad_recipients_are_refused_before_connecting(to, says):
    with closed_port() as port:  # a connection would show as attempts > 0
        result = send_mail(mail_settings(port), to, SUBJECT, HTML, TEXT, sleep=Waits())
    assert not result.ok and result.permanent and result.attempts == 0
    assert result.error.startswith(says)


def test_mail_is_off_without_a_server():
    result = send_mail(Settings(), ["an@example.vn"], SUBJECT, HTML, TEXT)
    assert not result.ok and result.attempts == 0 and "CAUNOI_SMTP_HOST" in result.error


REQ = (  # openssl arguments for a one-day self-signed EC certificate for 127.0.0.1
    "req -x509 -newkey ec -pkeyopt ec_paramgen_curve:prime256v1 -nodes -days 1"
    " -subj /CN=127.0.0.1 -addext subjectAltName=IP:127.0.0.1"
)


@pytest.fixture(scope="module")
def certificate(tmp_path_factory):
    """A self-signed certificate for 127.0.0.1, made with the openssl command."""
    openssl = shutil.which("openssl")
    if openssl is None:
        pytest.skip("the TLS cases need the openssl command to make a test certificate")
    folder = tmp_path_factory.mktemp("tls")
    cert, key = folder / "cert.pem", folder / "key.pem"
    subprocess.run(
        [openssl, *REQ.split(), "-keyout", str(key), "-out", str(cert)],
        check=True,
        capture_output=True,
    )
    server = ssl.create_default_context(ssl.Purpose.CLIENT_AUTH)
    server.load_cert_chain(cert, key)
    return server, ssl.create_default_context(cafile=str(cert))


def only_an_with_password(server, session, envelope, mechanism, auth_data):
    from aiosmtpd.smtp import AuthResult

    # handled=False: aiosmtpd itself answers 535 to a wrong password
    return AuthResult(success=(auth_data.login, auth_data.password) == (b"an", b"mat-khau"), handled=False)


def test_starttls_and_login(certificate):
    server_tls, client_tls = certificate
    box = Mailbox()
    tls = {"tls_context": server_tls, "require_starttls": True, "auth_required": True}
    with smtp_server(box, authenticator=only_an_with_password, **tls) as server:
        settings = mail_settings(
            server.port, smtp_security="starttls", smtp_user="an", smtp_password="mat-khau"
        )
        good = send_mail(settings, ["binh@example.vn"], SUBJECT, HTML, TEXT, ssl_context=client_tls)
        wrong = send_mail(
            replace(settings, smtp_password="sai"),
            ["binh@example.vn"],
            SUBJECT,
            HTML,
            TEXT,
            ssl_context=client_tls,
        )
        untrusted = send_mail(settings, ["binh@example.vn"], SUBJECT, HTML, TEXT)  # the system's CAs
    assert good.ok and len(box.received) == 1
    assert not wrong.ok and wrong.permanent and wrong.attempts == 1 and wrong.status == 535
    assert "check CAUNOI_SMTP_USER and CAUNOI_SMTP_PASSWORD" in wrong.error
    assert (
        not untrusted.ok
        and untrusted.permanent
        and "failed verification (self-signed certificate)" in untrusted.error
    )


def test_tls_from_the_start(certificate):
    server_tls, client_tls = certificate
    box = Mailbox()
    with smtp_server(box, ssl_context=server_tls) as server:
        result = send_mail(
            mail_settings(server.port, smtp_security="ssl"),
            ["an@example.vn"],
            SUBJECT,
            HTML,
            TEXT,
            ssl_context=client_tls,
        )
    assert result.ok and len(box.received) == 1


# -- webhooks --------------------------------------------------------------------------------


def test_a_webhook_is_signed_json_the_receiver_can_verify(receiver):
    url = receiver.add("/hook", handler=verified)
    result = hook(url)
    assert result.ok and result.status == 200 and result.attempts == 1 and result.channel == "webhook"
    ((_, headers, body),) = receiver.posts
    assert json.loads(body) == ALERT and "Biển Đông".encode() in body  # UTF-8, not \\u escapes
    assert headers["Content-Type"] == "application/json"
    assert headers["User-Agent"].startswith("CauNoiBot/")
    assert headers["X-Caunoi-Event"] == "alert.triggered"
    assert uuid.UUID(headers["X-Caunoi-Delivery"]).version == 4
    assert abs(int(headers["X-Caunoi-Timestamp"]) - time.time()) < 60
    assert headers["X-Caunoi-Signature"] == sign_webhook(SECRET, headers["X-Caunoi-Timestamp"], body)


def test_a_server_error_is_retried_with_the_same_delivery_id(receiver):
    answers = [Route(status=500, body=b"oops"), None]
    url = receiver.add("/hook", handler=lambda req: answers.pop(0) or verified(req))
    waits = Waits()
    result = hook(url, waits)
    assert result.ok and result.attempts == 2 and result.status == 200 and len(waits.seconds) == 1
    first, second = (h["X-Caunoi-Delivery"] for _, h, _ in receiver.posts)
    assert first == second


def test_429_waits_as_long_as_retry_after_says(receiver):
    answers = [Route(status=429, headers={"Retry-After": "7"}), None]
    url = receiver.add("/hook", handler=lambda req: answers.pop(0) or verified(req))
    waits = Waits()
    assert hook(url, waits).ok and waits.seconds == [7.0]
    receiver.add("/slow", status=429, headers={"Retry-After": "3600"})
    later = hook(receiver.url("/slow"), waits)
    assert not later.ok and not later.permanent and later.attempts == 1 and later.status == 429
    assert "asked to wait 3600 s" in later.error


def test_not_found_is_not_retried(receiver):
    result = hook(receiver.url("/no-such-hook"))
    assert not result.ok and result.permanent and result.status == 404 and result.attempts == 1
    assert result.error == "webhook answered HTTP 404 Not Found: not here"
    assert receiver.hits["/no-such-hook"] == 1


def test_a_redirect_is_not_followed(receiver):
    receiver.add("/moved", status=302, headers={"Location": receiver.url("/elsewhere")})
    result = hook(receiver.url("/moved"))
    assert not result.ok and result.permanent and result.status == 302
    assert result.error.startswith("webhook answered 302; redirects are not followed")
    assert receiver.hits["/elsewhere"] == 0


def test_no_receiver_is_retried_then_reported():
    waits = Waits()
    with closed_port() as port:
        result = hook(f"http://127.0.0.1:{port}/hook", waits)
    tries = HOOK_SETTINGS.notify_retries + 1
    assert not result.ok and not result.permanent and result.attempts == tries
    assert (
        result.error.startswith("cannot connect to the webhook")
        and f"gave up after {tries} tries" in result.error
    )


class NoSend(httpx.AsyncBaseTransport):
    """The network in the refusal tests: records what it was asked, sends nothing."""

    def __init__(self) -> None:
        self.asked: list[str] = []

    async def handle_async_request(self, request: httpx.Request) -> httpx.Response:
        self.asked.append(str(request.url))
        raise AssertionError("a refused webhook reached the network")


def test_a_private_address_needs_allow_private():
    network = NoSend()
    dns = fake_dns({"hooks.intranet.example": ["10.20.30.40"]})
    result = hook(
        "https://hooks.intranet.example/caunoi", allow_private=False, resolver=dns, transport=network
    )
    assert not result.ok and result.permanent and result.attempts == 0 and network.asked == []
    assert "a private address" in result.error and "allow_private" in result.error


def test_a_name_dns_cannot_resolve_is_tried_again():
    network, waits = NoSend(), Waits()
    result = hook("https://hooks.gone.example/x", waits, resolver=fake_dns({}), transport=network)
    tries = HOOK_SETTINGS.notify_retries + 1
    assert not result.ok and not result.permanent and result.attempts == tries and network.asked == []
    assert result.error.startswith("cannot resolve host 'hooks.gone.example'")


def test_loopback_is_refused_without_allow_private(receiver):
    url = receiver.add("/hook", handler=verified)
    result = hook(url, allow_private=False)
    assert not result.ok and "a loopback address" in result.error and receiver.posts == []


@pytest.mark.parametrize(
    "url", ["http://169.254.169.254/latest/meta-data/", "http://metadata.cloud.example/computeMetadata/v1/"]
)
def test_cloud_metadata_is_refused_even_with_allow_private(url):
    network = NoSend()
    dns = fake_dns({"metadata.cloud.example": ["169.254.169.254"]})
    result = hook(url, allow_private=True, resolver=dns, transport=network)
    assert not result.ok and result.permanent and "cloud-metadata" in result.error and network.asked == []


def test_verify_signature_rejects_tampering_a_wrong_secret_and_old_requests():
    body = json.dumps(ALERT, ensure_ascii=False).encode()
    now = 1_700_000_000
    signature = sign_webhook(SECRET, now, body)
    assert verify_signature(SECRET, str(now), body, signature, now=now + 10)
    assert not verify_signature(SECRET, now, body.replace(b"101", b"999"), signature, now=now)
    assert not verify_signature("another secret", now, body, signature, now=now)
    assert not verify_signature(SECRET, now, body, signature, now=now + 301)
    assert not verify_signature(SECRET, now, body, signature, tolerance_s=60, now=now - 120)
    assert not verify_signature(SECRET, "soon", body, signature, now=now)
    assert not verify_signature(SECRET, now, body, "sha256=" + "0" * 64, now=now)


def test_bad_webhook_settings_are_refused_before_sending():
    network = NoSend()
    no_secret = post_webhook(
        "https://hooks.example.vn/x", "", ALERT, HOOK_SETTINGS, event="e", transport=network
    )
    assert not no_secret.ok and "no secret" in no_secret.error
    not_http = hook("ftp://hooks.example.vn/x", transport=network)
    assert not not_http.ok and "https://" in not_http.error and network.asked == []
