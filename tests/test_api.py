"""The REST API over real HTTP: uvicorn serving create_app on a free port, on both backends, with
demo articles, five users (admin, analyst, two mission officers, a viewer) and their tokens."""

from __future__ import annotations

import base64
import contextlib
import dataclasses
import io
import json
import socket
import time
from collections.abc import Iterator
from dataclasses import dataclass
from datetime import datetime
from typing import Any

import httpx
import pytest
from conftest import BACKENDS, DEMO, backend_settings
from support.app import assert_error, serve

from caunoi.config import Settings
from caunoi.service import Service

PASSWORD = "hai con thỏ chạy quanh hồ"
API = "/api/v1"
ROLES = {
    "admin": ("admin", None),
    "analyst": ("analyst", None),
    "officer_a": ("mission_officer", "DSQ-A"),
    "officer_b": ("mission_officer", "DSQ-B"),
    "viewer": ("viewer", None),
}


@dataclass
class Site:
    url: str
    settings: Settings
    tokens: dict[str, str]
    revoked: str
    session: tuple[str, str]  # the analyst's cookie secret and CSRF token
    case_b: int  # a case assigned to officer_b's mission

    def client(self, who: str | None = None) -> httpx.Client:
        headers = {"Authorization": f"Bearer {self.tokens[who]}"} if who else {}
        return httpx.Client(base_url=self.url + API, headers=headers, timeout=30)


@pytest.fixture(scope="module", params=BACKENDS)
def site(request, tmp_path_factory) -> Iterator[Site]:
    files = sorted((DEMO / "vi-news-unc" / "docs").glob("*.txt"))[::6]
    with contextlib.ExitStack() as stack:
        settings = backend_settings(request.param, tmp_path_factory.mktemp("api"), stack)
        settings = dataclasses.replace(settings, api_rate_per_minute=1_000_000)
        with Service(settings) as service:
            service.ingest(files)
            for code in ("DSQ-A", "DSQ-B"):
                service.units.add(code, f"Mission {code}", by="test", kind="mission")
            tokens = {}
            for name, (role, mission) in ROLES.items():
                service.users.add_user(name, PASSWORD, role, by="test", mission=mission)
                tokens[name] = service.users.create_token(name, "tests", by="test")
            revoked = service.users.create_token("viewer", "old", by="test")
            old = next(t for t in service.users.list_tokens("viewer") if t["name"] == "old")
            service.users.revoke_token(old["id"], by="test")
            analyst = service.users.get("analyst")
            session = service.users.create_session(analyst["id"], ip="127.0.0.1", user_agent="tests")
            case_b = service.cases.open_case("Tin sai về Đại sứ quán", by="analyst").id
            service.cases.assign(case_b, "DSQ-B", "+3d", by="analyst")
        url = stack.enter_context(serve(settings))
        yield Site(url, settings, tokens, revoked, session, case_b)


def test_every_call_needs_a_live_token(site):
    with site.client() as anonymous:
        assert_error(anonymous.get("/search", params={"q": "Việt Nam"}), 401, "unauthorized")
        bad = anonymous.get("/stories", headers={"Authorization": "Bearer cn_not-a-token"})
        assert_error(bad, 401)
        revoked = anonymous.get("/stories", headers={"Authorization": f"Bearer {site.revoked}"})
        assert_error(revoked, 401)
    with site.client("viewer") as viewer:
        assert viewer.get("/stories").status_code == 200


def test_search_pages_with_a_cursor_until_the_end(site):
    params = {"q": "Việt Nam", "lang": "vi", "source": "dantri.com.vn", "from": "2019-01-01", "sort": "date"}
    with site.client("analyst") as api:
        everything = api.get("/search", params={**params, "limit": 1000}).json()
        assert everything["next_cursor"] is None
        expected = [hit["id"] for hit in everything["items"]]
        assert len(expected) > 7
        seen, cursor, pages = [], None, 0
        while True:
            page = api.get("/search", params={**params, "limit": 4, **({"cursor": cursor} if cursor else {})})
            assert page.status_code == 200, page.text
            body = page.json()
            seen += [hit["id"] for hit in body["items"]]
            pages += 1
            cursor = body["next_cursor"]
            if cursor is None:
                break
        assert seen == expected and len(set(seen)) == len(seen)  # no overlap, nothing missed
        assert pages == -(-len(expected) // 4)
        assert_error(api.get("/search", params={**params, "cursor": "not a cursor"}), 400, "bad_cursor")


def test_search_filters_as_the_cli_has_them(site):
    with site.client("analyst") as api:
        by_country = api.get("/search", params={"country": "VN", "limit": 100}).json()["items"]
        assert by_country
        article = api.get(f"/articles/{by_country[0]['id']}").json()
        assert "country:VN" in {e["id"] for e in article["entities"]}
        by_name = api.get("/search", params={"country": "Việt Nam", "limit": 100}).json()["items"]
        assert [h["id"] for h in by_name] == [h["id"] for h in by_country]
        business = api.get("/search", params={"topic": "business", "limit": 100}).json()["items"]
        assert business and all(h["category"] == "business" for h in business)
        dated = api.get("/search", params={"q": "Việt Nam", "to": "2000-01-01"}).json()
        assert dated == {
            "items": [], "next_cursor": None, "total": 0, "total_exact": True, "ranked_among": None,
            "reading": None, "other_readings": [], "facets": None,
        }  # fmt: skip
        assert_error(api.get("/search", params={"country": "Atlantis"}), 400, "bad_filter")
        assert_error(api.get("/search"), 400, "bad_request")  # neither a query nor a filter


@pytest.mark.parametrize(
    "query",
    [
        '"',
        "NEAR(",
        "*",
        "title_f:x",
        "'; DROP TABLE articles; --",
        "Việt AND",
        "(((",
        "a OR",
        "^x",
        "{title_x}",
    ],
)
def test_injection_through_the_query_fails_safely(site, query):
    with site.client("analyst") as api:
        response = api.get("/search", params={"q": query})
        assert response.status_code in (200, 400), response.text
        if response.status_code == 400:
            assert_error(response, 400, "bad_query")
        assert api.get("/search", params={"q": "Việt Nam"}).json()["items"]  # the table is still there


def test_stories_and_their_articles(site):
    with site.client("viewer") as api:
        first = api.get("/stories", params={"limit": 5})
        assert first.status_code == 200
        stories = first.json()
        assert len(stories["items"]) == 5 and stories["next_cursor"]
        second = api.get("/stories", params={"limit": 5, "cursor": stories["next_cursor"]}).json()
        assert not {s["id"] for s in second["items"]} & {s["id"] for s in stories["items"]}
        story = api.get(f"/stories/{stories['items'][0]['id']}").json()
        assert story["items"] and story["timeline"]
        article = api.get(f"/articles/{story['items'][0]['id']}").json()
        assert article["story_id"] == story["id"] and article["reprint_of"] is None
        assert article["text"] and article["enrichment_version"]
        assert_error(api.get("/articles/999999"), 404, "not_found")
        assert_error(api.get("/stories/999999"), 404, "not_found")
        assert api.get("/alerts", params={"state": "new"}).json() == []


def cursor_of(value: Any) -> str:
    """A cursor made by hand, as a client tampering with ours would."""
    return base64.urlsafe_b64encode(json.dumps(value).encode()).decode().rstrip("=")


def test_stories_page_through_every_story_once(site):
    with site.client("viewer") as api:
        for params in ({}, {"since": "2021-04-20", "min_articles": 1}):
            everything = api.get("/stories", params={**params, "limit": 500}).json()
            assert everything["next_cursor"] is None
            expected = [s["id"] for s in everything["items"]]
            assert len(expected) > 7
            seen, cursor, pages = [], None, 0
            while True:
                page = api.get(
                    "/stories", params={**params, "limit": 7, **({"cursor": cursor} if cursor else {})}
                )
                assert page.status_code == 200, page.text
                seen += [s["id"] for s in page.json()["items"]]
                pages += 1
                cursor = page.json()["next_cursor"]
                if cursor is None:
                    break
            assert seen == expected  # same order, no story twice, none missed
            assert pages == -(-len(expected) // 7)
        # a time with an offset means that instant, in the store's local time
        aware = "2021-04-29T08:00:00+07:00"
        local = datetime.fromisoformat(aware).astimezone().replace(tzinfo=None).isoformat()
        with_offset = api.get("/stories", params={"since": aware, "limit": 500}).json()["items"]
        assert with_offset == api.get("/stories", params={"since": local, "limit": 500}).json()["items"]
        search_cursor = api.get("/search", params={"q": "Việt Nam", "limit": 1}).json()["next_cursor"]
        for garbled in (
            "not a cursor",
            "%%%",
            search_cursor,  # a cursor of another list
            cursor_of({"after": [1, "hôm qua", 3]}),
            cursor_of({"after": [1, "2021-04-29T00:00:00", 0]}),
            cursor_of({"after": [1, "2021-04-29T00:00:00+07:00", 3]}),
            cursor_of({"after": [True, "2021-04-29T00:00:00", 3]}),
            cursor_of({"after": [1, "2021-04-29T00:00:00"]}),
            cursor_of([1, 2, 3]),
        ):
            assert_error(api.get("/stories", params={"cursor": garbled}), 400, "bad_cursor")


def test_a_case_from_story_to_answer(site):
    with site.client("viewer") as viewer:
        story_id = viewer.get("/stories", params={"limit": 1}).json()["items"][0]["id"]
    with site.client("analyst") as analyst, site.client("officer_a") as officer:
        opened = analyst.post("/cases", json={"story_id": story_id, "priority": "high"})
        assert opened.status_code == 201, opened.text
        case = opened.json()
        assert case["state"] == "new" and case["story_id"] == story_id and "triage" in case["actions"]
        n = case["id"]
        assert analyst.post(f"/cases/{n}/triage", json={"note": "đáng xử lý"}).json()["state"] == "triaged"
        assigned = analyst.post(f"/cases/{n}/assign", json={"unit": "DSQ-A", "deadline": "+2d"})
        assert assigned.json()["state"] == "assigned" and assigned.json()["unit"] == "DSQ-A"
        assert n in [c["id"] for c in officer.get("/cases").json()]
        assert site.case_b not in [c["id"] for c in officer.get("/cases").json()]
        answer = {
            "kind": "statement",
            "title": "Phát biểu của Người phát ngôn",
            "url": "https://example.org/a",
        }
        answered = officer.post(f"/cases/{n}/answer", json=answer)
        assert answered.status_code == 200, answered.text
        assert answered.json()["state"] == "answered" and answered.json()["responses"]
        assert_error(officer.post(f"/cases/{n}/answer", json=answer), 409, "wrong_state")
        assert_error(officer.post(f"/cases/{n}/assign", json={"unit": "DSQ-A"}), 403)  # headquarters' call
        assert analyst.post(f"/cases/{n}/close", json={"reason": "xong"}).json()["state"] == "closed"
        assert analyst.post(f"/cases/{n}/reopen").json()["state"] == "triaged"
        history = analyst.get(f"/cases/{n}").json()["history"]
        assert [h["action"] for h in history][-2:] == ["close", "reopen"]
        assert_error(analyst.post("/cases", json={"alert_id": 999999}), 404, "not_found")
        assert_error(analyst.post("/cases", json={}), 400)


def test_an_officer_cannot_touch_another_missions_case(site):
    n = site.case_b
    with site.client("officer_a") as officer_a, site.client("admin") as admin:
        before = admin.get(f"/cases/{n}").json()
        assert_error(officer_a.get(f"/cases/{n}"), 403, "forbidden")
        answer = {"kind": "statement", "title": "x", "url": "https://example.org/x"}
        assert_error(officer_a.post(f"/cases/{n}/answer", json=answer), 403)
        assert_error(officer_a.post(f"/cases/{n}/close", json={}), 403)
        assert_error(officer_a.get("/cases", params={"unit": "DSQ-B"}), 403)
        after = admin.get(f"/cases/{n}").json()
        assert after["state"] == before["state"] == "assigned" and after["history"] == before["history"]
    with site.client("officer_b") as officer_b:
        assert officer_b.get(f"/cases/{n}").json()["unit"] == "DSQ-B"


def test_more_responses_on_the_officers_own_missions_case(site):
    statement = {
        "kind": "statement",
        "title": "Phát biểu của Người phát ngôn",
        "url": "https://example.org/a",
    }
    interview = {"kind": "interview", "title": "Đại sứ trả lời phỏng vấn", "url": "https://example.org/b"}
    with site.client("analyst") as analyst, site.client("officer_a") as officer_a:
        n = analyst.post("/cases", json={"title": "Bài viết xuyên tạc về Trường Sa"}).json()["id"]
        analyst.post(f"/cases/{n}/assign", json={"unit": "DSQ-A", "deadline": "+2d"}).raise_for_status()
        assert_error(
            officer_a.post(f"/cases/{n}/respond", json=interview), 409, "wrong_state"
        )  # answer first
        officer_a.post(f"/cases/{n}/answer", json=statement).raise_for_status()
        responded = officer_a.post(f"/cases/{n}/respond", json={**interview, "note": "lần 2"})
        assert responded.status_code == 200, responded.text
        case = responded.json()
        assert case["state"] == "answered"
        assert [r["title"] for r in case["responses"]] == [statement["title"], interview["title"]]
        assert case["history"][-1]["action"] == "respond" and case["history"][-1]["actor"] == "officer_a"
        assert_error(officer_a.post(f"/cases/{n}/respond", json={"kind": "interview"}), 400, "bad_request")
        assert_error(officer_a.post(f"/cases/{n}/respond", json={"fact_sheet_id": 999999}), 404, "not_found")
        assert_error(
            officer_a.post(f"/cases/{n}/respond", json={**interview, "kind": "tweet"}), 422, "invalid"
        )
    with site.client("officer_b") as officer_b, site.client("viewer") as viewer:
        assert_error(officer_b.post(f"/cases/{n}/respond", json=interview), 403, "forbidden")
        assert_error(viewer.post(f"/cases/{n}/respond", json=interview), 403, "forbidden")
        assert_error(officer_b.post(f"/cases/{site.case_b}/respond", json=interview), 409, "wrong_state")
    with site.client("officer_a") as officer_a, site.client("admin") as admin:
        assert_error(officer_a.post(f"/cases/{site.case_b}/respond", json=interview), 403, "forbidden")
        assert len(admin.get(f"/cases/{n}").json()["responses"]) == 2
        assert admin.get(f"/cases/{site.case_b}").json()["responses"] == []


def test_fact_sheets_are_written_by_analysts_and_read_by_everyone(site):
    sheet = {
        "title": "Lập trường của Việt Nam về Biển Đông",
        "body": "Việt Nam có đầy đủ căn cứ pháp lý và bằng chứng lịch sử khẳng định chủ quyền.",
        "kind": "position",
        "tags": ["Biển Đông", "  "],
    }
    with site.client("analyst") as analyst, site.client("viewer") as viewer:
        added = analyst.post("/factsheets", json=sheet)
        assert added.status_code == 201, added.text
        n = added.json()["id"]
        assert added.json()["tags"] == ["Biển Đông"] and added.json()["lang"] == "vi"
        assert [(h["action"], h["actor"]) for h in added.json()["history"]] == [("add", "analyst")]
        shown = viewer.get(f"/factsheets/{n}").json()
        assert shown["body"] == sheet["body"] and shown["kind"] == "position" and shown["stories"] == []
        assert n in [f["id"] for f in viewer.get("/factsheets", params={"q": "bien dong"}).json()]

        new_title = "Lập trường nhất quán của Việt Nam về Biển Đông"
        changed = analyst.patch(f"/factsheets/{n}", json={"title": new_title, "tags": ["Biển Đông", "ASEAN"]})
        assert changed.status_code == 200, changed.text
        assert changed.json()["title"] == new_title and changed.json()["body"] == sheet["body"]
        edit = changed.json()["history"][-1]
        assert edit["action"] == "edit" and edit["actor"] == "analyst"
        assert edit["changes"]["title"] == [sheet["title"], new_title]

        story_id = viewer.get("/stories", params={"limit": 1}).json()["items"][0]["id"]
        linked = analyst.post(f"/factsheets/{n}/stories/{story_id}")
        assert linked.status_code == 201, linked.text
        assert [s["id"] for s in linked.json()["stories"]] == [story_id]
        again = analyst.post(f"/factsheets/{n}/stories/{story_id}")
        assert again.status_code == 200 and len(again.json()["history"]) == len(linked.json()["history"])

        assert_error(viewer.get("/factsheets/999999"), 404, "not_found")
        assert_error(analyst.patch("/factsheets/999999", json={"title": "x"}), 404, "not_found")
        assert_error(analyst.post(f"/factsheets/{n}/stories/999999"), 404, "not_found")
        assert_error(analyst.post(f"/factsheets/999999/stories/{story_id}"), 404, "not_found")

        for bad, field in (
            ({}, "title"),
            ({**sheet, "kind": "rumour"}, "kind"),
            ({**sheet, "title": "   "}, "title"),
            ({**sheet, "lang": "tiếng Việt"}, "lang"),
            ({**sheet, "lang": "vi_VN!"}, "language"),
            ({**sheet, "author": "analyst"}, "author"),
        ):
            error = assert_error(analyst.post("/factsheets", json=bad), 422, "invalid")
            assert field in error["message"], error["message"]
        assert_error(analyst.patch(f"/factsheets/{n}", json={"body": " \n "}), 422, "invalid")
        assert_error(analyst.patch(f"/factsheets/{n}", json={"tags": "Biển Đông"}), 422, "invalid")

    with site.client("viewer") as viewer, site.client("officer_a") as officer:
        before = viewer.get(f"/factsheets/{n}").json()
        for refused in (viewer, officer):  # the library is headquarters' to write
            assert_error(refused.post("/factsheets", json=sheet), 403, "forbidden")
            assert_error(refused.patch(f"/factsheets/{n}", json={"title": "x"}), 403, "forbidden")
            assert_error(refused.post(f"/factsheets/{n}/stories/{story_id}"), 403, "forbidden")
        assert viewer.get(f"/factsheets/{n}").json() == before and before["title"] == new_title


def test_units_and_missions_are_managed_by_administrators_and_read_by_everyone(site):
    """Issue 15, item 1, through the API: an administrator adds, changes, retires and restores a
    mission, each change audited under their name; everyone else reads, and is refused a change."""
    mission = {
        "code": "ĐSQ-FR", "name": "Đại sứ quán Việt Nam tại Pháp", "kind": "mission", "type": "embassy",
        "name_en": "Embassy of Viet Nam in France", "country": "fr", "countries": ["MC", "FR"],
        "city": "Paris", "languages": ["fr"], "website": "https://example.org/fr",
    }  # fmt: skip
    with site.client("admin") as admin, site.client("viewer") as viewer:
        added = admin.post("/units", json=mission)
        assert added.status_code == 201, added.text
        unit = added.json()
        assert (unit["code"], unit["country"], unit["countries"], unit["languages"]) == (
            "ĐSQ-FR", "FR", ["FR", "MC"], ["fr"]
        )  # fmt: skip
        assert unit["retired_at"] is None and unit["created_at"]
        assert viewer.get("/units/đsq-fr").json() == unit  # any case finds it
        codes = lambda **params: [u["code"] for u in viewer.get("/units", params=params).json()]  # noqa: E731
        assert "ĐSQ-FR" in codes(kind="mission") and "ĐSQ-FR" not in codes(kind="unit")
        assert codes(q="dai su quan phap") == ["ĐSQ-FR"] and codes(type="embassy") == ["ĐSQ-FR"]

        changed = admin.patch("/units/ĐSQ-FR", json={"languages": ["fr", "en"], "city": None})
        assert changed.status_code == 200, changed.text
        assert (changed.json()["languages"], changed.json()["city"]) == (["fr", "en"], None)
        assert changed.json()["name"] == mission["name"] and changed.json()["updated_at"]

        retired = admin.post("/units/đsq-fr/retire")
        assert retired.status_code == 200 and retired.json()["retired_at"]
        assert "ĐSQ-FR" not in codes() and "ĐSQ-FR" in codes(retired="true")
        assert viewer.get("/units/ĐSQ-FR").json()["retired_at"]  # retired, still found by its code
        restored = admin.post("/units/ĐSQ-FR/restore")
        assert restored.status_code == 200 and restored.json()["retired_at"] is None

        assert_error(viewer.get("/units/DSQ-XX"), 404, "not_found")
        assert_error(admin.patch("/units/DSQ-XX", json={"city": "Lyon"}), 404, "not_found")
        assert_error(admin.post("/units/DSQ-XX/retire"), 404, "not_found")
        error = assert_error(admin.post("/units", json={**mission, "code": "đsq-fr"}), 409, "conflict")
        assert "already a unit or mission with code đsq-fr" in error["message"]
        for bad, field in (
            ({**mission, "code": "DSQ FR"}, "no spaces"),  # the service's refusals …
            ({**mission, "code": "DSQ-X", "country": "France"}, "ISO 3166"),
            ({**mission, "code": "DSQ-X", "languages": ["français"]}, "ISO 639"),
            ({**mission, "code": "DSQ-X", "website": "ftp://x"}, "http(s)"),
            ({**mission, "code": "DSQ-X", "name": "  "}, "give its name"),
            ({**mission, "code": "DSQ-X", "type": "castle"}, "type"),  # … and the body's
            ({**mission, "code": "DSQ-X", "kind": "department"}, "kind"),
            ({**mission, "code": "DSQ-X", "retired_at": None}, "retired_at"),
            ({"code": "DSQ-X"}, "name"),
        ):
            error = assert_error(admin.post("/units", json=bad), 422, "invalid")
            assert field in error["message"], (bad, error["message"])
        for bad in ({"name": None}, {"kind": None}, {"code": "DSQ-Y"}, {"languages": "fr"}):
            assert_error(admin.patch("/units/ĐSQ-FR", json=bad), 422, "invalid")
        assert "DSQ-X" not in codes(retired="true")

    for who in ("analyst", "officer_a", "viewer"):  # unit.manage is the administrators'
        with site.client(who) as refused:
            assert refused.get("/units").status_code == 200
            assert_error(refused.post("/units", json={**mission, "code": "DSQ-Z"}), 403, "forbidden")
            assert_error(refused.patch("/units/ĐSQ-FR", json={"city": "Lyon"}), 403, "forbidden")
            for action in ("retire", "restore"):
                assert_error(refused.post(f"/units/ĐSQ-FR/{action}"), 403, "forbidden")
    with site.client("admin") as admin:
        assert admin.get("/units/ĐSQ-FR").json() == restored.json()

    with Service(site.settings) as service:  # every change in the audit log, under the admin's name
        history = service.units.history("ĐSQ-FR")
    assert [(h["action"], h["actor"]) for h in history] == [
        ("add", "admin"), ("edit", "admin"), ("retire", "admin"), ("restore", "admin")
    ]  # fmt: skip
    assert history[1]["changes"] == {"languages": [["fr"], ["fr", "en"]], "city": ["Paris", None]}


def test_the_dashboards_figures_through_the_api(site):
    with site.client("viewer") as api:
        answer = api.get("/dashboard", params={"days": 30})
        assert answer.status_code == 200, answer.text
        figures = answer.json()
        assert figures["articles"] == sum(d["articles"] for d in figures["per_day"]) > 0
        assert sum(o["articles"] for o in figures["outlets"]) == figures["articles"]
        assert {"value", "articles"} == set(figures["countries"][0])
        assert all(e["value"] in figures["entity_names"] for e in figures["entities"])
        for days in (0, 367, "x"):
            assert_error(api.get("/dashboard", params={"days": days}), 422, "invalid")
    with site.client(None) as anonymous:
        assert_error(anonymous.get("/dashboard"), 401)


def test_a_viewer_reads_but_cannot_change(site):
    with site.client("viewer") as viewer:
        assert viewer.get("/cases").status_code == 200
        assert_error(viewer.post("/cases", json={"title": "x"}), 403, "forbidden")
        assert_error(viewer.post(f"/cases/{site.case_b}/close", json={}), 403)
        assert_error(viewer.post("/saved-searches", json={"name": "x", "query": "y"}), 403)
        assert_error(viewer.post("/alerts/1/read"), 403)


def test_sources_and_their_health_are_for_administrators(site):
    """As the sources' page: what is fetched from where is the administrators' business."""
    with site.client("admin") as admin:
        assert admin.get("/sources").json() == []
    for who in ("analyst", "officer_a", "viewer"):
        with site.client(who) as api:
            assert_error(api.get("/sources"), 403, "forbidden")


def test_saved_searches(site):
    with site.client("analyst") as api:
        saved = api.post("/saved-searches", json={"name": "biển đông", "query": "Biển Đông", "country": "CN"})
        assert saved.status_code == 201, saved.text
        assert saved.json()["request"]["tags"] == [["country", "CN"]]
        assert "biển đông" in [s["name"] for s in api.get("/saved-searches").json()]
        assert_error(api.post("/saved-searches", json={"name": "x", "entity": "Không Có Ai Cả"}), 400)
        # one's own name again updates it; another user's is taken over only with "replace"
        again = api.post("/saved-searches", json={"name": "biển đông", "query": "Biển Đông"})
        assert again.status_code == 201 and again.json()["id"] == saved.json()["id"]
    with site.client("admin") as admin:
        theirs = {"name": "biển đông", "query": "Trường Sa"}
        assert_error(admin.post("/saved-searches", json=theirs), 409, "conflict")
        replaced = admin.post("/saved-searches", json=theirs | {"replace": True})
        assert replaced.status_code == 201 and replaced.json()["request"]["query"] == "Trường Sa"


@pytest.mark.parametrize("query", ["(biển Đông", "biển OR", "(" * 248 + "biển" + ")" * 248])
def test_a_query_that_cannot_run_is_refused_wherever_it_is_given(site, query):
    """Saved (a rule watching it could never run), searched or exported: 400 bad_query, never a 500."""
    with site.client("analyst") as api:
        assert_error(api.post("/saved-searches", json={"name": "hỏng", "query": query}), 400, "bad_query")
        assert "hỏng" not in [s["name"] for s in api.get("/saved-searches").json()]
        assert_error(api.get("/search", params={"q": query}), 400, "bad_query")
        for fmt in ("csv", "xlsx", "json"):
            assert_error(api.get("/search/export", params={"q": query, "format": fmt}), 400, "bad_query")


def test_a_browser_session_needs_the_csrf_header_to_change_things(site):
    secret, csrf = site.session
    with httpx.Client(base_url=site.url + API, cookies={"caunoi_session": secret}) as browser:
        assert browser.get("/cases").status_code == 200
        assert_error(browser.post("/cases", json={"title": "từ trình duyệt"}), 403)
        made = browser.post("/cases", json={"title": "từ trình duyệt"}, headers={"X-CSRF-Token": csrf})
        assert made.status_code == 201, made.text


def test_bad_requests_get_the_same_json_errors(site):
    with site.client("analyst") as api:
        error = assert_error(api.post("/cases", json={"title": "x", "priority": "bogus"}), 422, "invalid")
        assert "priority" in error["message"]
        assert_error(api.get("/search", params={"q": "x", "limit": 0}), 422)
        assert_error(api.get("/search", params={"q": "x", "from": "hôm qua"}), 422)
        assert_error(api.get("/nowhere"), 404)
        # PostgreSQL text cannot hold a NUL character: refused before it reaches the store
        assert_error(api.get("/cases", params={"unit": "DSQ-A\x00"}), 422, "invalid")
        assert_error(api.get("/factsheets", params={"q": "biển\x00"}), 422, "invalid")
        assert_error(
            api.post("/factsheets", json={"title": "x", "body": "y", "tags": ["\x00"]}), 422, "invalid"
        )
        assert_error(api.post("/cases", json={"title": "\x00"}), 422, "invalid")
        assert_error(
            api.post("/cases", content=b"{not json", headers={"Content-Type": "application/json"}), 422
        )
        big = api.post(
            "/cases", content=b"x" * (2 * 1024 * 1024), headers={"Content-Type": "application/json"}
        )
        assert_error(big, 413, "too_large")


def _post_chunked(url: str, path: str, size: int) -> bytes:
    """POST `size` bytes as a chunked body over a socket: the first bytes of the answer."""
    host, port = url.removeprefix("http://").split(":")
    with socket.create_connection((host, int(port)), timeout=10) as sock:
        sock.sendall(f"POST {path} HTTP/1.1\r\nHost: {host}\r\nTransfer-Encoding: chunked\r\n\r\n".encode())
        for start in range(0, size, 65536):
            piece = b"x" * min(65536, size - start)
            sock.sendall(b"%x\r\n%s\r\n" % (len(piece), piece))
        sock.sendall(b"0\r\n\r\n")
        return sock.recv(100)


def test_a_chunked_body_just_over_the_limit_is_answered_413_at_once(site):
    """A chunked body whose last piece crosses the 1 MiB limit was never answered, and each such
    request kept its megabyte: no login was needed to fill the server's memory."""
    for path in (API + "/cases", "/login"):
        for extra in (1, 10, 4000):
            started = time.monotonic()
            answer = _post_chunked(site.url, path, 1024 * 1024 + extra)
            assert answer.startswith(b"HTTP/1.1 413"), (path, extra, answer)
            assert time.monotonic() - started < 5
        assert _post_chunked(site.url, path, 1024 * 1024)[:12] in (
            b"HTTP/1.1 401",
            b"HTTP/1.1 403",
            b"HTTP/1.1 422",
        )


def test_too_many_requests_are_refused_for_a_while(site):
    slow = dataclasses.replace(site.settings, api_rate_per_minute=20)  # bursts of 5
    with serve(slow) as url, httpx.Client(base_url=url + API, timeout=30) as api:
        headers = {"Authorization": f"Bearer {site.tokens['viewer']}"}
        answers = [api.get("/alerts", headers=headers) for _ in range(6)]
        assert [a.status_code for a in answers[:5]] == [200] * 5
        assert_error(answers[5], 429, "rate_limited")
        assert int(answers[5].headers["Retry-After"]) >= 1
        other = {"Authorization": f"Bearer {site.tokens['analyst']}"}
        assert api.get("/alerts", headers=other).status_code == 200  # each token has its own bucket


def test_the_rate_limit_counts_callers_not_the_text_of_their_headers(site):
    """A new Authorization header at every call (not Bearer, or not a token) is the same caller:
    its address. A token is its own caller, and so is each client behind a trusted proxy; an
    X-Forwarded-For from anyone else is not believed."""

    def junk(n: int) -> dict[str, str]:
        says = (f"Basic {n:040d}", f"Token {n}", f"Bearer not-a-token-{n}", f"Bearer cn_{n}", "x" * n)
        return {"Authorization": says[n % len(says)]}

    slow = dataclasses.replace(site.settings, api_rate_per_minute=20)  # bursts of 5
    with serve(slow) as url, httpx.Client(base_url=url + API, timeout=30) as api:
        answers = [
            api.get("/alerts", headers={**junk(n), "X-Forwarded-For": f"192.0.2.{n}"}) for n in range(6)
        ]
        assert [a.status_code for a in answers] == [401] * 5 + [429]
        assert int(answers[5].headers["Retry-After"]) >= 1
        token = {"Authorization": f"Bearer {site.tokens['viewer']}"}
        assert api.get("/alerts", headers=token).status_code == 200  # the token is not the address
    behind = dataclasses.replace(slow, trusted_proxies="127.0.0.1")
    with serve(behind) as url, httpx.Client(base_url=url + API, timeout=30) as api:
        office = {"X-Forwarded-For": "198.51.100.7, 203.0.113.5"}  # what the proxy appended counts
        answers = [api.get("/alerts", headers={**office, **junk(n)}) for n in range(6)]
        assert [a.status_code for a in answers] == [401] * 5 + [429]
        other = {"X-Forwarded-For": "198.51.100.7, 203.0.113.6"}
        assert api.get("/alerts", headers=other).status_code == 401  # another client: its own bucket


def test_exports(site):
    params = {"q": "Việt Nam", "sort": "date"}
    with site.client("viewer") as api:
        found = api.get("/search", params={**params, "limit": 1000}).json()["items"]
        as_csv = api.get("/search/export", params={**params, "format": "csv"})
        assert as_csv.status_code == 200
        assert as_csv.headers["content-disposition"].startswith("attachment;")
        assert as_csv.content.startswith(b"\xef\xbb\xbf")
        text = as_csv.content.decode("utf-8-sig")
        assert text.splitlines()[0].startswith("id,published,lang,source")
        assert found[0]["title"] in text and "Việt Nam" in text
        as_json = api.get("/search/export", params={**params, "format": "json"}).json()
        assert [row["id"] for row in as_json] == [hit["id"] for hit in found]
        as_xlsx = api.get("/search/export", params={**params, "format": "xlsx"})
        from openpyxl import load_workbook

        rows = list(load_workbook(io.BytesIO(as_xlsx.content)).active.iter_rows(values_only=True))
        assert rows[0][:3] == ("id", "published", "lang") and len(rows) == len(found) + 1
        assert rows[1][5] == found[0]["title"]
        # with what enrichment found in each: tone, and topics, entities and countries
        assert rows[0][8:12] == ("tone", "topics", "entities", "countries")
        assert any(row[11] and "VN" in row[11].split("; ") for row in rows[1:])
        assert {"tone", "topics", "entities", "countries"} <= as_json[0].keys()
        assert_error(api.get("/search/export", params={**params, "format": "pdf"}), 422)


def test_exports_of_text_with_control_characters(site):
    """A demo article holds a backspace (\x08) that XLSX cannot store: every format still exports it,
    the spreadsheets without the character, JSON as it is."""
    params = {"q": '"bậc lương thông thường"'}
    with site.client("viewer") as api:
        found = api.get("/search", params=params).json()["items"]
        assert len(found) == 1 and "\x08" in found[0]["snippet"]
        as_xlsx = api.get("/search/export", params={**params, "format": "xlsx"})
        assert as_xlsx.status_code == 200, as_xlsx.text
        from openpyxl import load_workbook

        rows = list(load_workbook(io.BytesIO(as_xlsx.content)).active.iter_rows(values_only=True))
        assert len(rows) == 2 and rows[1][0] == found[0]["id"]
        assert rows[1][rows[0].index("snippet")] == found[0]["snippet"].replace("\x08", "")
        as_csv = api.get("/search/export", params={**params, "format": "csv"}).content.decode("utf-8-sig")
        assert found[0]["snippet"].replace("\x08", "") in as_csv and "\x08" not in as_csv
        as_json = api.get("/search/export", params={**params, "format": "json"}).json()
        assert as_json[0]["snippet"] == found[0]["snippet"]


def test_swagger_ui_works_offline(site):
    with httpx.Client(base_url=site.url, timeout=30) as browser:  # the schema is built on first ask
        page = browser.get("/docs")
        assert page.status_code == 200
        assert "http://" not in page.text and "https://" not in page.text and "//cdn" not in page.text
        assert "/static/swagger/swagger-ui-bundle.js" in page.text
        assert browser.get("/static/swagger/swagger-ui-bundle.js").status_code == 200
        schema = browser.get(API + "/openapi.json").json()
        assert "/api/v1/search" in schema["paths"] and "bearer" in schema["components"]["securitySchemes"]


def assert_safe_headers(response: httpx.Response) -> None:
    """The headers every response of the app carries, its pages' and its API's alike."""
    where = f"{response.request.method} {response.request.url.path}: {response.status_code}"
    assert response.headers["x-content-type-options"] == "nosniff", where
    assert response.headers["x-frame-options"] == "DENY", where
    assert response.headers["referrer-policy"] == "same-origin", where
    policy = response.headers["content-security-policy"]
    assert "frame-ancestors 'none'" in policy and "unsafe-eval" not in policy, where
    if response.headers["content-type"].startswith("text/html"):
        assert "script-src 'self';" in policy, where
    else:
        assert policy.startswith("default-src 'none'"), where


def test_the_api_and_its_docs_carry_the_pages_security_headers(site):
    with httpx.Client(base_url=site.url) as browser:
        docs = browser.get("/docs")
        assert_safe_headers(docs)
        assert "<script>" not in docs.text  # no inline script: the policy would stop it
        assert_safe_headers(browser.get("/static/js/swagger-init.js"))
        assert_safe_headers(browser.get(API + "/openapi.json"))
        assert_safe_headers(browser.get(API + "/stories"))  # 401
    with site.client("analyst") as api:
        answers = [
            api.get("/stories"), api.get("/search", params={"q": "Việt Nam"}), api.get("/nowhere"),
            api.get("/search/export", params={"q": "Việt Nam", "format": "xlsx"}),
            api.get("/search", params={"q": "(x"}), api.post("/cases", json={"title": "x", "priority": "?"}),
            api.post("/cases", content=b"x" * (2 << 20), headers={"Content-Type": "application/json"}),
        ]  # fmt: skip
        assert [a.status_code for a in answers] == [200, 200, 404, 200, 400, 422, 413]
        for answer in answers:
            assert_safe_headers(answer)
        assert answers[0].headers["cache-control"] == "no-store"


def test_schemathesis_finds_no_server_errors(site):
    """Requests generated from the OpenAPI schema, a few per GET operation, never get a 5xx."""
    schemathesis = pytest.importorskip("schemathesis", reason="schemathesis is absent: pip install -e .[dev]")
    from hypothesis import HealthCheck, Phase, given
    from hypothesis import settings as examples

    schema = schemathesis.openapi.from_url(site.url + API + "/openapi.json").include(method="GET")
    auth = {"Authorization": f"Bearer {site.tokens['analyst']}"}
    checked = []
    for result in schema.get_all_operations():
        operation = result.ok()

        @given(case=operation.as_strategy())
        @examples(
            max_examples=8, deadline=None, phases=[Phase.generate], suppress_health_check=list(HealthCheck)
        )
        def no_server_error(case) -> None:
            response = case.call(base_url=site.url, headers=auth)
            assert response.status_code < 500, f"{case.method} {case.formatted_path}: {response.text[:300]}"
            if response.status_code >= 400:
                assert response.json()["error"]["status"] == response.status_code

        no_server_error()
        checked.append(operation.path)
    assert "/api/v1/search" in checked and len(checked) >= 10
