"""Alert rules over real articles (volume and tone spikes, new stories, outlets, mentions), no storms,
the inbox, deliveries for real (mail to a local SMTP server, signed webhooks to a local HTTP server),
and the morning brief — through the service and the command line, on both backends."""

from __future__ import annotations

import dataclasses
import email
import email.policy
import json
from datetime import datetime, timedelta
from pathlib import Path

import pytest
from support.cli import caunoi
from support.localweb import closed_port
from support.mail import Mailbox, smtp_server
from support.webhooks import SECRET, WebhookReceiver, verified

from caunoi.alerts import AlertError
from caunoi.reports.brief import brief_document, build
from caunoi.reports.html import brief_html
from caunoi.service import Service
from caunoi.timezones import iso_utc, shown

DEMO = Path(__file__).resolve().parent.parent / "demo" / "data" / "vi-news-unc" / "docs"
AT = datetime(2021, 4, 30, 8, 0)  # a Friday


def demo(name: str) -> tuple[str, str]:
    lines = (DEMO / f"{name}.txt").read_text(encoding="utf-8").split("\n")
    body = [ln for ln in lines if ln.strip() and not ln.startswith("#")]
    return body[0], "\n".join(body[1:])


def covid_articles() -> list[str]:
    return sorted(p.stem for p in DEMO.glob("*.txt") if "covid" in p.read_text(encoding="utf-8").lower())


def write(
    folder: Path, name: str, when: datetime, source: str = "dantri.com.vn", title: str | None = None
) -> None:
    t, body = demo(name)
    folder.mkdir(exist_ok=True)
    (folder / f"{name}_{when:%Y%m%d%H}.txt").write_text(
        f"# url = https://{source}/{name}-{when:%Y%m%d%H}.htm\n# date = {when:%Y-%m-%dT%H:%M}\n"
        f"{title or t}\n{body}\n",
        encoding="utf-8",
    )


@pytest.fixture
def spike_store(service, tmp_path) -> Service:
    """Covid articles: one on the same Friday morning of each of four earlier weeks, eight this one;
    the store's history starts five weeks back."""
    names = covid_articles()
    docs = tmp_path / "docs"
    write(docs, names[0], AT - timedelta(weeks=5))
    for week in range(1, 5):
        write(docs, names[week], AT - timedelta(weeks=week, hours=3))
    for i, name in enumerate(names[10:18]):
        write(docs, name, AT - timedelta(hours=2 + i))
    service.ingest([docs])
    return service


def test_a_volume_spike_says_why_and_is_raised_once_per_window(spike_store):
    alerts = spike_store.alerts
    alerts.add_rule("Covid", "volume_spike", {"query": "covid"}, {"min_count": 5}, by="analyst")
    (alert_id,) = alerts.run(AT)
    alert = alerts.get(alert_id)
    why = alert["why"]
    assert why["articles"] == 8 and why["baseline_counts"] == [1, 1, 1, 1]
    assert why["baseline"].startswith("the same 24 h of the 4 previous weeks")
    assert why["z"] >= 3 and alert["title"].startswith("Covid: 8 bài trong 24 giờ")
    assert alerts.run(AT) == []  # the same window again: no second alert
    assert alerts.run(AT + timedelta(minutes=30)) == []  # nor half an hour later, in the same window
    assert alerts.run(AT - timedelta(weeks=2)) == []  # a quiet window


@pytest.mark.parametrize("query", ["(covid", "covid OR", "(" * 248 + "covid" + ")" * 248])
def test_a_query_that_cannot_run_is_refused_when_the_rule_is_added(settings, query):
    added = caunoi(settings, "alerts", "rule-add", "x", "--kind", "mention", "--query", query, check=False)
    assert added.returncode == 2 and "Traceback" not in added.stderr
    assert any(why in added.stderr for why in ("not closed", "ends with an operator", "deep"))
    assert caunoi(settings, "alerts", "rules", "--json").stdout.strip() == "[]"


def test_a_broken_rule_is_reported_and_the_others_still_run(spike_store, settings):
    """A rule kept broken (by older code, or written into the database) runs first and fails; the
    rule after it still alerts, and `alerts rules` shows which one is broken and why."""
    spike_store.alerts.repo.insert_rule(
        {"name": "Hỏng", "kind": "mention", "scope": {"query": "(" * 300 + "covid"}, "params": {},
         "channels": [], "severity": "medium", "created_by": "older code"},
        replace=False,
    )  # fmt: skip
    spike_store.alerts.add_rule("Covid", "volume_spike", {"query": "covid"}, {"min_count": 5}, by="analyst")
    ran = caunoi(settings, "alerts", "run", "--at", AT.isoformat())
    assert "1 new alert" in ran.stdout
    assert "rule 'Hỏng' could not run" in ran.stderr and "deep" in ran.stderr
    rules = {r["name"]: r for r in json.loads(caunoi(settings, "alerts", "rules", "--json").stdout)}
    assert "deep" in rules["Hỏng"]["last_error"] and rules["Hỏng"]["last_run_at"] is None
    assert rules["Covid"]["last_run_at"] and rules["Covid"]["last_error"] is None
    table = caunoi(settings, "alerts", "rules").stdout
    assert "error" in table and "deep" in table and "ok" in table
    again = json.loads(caunoi(settings, "alerts", "run", "--at", AT.isoformat(), "--json").stdout)
    assert again["raised"] == [] and list(again["failed"]) == ["Hỏng"]


def test_a_young_store_uses_the_previous_windows_and_says_so(service, tmp_path):
    names = covid_articles()
    for i, name in enumerate(names[:6]):
        write(tmp_path / "docs", name, AT - timedelta(hours=1 + i))
    service.ingest([tmp_path / "docs"])
    service.alerts.add_rule("Covid", "volume_spike", {"query": "covid"}, {"min_count": 5})
    (alert_id,) = service.alerts.run(AT)
    assert "no weekday seasonality" in service.alerts.get(alert_id)["why"]["baseline"]


def test_a_tone_drop_is_an_alert(spike_store):
    spike_store.alerts.add_rule(
        "Sắc thái", "tone_spike", {"query": "covid"}, {"min_count": 5, "tone_below": 5.0}
    )
    (alert_id,) = spike_store.alerts.run(AT)
    why = spike_store.alerts.get(alert_id)["why"]
    assert why["articles_with_tone"] == 8 and why["mean_tone"] <= 5.0


def test_new_stories_outlets_and_mentions_with_a_digest_against_storms(service, tmp_path):
    docs = tmp_path / "docs"
    for i, name in enumerate(("news_health_127", "news_health_118")):  # one story, two reports
        write(docs, name, AT - timedelta(hours=3 + i))
    others = [n for n in covid_articles() if n not in ("news_health_127", "news_health_118")][:5]
    for i, name in enumerate(others):  # five more, from a listed outlet
        write(docs, name, AT - timedelta(hours=6 + 3 * i), source="vnexpress.net")
    service.ingest([docs])
    alerts = service.alerts
    alerts.add_rule("Mới", "new_story", {}, {"min_articles": 2})
    alerts.add_rule("VnExpress", "outlet", {}, {"outlets": ["VnExpress.net"]})
    with pytest.raises(AlertError, match="needs the outlets"):
        alerts.add_rule("x", "outlet", {}, {})
    with pytest.raises(AlertError, match="unknown rule kind"):
        alerts.add_rule("x", "spike", {}, {})
    with pytest.raises(AlertError, match="no entity known"):  # names resolve as in search, or are refused
        alerts.add_rule("x", "mention", {"entity": "Không Có Ai Cả"}, {})
    named = alerts.add_rule(
        "Bộ Ngoại giao", "mention", {"entity": "Bộ Ngoại giao", "country": "Trung Quốc"}, {}
    )
    assert next(r for r in alerts.rules() if r["id"] == named)["scope"] == {
        "entity": "vnbody:mofa",
        "country": "CN",
    }
    alerts.set_rule("Bộ Ngoại giao", remove=True)
    raised = [alerts.get(i) for i in alerts.run(AT)]
    new = [a for a in raised if a["rule"] == "Mới"]
    assert len(new) == 1 and new[0]["story_id"] and new[0]["title"].startswith("Câu chuyện mới: ")
    outlet = [a for a in raised if a["rule"] == "VnExpress"]
    stories = {service.article(a).story_id for a in _ids_from(service, "vnexpress.net")}
    assert len(stories) >= 1
    if len(stories) > 3:  # more stories than digest_after: one digest, not a storm
        assert len(outlet) == 1 and outlet[0]["digest"] and outlet[0]["why"]["count"] == len(stories)
    else:
        assert len(outlet) == len(stories)
    assert alerts.run(AT) == []  # nothing twice


def _ids_from(service, source: str) -> list[int]:
    from sqlalchemy import select

    from caunoi.store.schema import articles

    with service.engine.connect() as conn:
        return list(conn.execute(select(articles.c.id).where(articles.c.source == source)).scalars())


def test_deliveries_by_mail_and_signed_webhook_are_recorded(spike_store):
    mailbox = Mailbox()
    with smtp_server(mailbox) as smtp, WebhookReceiver() as web:
        url = web.add("/hook", handler=verified)
        settings = dataclasses.replace(
            spike_store.settings, smtp_host="127.0.0.1", smtp_port=smtp.port, smtp_security="none"
        )
        spike_store.alerts.settings = settings
        spike_store.alerts.add_channel("trực ban", "email", "truc-ban@bo.example.vn")
        spike_store.alerts.add_channel("hệ thống", "webhook", url, secret=SECRET, allow_private=True)
        with pytest.raises(AlertError, match="secret"):
            spike_store.alerts.add_channel("x", "webhook", url)
        spike_store.alerts.add_rule("Covid", "volume_spike", {"query": "covid"}, {"min_count": 5},
                                    channel_names=["trực ban", "hệ thống"])  # fmt: skip
        (alert_id,) = spike_store.alerts.run(AT)
        assert spike_store.alerts.deliver() == {"sent": 2}
        assert spike_store.alerts.deliver() == {}  # nothing left to send
    (mail,) = mailbox.received
    message = email.message_from_bytes(mail.content, policy=email.policy.default)
    assert message["Subject"].startswith("[Cầu Nối] Covid: 8 bài") and mail.rcpt_tos == [
        "truc-ban@bo.example.vn"
    ]
    assert "Căn cứ" in message.get_body(("html",)).get_content()
    # when: the window in the articles' clock (Hà Nội's), the moment it was raised (UTC) in the
    # organisation's zone, each named, in both parts of the mail
    raised = spike_store.alerts.get(alert_id)["created_at"]
    said = shown(raised, spike_store.settings.timezone, "vi")
    for part in ("plain", "html"):
        content = message.get_body((part,)).get_content()
        assert "29/04/2021 08:00 – 30/04/2021 08:00 (GMT+7, Hà Nội)" in content and said in content
    ((_, headers, body),) = web.posts
    payload = json.loads(body)
    assert payload["alert"]["id"] == alert_id and payload["alert"]["why"]["articles"] == 8
    assert payload["alert"]["created_at"] == iso_utc(raised)  # a moment: UTC, with its Z
    assert payload["alert"]["window_end"] == "2021-04-30T08:00:00"  # the articles' clock, as kept
    assert headers["X-Caunoi-Event"] == "alert.raised"
    records = spike_store.alerts.get(alert_id)["deliveries"]
    assert {(d["kind"], d["state"], d["attempts"]) for d in records} == {
        ("email", "sent", 1),
        ("webhook", "sent", 1),
    }


def test_a_failing_channel_is_retried_on_later_runs_then_given_up(spike_store):
    with closed_port() as port:
        spike_store.alerts.settings = dataclasses.replace(
            spike_store.settings,
            smtp_host="127.0.0.1",
            smtp_port=port,
            smtp_security="none",
            notify_retries=0,
        )
        spike_store.alerts.add_channel("mail", "email", "a@b.example.vn")
        spike_store.alerts.add_rule("Covid", "volume_spike", {"query": "covid"}, {"min_count": 5},
                                    channel_names=["mail"])  # fmt: skip
        (alert_id,) = spike_store.alerts.run(AT)
        assert spike_store.alerts.deliver() == {"pending": 1}
        assert spike_store.alerts.deliver() == {"pending": 1}
        assert spike_store.alerts.deliver() == {"failed": 1}
    (record,) = spike_store.alerts.get(alert_id)["deliveries"]
    assert record["state"] == "failed" and record["attempts"] == 3 and "refused" in record["error"].lower()


def test_the_brief_groups_stories_and_lists_alerts_and_escapes_titles(spike_store, tmp_path):
    spike_store.alerts.add_rule("Covid", "volume_spike", {"query": "covid"}, {"min_count": 5})
    spike_store.alerts.run(AT)
    data = spike_store.brief(AT - timedelta(hours=24), AT + timedelta(hours=1))
    assert data["totals"]["articles"] == 8 and data["groups"]
    assert sum(len(g["stories"]) for g in data["groups"]) == data["totals"]["stories"]
    data["groups"][0]["stories"][0]["title"] = '<script>alert("x")</script>'
    html = brief_html(data, "vi")
    assert "ĐIỂM TIN" in html and "<script>alert" not in html and "&lt;script&gt;" in html
    assert "Cảnh báo mới" in html
    assert "MORNING BRIEF" in brief_html(data, "en")


def test_the_briefs_open_cases_say_their_deadline_in_the_organisations_zone(service):
    service.units.add("DSQ-FR", "ĐSQ tại Pháp", by="test", kind="mission", country="FR")
    late = service.cases.open_case("Bài báo sai về Biển Đông", by="lan")
    service.cases.assign(late.id, "DSQ-FR", "2021-04-30 17:00", by="lan", timezone="Europe/Paris")
    assert service.cases.get(late.id).deadline == datetime(2021, 4, 30, 15, 0)  # kept in UTC
    data = service.brief(AT - timedelta(hours=24), AT)
    (case,) = data["cases"]
    assert case["deadline_shown"] == "30/04/2021 22:00 (GMT+7, Hà Nội)" and case["overdue"]
    assert "30/04/2021 22:00 (GMT+7, Hà Nội) · QUÁ HẠN" in brief_html(data, "vi")
    document = brief_document(data, issuer="Bộ Ngoại giao", place="Hà Nội")  # for PDF and DOCX
    assert "30/04/2021 22:00 (GMT+7, Hà Nội) · QUÁ HẠN" in repr(document.blocks)
    in_paris = build(service.engine, AT - timedelta(hours=24), AT, timezone="Europe/Paris")
    assert in_paris["cases"][0]["deadline_shown"] == "30/04/2021 17:00 (GMT+2, Paris)"


def test_alerts_and_the_brief_from_the_command_line(settings, tmp_path):
    names = covid_articles()
    docs = tmp_path / "docs"
    write(docs, names[0], AT - timedelta(weeks=5))
    for week in range(1, 5):
        write(docs, names[week], AT - timedelta(weeks=week, hours=3))
    for i, name in enumerate(names[10:16]):
        write(docs, name, AT - timedelta(hours=2 + i))
    caunoi(settings, "ingest", str(docs))
    saved = caunoi(settings, "search", "covid", "--save", "Covid", "--json")
    assert "saved" in saved.stderr and json.loads(saved.stdout)
    # another user saving under that name is refused, unless they mean to replace it
    other = {"CAUNOI_USER": "someone-else"}
    taken = caunoi(settings, "search", "covid-19", "--save", "Covid", check=False, env=other)
    assert taken.returncode == 2 and "is a search saved by" in taken.stderr and "--replace" in taken.stderr
    caunoi(settings, "search", "covid", "--save", "Covid", "--replace", env=other)
    rule = ["rule-add", "Covid tăng", "--kind", "volume_spike", "--saved", "Covid", "--min-count", "5"]
    caunoi(settings, "alerts", *rule)
    again = caunoi(settings, "alerts", *rule, check=False)
    assert again.returncode == 2 and "exists already" in again.stderr
    caunoi(settings, "alerts", *rule, "--replace")
    missing = caunoi(
        settings, "alerts", "rule-add", "y", "--kind", "volume_spike", "--saved", "nope", check=False
    )
    assert missing.returncode == 2 and "no saved search" in missing.stderr
    bad = caunoi(settings, "alerts", "rule-add", "x", "--kind", "nope", check=False)
    assert bad.returncode == 2 and "unknown rule kind" in bad.stderr
    ran = json.loads(caunoi(settings, "alerts", "run", "--at", AT.isoformat(), "--json").stdout)
    assert len(ran["raised"]) == 1
    (listed,) = json.loads(caunoi(settings, "alerts", "list", "--json").stdout)
    assert listed["state"] == "new" and listed["rule"] == "Covid tăng"
    caunoi(settings, "alerts", "read", str(listed["id"]))
    assert (
        json.loads(caunoi(settings, "alerts", "show", str(listed["id"]), "--json").stdout)["state"] == "read"
    )
    assert caunoi(settings, "alerts", "show", "999", check=False).returncode == 1
    out = tmp_path / "brief.html"
    caunoi(settings, "brief", "--since", "24h", "--at", AT.isoformat(), "--out", str(out))
    html = out.read_text(encoding="utf-8")
    assert "ĐIỂM TIN" in html and "Covid tăng" in html
    mailbox = Mailbox()
    with smtp_server(mailbox) as smtp:
        env = {
            "CAUNOI_SMTP_HOST": "127.0.0.1",
            "CAUNOI_SMTP_PORT": str(smtp.port),
            "CAUNOI_SMTP_SECURITY": "none",
        }
        to = "lanh-dao@bo.example.vn"
        sent = caunoi(settings, "brief", "--at", AT.isoformat(), "--lang", "en", "--email", to, env=env)
    assert "sent" in sent.stderr
    (mail,) = mailbox.received
    message = email.message_from_bytes(mail.content, policy=email.policy.default)
    assert message["Subject"] == "Morning brief 30/04/2021" and message.get_body(("plain",))
