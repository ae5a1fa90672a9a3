"""The morning brief (caunoi.reports.brief) on real articles of 29 and 30 April 2021: what it keeps
and why, the words it names places in, and the daily brief and weekly digest mailed on schedule
once (caunoi.reports.schedule)."""

from __future__ import annotations

from datetime import datetime, timedelta
from email import message_from_bytes, policy
from zoneinfo import ZoneInfo

import pytest
from support.cli import caunoi
from support.mail import Mailbox, smtp_server

from caunoi.config import load_settings
from caunoi.reports import brief as briefs
from caunoi.reports.html import brief_html
from caunoi.service import Service

AT = datetime(2021, 4, 30, 8, 0)


@pytest.fixture(scope="module")
def day(brief_day):
    with Service(brief_day.settings) as service:
        yield service


def test_the_ministrys_answer_on_hoang_sa_outranks_football_and_volume(day):
    # every article is dated by its day only: the 08:00 brief of the last 24 h has 29 and 30 April
    brief = day.brief(AT - timedelta(hours=24), AT)
    assert brief["totals"] == {"articles": 9, "stories": 4, "outlets": 1}
    hoang_sa, india, *football = (s for group in brief["groups"] for s in group["stories"])
    assert "Bộ Ngoại giao" in hoang_sa["title"] and hoang_sa["in_window"] == 2  # both dated 29/4
    assert hoang_sa["why"] | {"bodies": None} == {
        "weight": 8.0,  # 2 articles × 2 (a priority topic) × 2 (names a body of Viet Nam's)
        "articles": 2,
        "topic": "sovereignty_seas",
        "bodies": None,
        "body_names": ["Bộ Ngoại giao"],
        "soft": False,
    }
    assert india["why"]["weight"] == 3.0 and [s["why"]["weight"] for s in football] == [1.0, 1.0]
    assert all(s["why"]["soft"] for s in football)  # football counts half

    top_two = briefs.build(day.engine, AT - timedelta(hours=24), AT, top=2)
    assert [s["id"] for g in top_two["groups"] for s in g["stories"]] == [hoang_sa["id"], india["id"]]


def test_the_brief_names_topics_countries_and_regions_in_english(day):
    brief = day.brief(AT - timedelta(hours=24), AT, "en")
    assert [g["label"] for g in brief["groups"]] == ["Sovereignty, territory and seas", "Other"]
    hoang_sa, india, *_ = (s for group in brief["groups"] for s in group["stories"])
    assert hoang_sa["countries"] == ["China", "Viet Nam", "Taiwan"]  # not CN, nor "Taiwan, Province of China"
    assert hoang_sa["regions"] == ["East Asia", "ASEAN"] and india["regions"][0] == "South Asia"
    assert ("Latin America and Caribbean", 1) in brief["regions"]
    html = brief_html(brief, "en")
    assert "China, Viet Nam, Taiwan" in html and "South Asia" in html and "Nam Á" not in html


def test_the_scheduled_brief_and_digest_are_mailed_once_whoever_runs_the_schedule(brief_day):
    hanoi = ZoneInfo("Asia/Ho_Chi_Minh")
    schedule = {
        "CAUNOI_TIMEZONE": "Asia/Ho_Chi_Minh",
        "CAUNOI_BRIEF_DAILY_AT": "08:00",
        "CAUNOI_BRIEF_WEEKLY_AT": "fri 08:00",  # 30 April 2021 was a Friday
        "CAUNOI_BRIEF_CHANNELS": "lanh-dao-lich",
    }
    mailbox = Mailbox()
    with smtp_server(mailbox) as smtp:
        env = {**schedule, "CAUNOI_SMTP_HOST": "127.0.0.1", "CAUNOI_SMTP_PORT": str(smtp.port)}
        env["CAUNOI_SMTP_SECURITY"] = "none"
        settings = load_settings(env={**env, "CAUNOI_DATA": str(brief_day.settings.data_dir)})
        with Service(settings) as service:
            service.alerts.add_channel("lanh-dao-lich", "email", "lanh-dao@bo.example.vn")
            at = datetime(2021, 4, 30, 8, 5, tzinfo=hanoi)  # a watch round five minutes after eight
            sent = service.send_due_briefs(at)
            assert sorted((s["kind"], s["ok"]) for s in sent) == [("daily", True), ("weekly", True)]
            assert service.send_due_briefs(at + timedelta(minutes=1)) == []  # the next round
        with Service(settings) as restarted:  # a watcher started again
            assert restarted.send_due_briefs(at + timedelta(hours=1)) == []
        # cron, for those who run no watcher: nothing more is sent
        cron = caunoi(brief_day.settings, "brief", "send-due", "--at", "2021-04-30T09:00", env=env)
        assert cron.stdout.strip() == "nothing due"
    mails = {
        m["Subject"]: m
        for m in (message_from_bytes(r.content, policy=policy.default) for r in mailbox.received)
    }
    assert sorted(mails) == ["Tổng hợp tuần 23/04/2021 – 29/04/2021", "Điểm tin 30/04/2021"]
    assert "Bộ Ngoại giao" in mails["Điểm tin 30/04/2021"].get_body(("plain",)).get_content()
    digest = mails["Tổng hợp tuần 23/04/2021 – 29/04/2021"].get_body(("plain",)).get_content()
    # the week of 23-29 April holds the articles dated 29 April; the week before, none
    assert "Bài báo (bài đăng lại tính một lần): 5 (Tuần trước: 0) +5" in digest
