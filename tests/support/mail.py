"""A real SMTP server on 127.0.0.1 (aiosmtpd) and the mailbox behind it: what it accepted, and the
refusals it was told to give. Importing this skips the importing test module without aiosmtpd."""

from __future__ import annotations

import contextlib
from collections.abc import Iterator

import pytest

from support.localweb import free_port

aiosmtpd_controller = pytest.importorskip(
    "aiosmtpd.controller", reason="needs aiosmtpd (pip install -e .[dev])"
)


class Mailbox:
    """An aiosmtpd handler: keeps what it accepts; refuses recipients and answers DATA as told."""

    def __init__(self, data_answers: list[str] | None = None, refuse: dict[str, str] | None = None):
        self.received: list = []
        self.data_answers = list(data_answers or [])
        self.refuse = refuse or {}

    async def handle_RCPT(self, server, session, envelope, address, rcpt_options):
        if address in self.refuse:
            return self.refuse[address]
        envelope.rcpt_tos.append(address)
        return "250 OK"

    async def handle_DATA(self, server, session, envelope):
        if self.data_answers:
            return self.data_answers.pop(0)
        self.received.append(envelope)
        return "250 Message accepted for delivery"


@contextlib.contextmanager
def smtp_server(handler: Mailbox, **kwargs) -> Iterator:
    """An SMTP server on a free loopback port, delivering to `handler`; yields its controller."""
    controller = aiosmtpd_controller.Controller(handler, hostname="127.0.0.1", port=free_port(), **kwargs)
    controller.start()
    try:
        yield controller
    finally:
        controller.stop()
