"""Times with zones: a deadline is one moment, kept in UTC, that a mission officer in Paris and an
analyst in Hà Nội each read in their own zone; a deadline typed in Paris is stored as that moment;
the API gives moments in UTC with a Z; and a DST change moves the offset, not the moment."""

from __future__ import annotations

import contextlib
import dataclasses
import re
import time
from datetime import UTC, datetime, timedelta

import pytest
from conftest import backend_settings
from fastapi.testclient import TestClient
from support.app import log_in
from support.cli import caunoi

from caunoi.app import create_app
from caunoi.cases import parse_deadline
from caunoi.timezones import offset_name, reader_zone, shown, to_utc, unit_zone, utcnow, zone, zone_of_country
from caunoi.units import UnitError

PASSWORD = "hai con thỏ chạy quanh hồ"
HANOI, PARIS = "Asia/Ho_Chi_Minh", "Europe/Paris"


def test_one_moment_is_read_in_each_readers_zone():
    deadline = datetime(2026, 11, 25, 16, 0)  # stored: UTC
    assert shown(deadline, PARIS, "en") == "25/11/2026 17:00 (GMT+1, Paris)"
    assert shown(deadline, HANOI, "vi") == "25/11/2026 23:00 (GMT+7, Hà Nội)"
    assert shown(deadline, HANOI, "en") == "25/11/2026 23:00 (GMT+7, Hanoi)"
    assert shown(deadline, "Asia/Kolkata", "en", pattern="%H:%M") == "21:30 (GMT+5:30, Kolkata)"
    assert shown(None, PARIS) == ""


def test_a_time_typed_in_paris_is_stored_as_its_utc_moment():
    assert to_utc(datetime(2026, 11, 25, 17, 0), PARIS) == datetime(2026, 11, 25, 16, 0)
    assert parse_deadline("2026-11-25 17:00", timezone=PARIS) == datetime(2026, 11, 25, 16, 0)
    assert parse_deadline("2026-11-25 17:00", timezone=HANOI) == datetime(2026, 11, 25, 10, 0)
    # a day alone is due by its end, there; an offset typed wins over the zone
    assert parse_deadline("2026-11-25", timezone=PARIS) == datetime(2026, 11, 25, 22, 59, 59)
    assert parse_deadline("2026-11-25T17:00+07:00", timezone=PARIS) == datetime(2026, 11, 25, 10, 0)
    before = datetime(2026, 11, 25, 8, 0)
    assert parse_deadline("+4h", before, timezone=PARIS) == datetime(2026, 11, 25, 12, 0)


def test_across_the_dst_change_the_offset_moves_and_the_moment_stays():
    # Paris went to summer time at 01:00 UTC on 29 March 2026, and back at 01:00 UTC on 25 October
    assert shown(datetime(2026, 3, 29, 0, 59), PARIS, "en") == "29/03/2026 01:59 (GMT+1, Paris)"
    assert shown(datetime(2026, 3, 29, 1, 0), PARIS, "en") == "29/03/2026 03:00 (GMT+2, Paris)"
    assert shown(datetime(2026, 10, 25, 0, 30), PARIS, "en") == "25/10/2026 02:30 (GMT+2, Paris)"
    assert shown(datetime(2026, 10, 25, 1, 30), PARIS, "en") == "25/10/2026 02:30 (GMT+1, Paris)"
    # a week's deadline typed on either side: 17:00 there, whatever the offset that day
    assert parse_deadline("2026-03-28 17:00", timezone=PARIS) == datetime(2026, 3, 28, 16, 0)
    assert parse_deadline("2026-03-30 17:00", timezone=PARIS) == datetime(2026, 3, 30, 15, 0)
    # 02:30 on 29 March does not exist there, and on 25 October happens twice: read with the
    # offset before the change
    assert to_utc(datetime(2026, 3, 29, 2, 30), PARIS) == datetime(2026, 3, 29, 1, 30)
    assert to_utc(datetime(2026, 10, 25, 2, 30), PARIS) == datetime(2026, 10, 25, 0, 30)
    # Viet Nam keeps GMT+7 all year
    assert offset_name(datetime(2026, 7, 1, tzinfo=zone(HANOI))) == "GMT+7"


def test_a_units_zone_is_its_own_else_its_seats(service):
    paris = service.units.add("DSQ-FR", "ĐSQ tại Pháp", by="test", kind="mission", country="FR")
    assert paris.timezone is None and unit_zone(paris) == PARIS  # France has one zone
    washington = service.units.add("DSQ-US", "ĐSQ tại Hoa Kỳ", by="test", kind="mission", country="US")
    assert unit_zone(washington) is None and reader_zone(HANOI, washington) == HANOI  # the US has many
    washington = service.units.edit("dsq-us", by="test", timezone="America/New_York")
    assert washington.timezone == "America/New_York" and reader_zone(HANOI, washington) == "America/New_York"
    with pytest.raises(UnitError) as refused:
        service.units.edit("DSQ-US", by="test", timezone="Washington")
    assert refused.value.code == "bad_timezone"
    assert service.units.history("DSQ-US")[-1]["changes"] == {"timezone": [None, "America/New_York"]}
    assert zone_of_country("VN") == HANOI and zone_of_country("RU") is None


@pytest.fixture
def site(request, tmp_path):
    """The app, its organisation in Hà Nội, with a mission in Paris, an analyst and the Paris
    mission's officer, and a case assigned to that mission."""
    backend = request.param if hasattr(request, "param") else "sqlite"
    with contextlib.ExitStack() as stack:
        settings = dataclasses.replace(backend_settings(backend, tmp_path, stack), timezone=HANOI)
        app = create_app(settings)
        service = app.state.service
        stack.callback(service.close)
        service.units.add("DSQ-FR", "ĐSQ tại Pháp", by="test", kind="mission", country="FR", city="Paris")
        service.users.add_user("lan", PASSWORD, "analyst", by="test")
        service.users.add_user("minh", PASSWORD, "mission_officer", mission="DSQ-FR", by="test")
        case = service.cases.open_case("Bài báo sai về Biển Đông", by="lan")
        service.cases.assign(case.id, "DSQ-FR", "2026-11-25 17:00", by="lan", timezone=PARIS)
        yield app, service, case.id


def _browser(app, username: str) -> TestClient:
    browser = TestClient(app, base_url="https://testserver")
    assert log_in(browser, username, PASSWORD).status_code == 303
    return browser


@pytest.mark.parametrize("site", ["sqlite", "postgresql"], indirect=True)
def test_the_officer_in_paris_and_the_analyst_in_hanoi_see_one_deadline_each_in_their_zone(site):
    app, service, case_id = site
    assert service.cases.get(case_id).deadline == datetime(2026, 11, 25, 16, 0)  # stored: UTC
    officer = _browser(app, "minh").get(f"/cases/{case_id}").text
    analyst = _browser(app, "lan").get(f"/cases/{case_id}").text
    assert "25/11/2026 17:00 (GMT+1, Paris)" in officer
    assert "25/11/2026 23:00 (GMT+7, Hà Nội)" in analyst
    # the history says when, in each one's zone too; the form says whose time it reads
    assert re.search(r"\d\d:\d\d \(GMT\+7, Hà Nội\)</td>", analyst)
    assert '(GMT+7, Hà Nội)<input name="deadline"' in analyst


@pytest.mark.parametrize("site", ["sqlite"], indirect=True)
def test_the_api_gives_moments_in_utc_and_reads_a_typed_deadline_in_its_zone(site):
    app, service, case_id = site
    token = service.users.create_token("lan", "tests", by="test")
    api = TestClient(app, base_url="https://testserver", headers={"Authorization": f"Bearer {token}"})
    case = api.get(f"/api/v1/cases/{case_id}").json()
    assert case["deadline"] == "2026-11-25T16:00:00Z"
    assert case["created_at"].endswith("Z") and all(h["at"].endswith("Z") for h in case["history"])
    # typed in Paris: the analyst says so; without `timezone` it is read in theirs (Hà Nội)
    said = api.post(
        f"/api/v1/cases/{case_id}/assign", json={"deadline": "2026-12-01 09:00", "timezone": PARIS}
    )
    assert said.status_code == 200, said.text
    assert said.json()["deadline"] == "2026-12-01T08:00:00Z"
    said = api.post(f"/api/v1/cases/{case_id}/assign", json={"deadline": "2026-12-01 09:00"})
    assert said.json()["deadline"] == "2026-12-01T02:00:00Z"
    refused = api.post(f"/api/v1/cases/{case_id}/assign", json={"deadline": "+1d", "timezone": "Paris"})
    assert refused.status_code == 400 and "IANA" in refused.json()["error"]["message"]
    unit = api.get("/api/v1/units/DSQ-FR").json()
    assert unit["timezone"] is None and unit["created_at"].endswith("Z")


def test_the_cli_shows_deadlines_in_the_setting_timezone_and_reads_them_there(tmp_path):
    with contextlib.ExitStack() as stack:
        settings = backend_settings("sqlite", tmp_path, stack)
        paris, hanoi = {"CAUNOI_TIMEZONE": PARIS}, {"CAUNOI_TIMEZONE": HANOI}
        caunoi(settings, "units", "add", "DSQ-DE", "ĐSQ tại Đức", "--kind", "mission", "--country", "DE",
               "--timezone", "Europe/Berlin", "--by", "test")  # fmt: skip
        assert "Europe/Berlin" in caunoi(settings, "units", "list").stdout
        caunoi(settings, "cases", "new", "--title", "Phỏng vấn", "--by", "lan")
        said = caunoi(settings, "cases", "assign", "1", "--unit", "DSQ-DE", "--deadline", "2026-07-01 17:00",
                      "--by", "lan", env=paris)  # fmt: skip
        assert "2026-07-01 17:00 (GMT+2, Paris)" in said.stdout
        assert "2026-07-01 22:00 (GMT+7, Hanoi)" in caunoi(settings, "cases", "show", "1", env=hanoi).stdout
        refused = caunoi(
            settings, "units", "edit", "DSQ-DE", "--timezone", "Berlin", "--by", "t", check=False
        )
        assert refused.returncode == 2 and "IANA" in refused.stderr


def test_rules_and_channels_are_created_on_the_stores_clock_utc(service):
    before = utcnow()
    service.alerts.add_channel("trực ban", "email", "truc-ban@bo.example.vn", by="lan")
    service.alerts.add_rule("Covid", "volume_spike", {"query": "covid"}, channel_names=["trực ban"], by="lan")
    (channel,) = service.alerts.channels()
    (rule,) = service.alerts.rules()
    for made in (channel["created_at"], rule["created_at"]):
        assert before - timedelta(seconds=1) <= made <= utcnow()


# -- the articles' clock: windows over `published` (Hà Nội wall-clock) whatever the server's zone ---


@pytest.fixture(params=["UTC", "America/New_York", HANOI])
def server_zone(request, monkeypatch):
    """The server's own zone (TZ), as datetime.now() reads it: UTC as recommended, another, Hà Nội's."""
    monkeypatch.setenv("TZ", request.param)
    time.tzset()
    yield request.param
    monkeypatch.undo()
    time.tzset()


def _published_ago(service, tmp_path, hours: list[float]) -> dict[float, int]:
    """Covid articles published `hours` before now on Hà Nội's clock (as outlets there date them, and
    as the store keeps them); their ids by how long ago."""
    from test_alerts import _ids_from, covid_articles, write

    now = datetime.now(zone(HANOI)).replace(tzinfo=None)
    names = covid_articles()
    folder = tmp_path / "docs"
    for n, ago in enumerate(hours):
        write(folder, names[n], now - timedelta(hours=ago), source=f"bao{n}.example.vn")
    service.ingest([folder])
    return {ago: _ids_from(service, f"bao{n}.example.vn")[0] for n, ago in enumerate(hours)}


def test_an_alert_window_is_measured_on_the_articles_clock_whatever_the_servers_zone(
    service, tmp_path, server_zone
):
    ids = _published_ago(service, tmp_path, [0.5, 6, 7.5])
    service.alerts.add_rule("Covid", "mention", {"query": "covid"}, {"window_hours": 1})
    raised = [service.alerts.get(i) for i in service.alerts.run()]
    seen = {a for alert in raised for a in alert["why"]["articles"]}
    # the last hour, on Hà Nội's clock: the article of half an hour ago, not those of 6 and 7.5
    # hours ago (on a UTC server, a window on the server's clock saw only the one of 7.5 hours)
    assert seen == {ids[0.5]}
    (alert,) = raised
    start, end = alert["window_start"], alert["window_end"]
    assert end - start == timedelta(hours=1)
    assert abs(end - datetime.now(zone(HANOI)).replace(tzinfo=None)) < timedelta(minutes=5)


def test_the_apis_stories_since_an_utc_moment_is_read_on_the_articles_clock(service, tmp_path, server_zone):
    ids = _published_ago(service, tmp_path, [0.5, 6])
    story_of = {ago: service.article(i).story_id for ago, i in ids.items()}
    app = create_app(service.settings)
    with contextlib.closing(app.state.service):
        app.state.service.users.add_user("lan", PASSWORD, "analyst", by="test")
        token = app.state.service.users.create_token("lan", "tests", by="test")
        api = TestClient(app, base_url="https://testserver", headers={"Authorization": f"Bearer {token}"})
        an_hour_ago = (datetime.now(UTC) - timedelta(hours=1)).strftime("%Y-%m-%dT%H:%M:%SZ")
        found = api.get("/api/v1/stories", params={"since": an_hour_ago})
        assert found.status_code == 200, found.text
        listed = {s["id"] for s in found.json()["items"]}
        assert story_of[0.5] in listed
        if story_of[6] != story_of[0.5]:  # a story last seen six hours ago is not of the last hour
            assert story_of[6] not in listed
        in_hanoi = (datetime.now(zone(HANOI)) - timedelta(hours=1)).strftime("%Y-%m-%dT%H:%M:%S")
        assert {
            s["id"] for s in api.get("/api/v1/stories", params={"since": in_hanoi}).json()["items"]
        } == listed


def test_a_user_locked_on_the_stores_clock_is_shown_locked_whatever_the_servers_zone(server_zone):
    from caunoi.app.ui.admin import state_of

    locked = {"disabled": False, "locked_until": utcnow() + timedelta(minutes=10)}  # users keep UTC
    assert state_of(locked) == "locked"
    assert state_of({**locked, "locked_until": utcnow() - timedelta(minutes=1)}) == "active"
