"""Every change audited, and the log read: changes to sources, alert rules, channels and saved
searches each leave who, what, which object, before and after, and when (UTC) — whether the CLI, the
API or a page made them, since the audit is written where they all go (the store, in the change's
transaction). `caunoi audit list`, GET /api/v1/audit and the /audit page read it with the same
filters; the API and the page only for audit.read (administrators)."""

from __future__ import annotations

import contextlib
import csv
import io
import json
from datetime import UTC, datetime, timedelta

import pytest
from fastapi.testclient import TestClient
from support.app import log_in
from support.cli import caunoi

from caunoi.app import create_app
from caunoi.audit import AuditError, AuditFilter
from caunoi.ingest.sources import make_spec
from caunoi.models import SearchRequest
from caunoi.search import saved_form
from caunoi.timezones import HANOI, iso_utc, local, shown

PASSWORD = "ba con mèo trèo cây cau"
DANTRI = {"name": "Dân trí", "home": "https://dantri.com.vn/", "feeds": ["/rss/home.rss"]}


def log(service, **filters):
    return service.audit.entries(AuditFilter(**filters))


def only(service, entity: str, action: str):
    found = log(service, entity=entity, action=action)
    assert len(found) == 1, found
    return found[0]


def test_changes_to_sources_are_audited(service, tmp_path):
    before = datetime.now(UTC).replace(tzinfo=None) - timedelta(seconds=1)
    source_id, _ = service.sources.add(make_spec(DANTRI), by="lan")
    added = only(service, "source", "add")
    assert (added.actor, added.entity_id) == ("lan", str(source_id))
    assert added.changes["home"] == [None, "https://dantri.com.vn/"]
    assert before <= added.at <= datetime.now(UTC).replace(tzinfo=None)  # in UTC

    service.sources.add(make_spec({**DANTRI, "poll_minutes": 15}), by="hoa")
    assert only(service, "source", "edit").changes == {"poll_minutes": [30, 15]}
    service.sources.add(make_spec({**DANTRI, "poll_minutes": 15}), by="hoa")  # nothing changed
    assert len(log(service, entity="source", action="edit")) == 1

    service.sources.disable("Dân trí", by="lan")
    service.sources.disable("Dân trí", by="lan")  # already off: nothing to record
    service.sources.enable(source_id, by="lan")
    assert only(service, "source", "disable").changes == {"enabled": [True, False]}
    assert only(service, "source", "enable").changes == {"enabled": [False, True]}

    path = tmp_path / "sources.yaml"
    path.write_text("- name: VnExpress\n  home: https://vnexpress.net/\n  feeds: [/rss/tin-moi-nhat.rss]\n")
    service.sources.import_file(path, by="admin")
    assert only(service, "source", "import").changes["name"] == [None, "VnExpress"]
    service.sources.relink(by="admin")
    assert only(service, "source", "relink").changes == {"articles": [None, 0]}

    service.sources.remove("Dân trí", by="lan")
    removed = only(service, "source", "remove")
    assert removed.entity_id == str(source_id) and removed.changes["name"] == ["Dân trí", None]
    assert [e.action for e in log(service, entity="source", entity_id=str(source_id))] == [
        "remove", "enable", "disable", "edit", "add",
    ]  # fmt: skip


def test_changes_to_rules_channels_and_saved_searches_are_audited(service):
    service.alerts.add_channel("trực-ban", "webhook", "https://hooks.example/x", "k3y-s3cret", by="lan")
    channel = only(service, "channel", "add")
    assert channel.actor == "lan" and channel.changes["secret"] == [None, "set"]
    assert "k3y-s3cret" not in json.dumps([e.changes for e in log(service)])

    service.searches.save("Biển Đông", saved_form(SearchRequest(query='"Biển Đông"')), by="lan")
    assert only(service, "saved_search", "add").changes["request"][1]["query"] == '"Biển Đông"'
    service.searches.save("Biển Đông", saved_form(SearchRequest(query="Hoàng Sa")), by="lan")
    before, after = only(service, "saved_search", "edit").changes["request"]
    assert (before["query"], after["query"]) == ('"Biển Đông"', "Hoàng Sa")

    rule_id = service.alerts.add_rule("Tăng đột biến", "volume_spike", {"saved": "Biển Đông"}, by="lan")
    assert only(service, "alert_rule", "add").entity_id == str(rule_id)
    service.alerts.add_rule(
        "Tăng đột biến", "volume_spike", {"saved": "Biển Đông"}, severity="high", by="hoa", replace=True
    )
    assert only(service, "alert_rule", "replace").changes == {"severity": ["medium", "high"]}
    service.alerts.set_rule("Tăng đột biến", enabled=False, by="hoa")
    service.alerts.set_rule("Tăng đột biến", enabled=True, by="hoa")
    service.alerts.set_rule("Tăng đột biến", remove=True, by="admin")
    assert only(service, "alert_rule", "disable").changes == {"enabled": [True, False]}
    assert only(service, "alert_rule", "remove").changes["name"] == ["Tăng đột biến", None]


def test_a_channels_new_secret_is_recorded_as_changed_never_its_value(service, settings):
    hook = "https://hooks.example/x"
    service.alerts.add_channel("trực-ban", "webhook", hook, "k3y-1", by="lan")
    # edited: a new secret for the old one
    service.alerts.edit_channel("trực-ban", hook, "k3y-2", by="hoa")
    assert only(service, "channel", "edit").changes == {"secret": ["set", "changed"]}
    service.alerts.edit_channel("trực-ban", hook, "k3y-2", by="hoa")  # the same again: nothing
    service.alerts.edit_channel("trực-ban", hook, by="hoa")  # none given: kept, nothing
    assert len(log(service, entity="channel", action="edit")) == 1
    # replaced (channel-add --replace): a new secret is a change too; the same one is none
    service.alerts.add_channel("trực-ban", "webhook", hook, "k3y-3", by="tuan", replace=True)
    assert only(service, "channel", "replace").changes == {"secret": ["set", "changed"]}
    service.alerts.add_channel("trực-ban", "email", "lan@example.vn", by="tuan", replace=True)
    replaced = log(service, entity="channel", action="replace")[0]
    assert replaced.changes["secret"] == ["set", None] and replaced.changes["kind"] == ["webhook", "email"]
    service.alerts.add_channel("trực-ban", "webhook", hook, "k3y-4", by="tuan", replace=True)
    assert log(service, entity="channel", action="replace")[0].changes["secret"] == [None, "set"]
    assert not any("k3y" in json.dumps(e.changes) for e in log(service))
    # and from the command line
    caunoi(
        settings, "alerts", "channel-add", "trực-ban", "--email", "hoa@example.vn", "--replace", "--by", "hoa"
    )
    assert log(service, entity="channel", action="replace")[0].changes["secret"] == ["set", None]
    refused = caunoi(settings, "alerts", "channel-add", "trực-ban", "--email", "x@example.vn", check=False)
    assert refused.returncode == 2 and "--replace swaps it" in refused.stderr


def test_the_log_is_filtered_by_who_what_object_and_time(service):
    service.sources.add(make_spec(DANTRI), by="Lan")
    service.sources.disable("Dân trí", by="hoa")
    service.alerts.add_channel("mail", "email", "lan@example.vn", by="hoa")
    assert {e.action for e in log(service, actor="lan")} == {"add"}  # a name in any case
    assert [e.entity for e in log(service, actor="hoa")] == ["channel", "source"]  # newest first
    assert [e.actor for e in log(service, action="DISABLE")] == ["hoa"]
    assert len(log(service, entity="source")) == 2 and len(log(service, entity="channel")) == 1

    asked = AuditFilter.from_text(entity="source:1", since="1h")
    assert asked.entity == "source" and asked.entity_id == "1"
    assert len(service.audit.entries(asked)) == 2
    assert service.audit.entries(AuditFilter.from_text(until="2020-01-01")) == []
    assert len(service.audit.entries(AuditFilter.from_text(since="2020-01-01T00:00"))) == 3
    with pytest.raises(AuditError) as refused:
        AuditFilter.from_text(since="yesterday")
    assert refused.value.code == "audit_bad_time"


def test_the_command_line_audits_and_lists(settings, tmp_path):
    caunoi(settings, "sources", "add", "Dân trí", "--home", "https://dantri.com.vn/", "--feed",
           "/rss/home.rss", "--by", "lan")  # fmt: skip
    caunoi(settings, "sources", "disable", "Dân trí", env={"CAUNOI_USER": "hoa"})
    caunoi(settings, "alerts", "channel-add", "mail", "--email", "lan@example.vn", "--by", "lan")
    shown = json.loads(caunoi(settings, "audit", "list", "--who", "lan", "--json").stdout)
    assert [(e["entity"], e["action"]) for e in shown] == [("channel", "add"), ("source", "add")]
    table = caunoi(settings, "audit", "list", "--what", "disable", "--object", "source").stdout
    assert "hoa" in table and "enabled: True → False" in table
    out = tmp_path / "audit.csv"
    caunoi(settings, "audit", "list", "--since", "1d", "--csv", str(out))
    rows = list(csv.DictReader(io.StringIO(out.read_bytes().decode("utf-8-sig"))))
    assert [r["action"] for r in rows] == ["add", "disable", "add"]
    assert json.loads(rows[1]["changes"]) == {"enabled": [True, False]}
    bad = caunoi(settings, "audit", "list", "--since", "hôm qua", check=False)
    assert bad.returncode == 2 and "give a span like 24h" in bad.stderr


def test_the_command_line_shows_the_log_in_the_organisations_zone_and_exports_utc(settings, tmp_path):
    caunoi(settings, "alerts", "channel-add", "mail", "--email", "lan@example.vn", "--by", "lan")
    (entry,) = json.loads(caunoi(settings, "audit", "list", "--json").stdout)
    at = datetime.fromisoformat(entry["at"])  # --json: as kept, UTC
    paris = {"CAUNOI_TIMEZONE": "Europe/Paris", "COLUMNS": "200"}
    table = caunoi(settings, "audit", "list", env=paris).stdout
    assert shown(at, "Europe/Paris", "en", pattern="%Y-%m-%d %H:%M") in table and "(UTC)" not in table
    hanoi = caunoi(settings, "audit", "list", env={"CAUNOI_TIMEZONE": HANOI, "COLUMNS": "200"}).stdout
    assert shown(at, HANOI, "en", pattern="%Y-%m-%d %H:%M").endswith("(GMT+7, Hanoi)")
    assert shown(at, HANOI, "en", pattern="%Y-%m-%d %H:%M") in hanoi
    out = tmp_path / "audit.csv"
    caunoi(settings, "audit", "list", "--csv", str(out), env=paris)
    (row,) = csv.DictReader(io.StringIO(out.read_bytes().decode("utf-8-sig")))
    assert row["at"] == iso_utc(at) and row["at"].endswith("Z")
    # a time typed without an offset is the organisation's: a minute after the entry, in Hà Nội,
    # is seven hours after it in UTC
    after = (local(at, HANOI) + timedelta(minutes=1)).strftime("%Y-%m-%dT%H:%M")
    before = (local(at, HANOI) - timedelta(minutes=1)).strftime("%Y-%m-%dT%H:%M")
    env = {"CAUNOI_TIMEZONE": HANOI}
    assert json.loads(caunoi(settings, "audit", "list", "--since", after, "--json", env=env).stdout) == []
    assert (
        len(json.loads(caunoi(settings, "audit", "list", "--since", before, "--json", env=env).stdout)) == 1
    )


def test_a_time_typed_in_a_filter_is_read_in_the_readers_zone(service):
    service.alerts.add_channel("mail", "email", "lan@example.vn", by="lan")
    (entry,) = log(service)
    in_hanoi = local(entry.at, HANOI).replace(tzinfo=None)
    since = (in_hanoi - timedelta(minutes=1)).isoformat(timespec="minutes")
    until = (in_hanoi + timedelta(minutes=1)).isoformat(timespec="minutes")
    asked = AuditFilter.from_text(since=since, until=until, timezone=HANOI)
    assert service.audit.entries(asked) == [entry]
    assert service.audit.entries(AuditFilter.from_text(since=since, until=until)) == []  # read in UTC
    with_offset = AuditFilter.from_text(since=f"{since}+07:00", until=f"{until}+07:00")
    assert service.audit.entries(with_offset) == [entry]  # an offset typed wins


@pytest.fixture
def app(settings):
    app = create_app(settings)
    service = app.state.service
    with contextlib.closing(service):
        service.users.add_user("admin", PASSWORD, "admin", by="test")
        service.users.add_user("lan", PASSWORD, "analyst", by="test")
        yield app


def api_as(app, username: str) -> TestClient:
    token = app.state.service.users.create_token(username, "tests", by="test")
    return TestClient(app, base_url="https://testserver", headers={"Authorization": f"Bearer {token}"})


def browser_as(app, username: str) -> TestClient:
    browser = TestClient(app, base_url="https://testserver")
    assert log_in(browser, username, PASSWORD).status_code == 303
    return browser


def test_the_api_reads_the_log_for_administrators_only(app):
    app.state.service.sources.add(make_spec(DANTRI), by="admin")
    admin, analyst = api_as(app, "admin"), api_as(app, "lan")
    assert analyst.get("/api/v1/audit").status_code == 403

    found = admin.get("/api/v1/audit", params={"object": "source", "action": "add"}).json()
    assert [(e["actor"], e["entity"], e["changes"]["name"]) for e in found] == [
        ("admin", "source", [None, "Dân trí"])
    ]
    users = admin.get("/api/v1/audit", params={"object": "user", "who": "test"}).json()
    assert {e["entity_id"] for e in users} >= {"1", "2"}  # user accounts were audited already
    as_csv = admin.get("/api/v1/audit", params={"format": "csv", "object": "source"})
    assert as_csv.headers["content-type"].startswith("text/csv")
    assert "caunoi-audit.csv" in as_csv.headers["content-disposition"]
    assert "Dân trí" in as_csv.content.decode("utf-8-sig")
    by_accept = admin.get("/api/v1/audit", headers={"Accept": "text/csv"})
    assert by_accept.headers["content-type"].startswith("text/csv")
    bad = admin.get("/api/v1/audit", params={"since": "yesterday"})
    assert bad.status_code == 422 and bad.json()["error"]["code"] == "invalid"


def test_the_audit_page_is_for_administrators_and_filters(app):
    service = app.state.service
    service.sources.add(make_spec(DANTRI), by="admin")
    service.alerts.add_channel("mail", "email", "lan@example.vn", by="lan")
    admin, analyst = browser_as(app, "admin"), browser_as(app, "lan")
    assert analyst.get("/audit").status_code == 403
    assert 'href="/audit"' not in analyst.get("/").text  # no link for an analyst
    assert 'href="/audit"' in admin.get("/").text

    page = admin.get("/audit", params={"object": "channel"})
    assert page.status_code == 200 and "Nhật ký thay đổi" in page.text
    assert "<td>channel:1</td>" in page.text and "<td>source:1</td>" not in page.text
    assert "/api/v1/audit?object=channel&amp;format=csv" in page.text
    download = admin.get("/api/v1/audit?object=channel&format=csv")  # the link, with the session
    assert download.status_code == 200 and "lan@example.vn" in download.content.decode("utf-8-sig")
    assert analyst.get("/api/v1/audit?format=csv").status_code == 403
    bad = admin.get("/audit", params={"since": "hôm qua"})
    assert bad.status_code == 400 and "hãy ghi một khoảng như 24h" in bad.text
    admin.get("/lang/en", params={"next": "/audit"})
    english = admin.get("/audit", params={"who": "admin"}).text
    assert "Audit log" in english and "<td>source:1</td>" in english and "<td>channel:1</td>" not in english


def test_the_audit_page_shows_times_in_the_readers_zone_and_reads_typed_times_there(app):
    service = app.state.service
    case = service.cases.open_case("Bài báo sai về Biển Đông", by="admin")
    service.units.add("DSQ-FR", "ĐSQ tại Pháp", by="test", kind="mission", country="FR")
    service.cases.assign(case.id, "DSQ-FR", "2026-11-25 17:00", by="admin", timezone="Europe/Paris")
    (assigned,) = service.audit.entries(AuditFilter(entity="case", action="assign"))
    admin = browser_as(app, "admin")
    page = admin.get("/audit", params={"object": "case"}).text
    assert "(UTC)" not in page and "GMT+7, Hà Nội" in page
    assert f"<td>{shown(assigned.at, HANOI, 'vi')}</td>" in page
    # a deadline changed is a moment too: in the reader's zone, named
    assert "25/11/2026 23:00 (GMT+7, Hà Nội)" in page
    at = local(assigned.at, HANOI)
    after = admin.get(
        "/audit", params={"object": "case", "since": f"{at + timedelta(minutes=1):%Y-%m-%dT%H:%M}"}
    )
    assert after.status_code == 200 and "case:" not in after.text.split("<tbody>")[-1]
    before = admin.get(
        "/audit", params={"object": "case", "since": f"{at - timedelta(minutes=1):%Y-%m-%dT%H:%M}"}
    )
    assert f"<td>{shown(assigned.at, HANOI, 'vi')}</td>" in before.text
