"""Sending an information pack tells each new recipient mission: a notice in the alerts inbox, and a
mail to the e-mail channel named as the mission's code, sent as alert mail is (pending, then
delivered or retried). A mission is told once of a pack; a notice that fails never undoes a sending."""

from __future__ import annotations

import dataclasses
import email
import email.policy
import re
from datetime import datetime, timedelta

import pytest
from support.localweb import closed_port
from support.mail import Mailbox, smtp_server

from caunoi.alerts.notices import OVERDUE

TZ = "Asia/Ho_Chi_Minh"
PASSWORD = "một câu mật khẩu dài 2024"
MISSIONS = [("DSQ-PHAP", "FR", "Pháp"), ("DSQ-NHAT", "JP", "Nhật Bản"), ("DSQ-HOAKY", "US", "Hoa Kỳ")]
FRANCE = ("baochi@dsq-phap.example.vn",)
JAPAN = ("vanhoa@dsq-nhat.example.vn", "dsq@dsq-nhat.example.vn")


@pytest.fixture
def centre(settings):
    """A service in Hà Nội's zone with three embassies, two of them with a mail channel."""
    from caunoi.service import Service

    with Service(dataclasses.replace(settings, timezone=TZ, public_url="https://caunoi.example.vn/")) as svc:
        for code, country, name in MISSIONS:
            svc.units.add(
                code, f"Đại sứ quán Việt Nam tại {name}", by="admin", kind="mission", country=country
            )
        svc.alerts.add_channel("DSQ-PHAP", "email", "baochi@dsq-phap.example.vn")
        svc.alerts.add_channel("dsq-nhat", "email", f"{JAPAN[0]}, {JAPAN[1]}")
        svc.alerts.add_channel("trực ban", "email", "truc-ban@bo.example.vn")  # a rule's, no mission's
        yield svc


def send(service, deadline: str = "2027-01-20 17:00", to=("DSQ-PHAP", "DSQ-NHAT")):
    files = [("thong-diep.txt", "Thông điệp chính".encode())]
    return service.outreach.packs.add(
        "Thông tin định hướng về Năm Hữu nghị", "Các thông điệp chính …",
        by="analyst", deadline=deadline, to=to, files=files,
    )  # fmt: skip


def with_smtp(service, port: int, **more) -> None:
    service.alerts.settings = dataclasses.replace(
        service.settings, smtp_host="127.0.0.1", smtp_port=port, smtp_security="none", **more
    )


def test_sending_a_pack_to_two_missions_puts_a_notice_each_in_the_inbox_and_queues_their_mail(centre):
    pack = send(centre)
    inbox = centre.alerts.inbox()
    assert [(a["kind"], a["rule"], a["unit"], a["pack_id"]) for a in inbox] == [
        ("pack", None, "DSQ-NHAT", pack.id),
        ("pack", None, "DSQ-PHAP", pack.id),
    ]
    phap = next(a for a in inbox if a["unit"] == "DSQ-PHAP")
    assert phap["state"] == "new" and not phap["title"].startswith(OVERDUE)
    assert phap["title"] == (
        "Bộ thông tin gửi Đại sứ quán Việt Nam tại Pháp: Thông tin định hướng về Năm Hữu nghị"
        f" — hạn 17:00 20/01/2027 ({TZ})"
    )
    assert phap["why"]["link"] == f"/packs/{pack.id}" and phap["why"]["unit_timezone"] == "Europe/Paris"
    deliveries = {a["unit"]: centre.alerts.get(a["id"])["deliveries"] for a in inbox}
    assert {u: [(d["channel"], d["kind"], d["state"]) for d in ds] for u, ds in deliveries.items()} == {
        "DSQ-PHAP": [("DSQ-PHAP", "email", "pending")],
        "DSQ-NHAT": [("dsq-nhat", "email", "pending")],  # the channel's name in any case
    }


def test_delivering_sends_each_mission_a_mail_in_vietnamese_with_the_deadline_in_its_zone_and_the_link(
    centre,
):
    pack = send(centre)
    mailbox = Mailbox()
    with smtp_server(mailbox) as smtp:
        with_smtp(centre, smtp.port)
        assert centre.alerts.deliver() == {"sent": 2}
        assert centre.alerts.deliver() == {}
    by_rcpt = {tuple(m.rcpt_tos): m for m in mailbox.received}
    assert set(by_rcpt) == {FRANCE, JAPAN}
    message = email.message_from_bytes(by_rcpt[FRANCE].content, policy=email.policy.default)
    assert message["Subject"] == (
        "[Cầu Nối] Bộ thông tin mới: Thông tin định hướng về Năm Hữu nghị (hạn 20/01/2027)"
    )
    text = message.get_body(("plain",)).get_content()
    assert "Kính gửi: Đại sứ quán Việt Nam tại Pháp" in text
    assert "«Thông tin định hướng về Năm Hữu nghị» (Thông tin định hướng), kèm 1 tệp" in text
    # 17:00 in Hà Nội (UTC+7) is 11:00 in Paris in January (UTC+1)
    assert f"Hạn: 17:00 20/01/2027 (giờ {TZ}), tức 11:00 20/01/2027 giờ Europe/Paris." in text
    assert f"https://caunoi.example.vn/packs/{pack.id}" in text
    assert "Các thông điệp chính" not in text  # the pack's own text stays in Cầu Nối
    html = message.get_body(("html",)).get_content()
    assert f'href="https://caunoi.example.vn/packs/{pack.id}"' in html and "Hạn: 17:00 20/01/2027" in html
    japan = email.message_from_bytes(by_rcpt[JAPAN].content, policy=email.policy.default)
    assert "tức 19:00 20/01/2027 giờ Asia/Tokyo" in japan.get_body(("plain",)).get_content()
    records = [d for a in centre.alerts.inbox() for d in centre.alerts.get(a["id"])["deliveries"]]
    assert {(d["state"], d["attempts"]) for d in records} == {("sent", 1)}


def test_sending_again_to_the_same_mission_does_not_tell_it_twice(centre):
    pack = send(centre)
    centre.outreach.packs.send(pack.id, ["DSQ-PHAP"], by="analyst")  # sent to it already
    assert len(centre.alerts.inbox()) == 2
    centre.outreach.packs.send(pack.id, "DSQ-PHAP, DSQ-HOAKY", by="analyst")
    inbox = centre.alerts.inbox()
    assert sorted(a["unit"] for a in inbox) == ["DSQ-HOAKY", "DSQ-NHAT", "DSQ-PHAP"]
    # a mission without a channel named for it is told in the inbox only; the US has several zones
    hoaky = next(a for a in inbox if a["unit"] == "DSQ-HOAKY")
    assert centre.alerts.get(hoaky["id"])["deliveries"] == [] and hoaky["why"]["unit_timezone"] is None
    # the store keeps one notice per pack and mission even when asked twice
    assert centre.alerts.tell_pack(centre.outreach.packs.get(pack.id), ["DSQ-PHAP"]) == []


def test_a_failing_mail_server_leaves_the_pack_sent_and_its_mail_retried_then_given_up(centre):
    with closed_port() as port:
        with_smtp(centre, port, notify_retries=0)
        pack = send(centre, to=("DSQ-PHAP",))
        assert centre.alerts.deliver() == {"pending": 1}
        assert centre.alerts.deliver() == {"pending": 1}
        assert centre.alerts.deliver() == {"failed": 1}
    assert [r.unit for r in centre.outreach.packs.get(pack.id).recipients] == ["DSQ-PHAP"]
    (notice,) = centre.alerts.inbox()
    (record,) = centre.alerts.get(notice["id"])["deliveries"]
    assert record["state"] == "failed" and "refused" in record["error"].lower()


def test_a_notice_that_cannot_be_made_never_undoes_the_sending(centre, caplog):
    def broken(pack, units):
        raise RuntimeError("the inbox is down")

    centre.outreach.packs.notify = broken
    pack = send(centre)
    assert {r.unit for r in centre.outreach.packs.get(pack.id).recipients} == {"DSQ-PHAP", "DSQ-NHAT"}
    assert f"pack {pack.id}: telling DSQ-PHAP, DSQ-NHAT failed" in caplog.text


def test_a_notice_past_its_deadline_without_acknowledgement_shows_as_overdue(centre):
    pack = send(centre, deadline=(datetime.now() - timedelta(days=2)).strftime("%Y-%m-%d %H:%M"))
    centre.outreach.packs.acknowledge(pack.id, "DSQ-NHAT", by="officer")
    titles = {a["unit"]: a["title"] for a in centre.alerts.inbox()}
    assert titles["DSQ-PHAP"].startswith(OVERDUE) and not titles["DSQ-NHAT"].startswith(OVERDUE)
    (phap,) = [a for a in centre.alerts.inbox() if a["unit"] == "DSQ-PHAP"]
    assert centre.alerts.get(phap["id"])["title"].startswith(OVERDUE)


def test_a_mission_officer_reads_only_the_notices_telling_their_mission(centre):
    send(centre)
    officer = {"role": "mission_officer", "mission": "DSQ-PHAP", "disabled": False}
    analyst = {"role": "analyst", "mission": None, "disabled": False}
    assert [a["unit"] for a in centre.alerts.inbox(reader=officer)] == ["DSQ-PHAP"]
    assert len(centre.alerts.inbox(reader=analyst)) == 2
    lost = {"role": "mission_officer", "mission": None, "disabled": False}
    assert centre.alerts.inbox(reader=lost) == []


def test_the_inbox_page_and_the_api_link_a_notice_to_its_pack_and_show_an_officer_their_own(settings):
    from fastapi.testclient import TestClient

    from caunoi.app import create_app

    app = create_app(dataclasses.replace(settings, timezone=TZ))
    service = app.state.service
    try:
        for code, country, name in MISSIONS[:2]:
            service.units.add(code, f"ĐSQ tại {name}", by="admin", kind="mission", country=country)
        service.users.add_user("paris", PASSWORD, "mission_officer", mission="DSQ-PHAP", by="admin")
        service.users.add_user("lan", PASSWORD, "analyst", by="admin")
        pack = send(service)
        browser = TestClient(app, base_url="https://testserver")
        token = re.search(r'name="csrf_token" value="([^"]+)"', browser.get("/login").text)[1]
        form = {"username": "paris", "password": PASSWORD, "csrf_token": token, "next": "/alerts"}
        assert browser.post("/login", data=form, follow_redirects=False).status_code == 303
        page = browser.get("/alerts").text
        assert f'href="/packs/{pack.id}"' in page and "ĐSQ tại Pháp" in page and "Nhật Bản" not in page
        assert "Bộ thông tin đã gửi" in page
        for who, units in (("paris", ["DSQ-PHAP"]), ("lan", ["DSQ-NHAT", "DSQ-PHAP"])):
            api = TestClient(app, base_url="https://testserver")
            bearer = {"Authorization": f"Bearer {service.users.create_token(who, 'test', by=who)}"}
            listed = api.get("/api/v1/alerts", headers=bearer).json()
            assert [(a["unit"], a["kind"], a["rule"], a["pack_id"]) for a in listed] == [
                (u, "pack", None, pack.id) for u in units
            ]
    finally:
        service.close()
