"""Administration from the browser and the API, on both backends: an administrator adds a user (a
password generated and shown once), changes a role, disables, enables, unlocks after failed logins,
resets a password and makes and revokes API tokens; each change is in the audit log under their
name; an analyst is refused (a refusal page, a 403 from the API), and a form without its CSRF token
changes nothing."""

from __future__ import annotations

import contextlib
import dataclasses
import re
from typing import Any

import pytest
from conftest import BACKENDS, backend_settings
from fastapi.testclient import TestClient
from sqlalchemy import select
from support.app import Site, csrf_of, log_in
from support.dns import fake_dns
from support.mail import Mailbox, smtp_server

from caunoi.app import create_app
from caunoi.ingest.sources import make_spec
from caunoi.store.schema import articles, audit_log
from caunoi.users import MAX_FAILURES

PASSWORD = "một câu mật khẩu dài 2024"
ROLES = {
    "admin": ("admin", None),
    "lan": ("analyst", None),
    "xem": ("viewer", None),
}
API = "/api/v1"


@pytest.fixture(scope="module", params=BACKENDS)
def site(request, tmp_path_factory):
    with contextlib.ExitStack() as stack:
        settings = backend_settings(request.param, tmp_path_factory.mktemp("store"), stack)
        # the module's clients share a few tokens: the API's rate limit is not what is tested here
        app = create_app(dataclasses.replace(settings, api_rate_per_minute=100_000))
        service = app.state.service
        stack.callback(service.close)
        service.units.add("DSQ-PARIS", "ĐSQ tại Pháp", kind="mission", country="FR", by="test")
        for username, (role, mission) in ROLES.items():
            service.users.add_user(username, PASSWORD, role, mission=mission, by="test")
        tokens = {name: service.users.create_token(name, "tests", by="test") for name in ("admin", "lan")}
        yield _with_tokens(app, service, tokens)


def _with_tokens(app: Any, service: Any, tokens: dict[str, str]) -> Site:
    site = Site(app, service, {}, PASSWORD)
    site.tokens = tokens  # type: ignore[attr-defined]
    return site


def audited(site: Site, entity: str, action: str) -> list[dict[str, Any]]:
    """The audit log's rows of this entity and action, oldest first."""
    return _audit_rows(site, audit_log.c.entity == entity, audit_log.c.action == action)


def audited_entity(site: Site, entity: str, entity_id: int) -> list[dict[str, Any]]:
    """The audit log's rows of one entity, oldest first."""
    return _audit_rows(site, audit_log.c.entity == entity, audit_log.c.entity_id == str(entity_id))


def _audit_rows(site: Site, *where: Any) -> list[dict[str, Any]]:
    with site.service.engine.connect() as conn:
        query = select(audit_log).where(*where).order_by(audit_log.c.id)
        return [dict(r) for r in conn.execute(query).mappings()]


def api(site: Site, username: str) -> TestClient:
    """An API client with `username`'s token."""
    client = TestClient(site.app, base_url="https://testserver")
    client.headers["Authorization"] = f"Bearer {site.tokens[username]}"  # type: ignore[attr-defined]
    return client


def post(browser: TestClient, path: str, form: dict[str, str] | None = None, page: str = "/admin/users"):
    """A form posted as the page `page` posts it, with its CSRF token."""
    token = csrf_of(browser.get(page).text)
    return browser.post(path, data={**(form or {}), "csrf_token": token}, follow_redirects=False)


# -- users ------------------------------------------------------------------------------------------


def test_only_an_admin_sees_the_administration_entry_and_its_sections(site):
    page = site.client("admin").get("/").text
    assert 'href="/admin"' in page
    admin = site.client("admin").get("/admin")
    assert admin.status_code == 200
    for href in ("/admin/users", "/units", "/admin/alerts"):
        assert f'href="{href}"' in admin.text
    assert 'href="/admin"' not in site.client("lan").get("/").text


def test_an_admin_adds_a_user_with_a_generated_password_shown_once_who_can_then_log_in(site):
    browser = site.client("admin")
    answer = post(browser, "/admin/users", {"username": "Hoa", "display_name": "Phạm Thị Hoa",
                                            "role": "analyst", "lang": "en"})  # fmt: skip
    assert answer.status_code == 200
    password = re.search(r'id="new-password">([^<]+)<', answer.text)[1]
    assert len(password) >= 12
    assert password not in browser.get("/admin/users").text  # shown once, not again
    assert 'href="/admin/users/hoa"' in browser.get("/admin/users").text
    (row,) = [r for r in audited(site, "user", "add") if r["changes"]["username"][1] == "hoa"]
    assert row["actor"] == "admin" and password not in str(row["changes"])
    assert log_in(TestClient(site.app, base_url="https://testserver"), "hoa", password).status_code == 303


def test_an_admin_adds_a_user_with_a_password_typed_and_is_told_a_refusal_in_the_page_language(site):
    browser = site.client("admin")
    form = {"username": "khanh", "role": "mission_officer", "password": PASSWORD + " khác"}
    answer = post(browser, "/admin/users", form)
    assert answer.status_code == 400 and "cần được gắn với một cơ quan đại diện" in answer.text
    assert 'value="khanh"' in answer.text and PASSWORD not in answer.text  # kept, but not the password
    answer = post(browser, "/admin/users", {**form, "mission": "DSQ-PARIS", "password": "ngắn"})
    assert answer.status_code == 400 and "Mật khẩu quá ngắn" in answer.text
    answer = post(browser, "/admin/users", {**form, "mission": "DSQ-PARIS"})
    assert (answer.status_code, answer.headers["location"]) == (303, "/admin/users/khanh")
    assert site.service.users.get("khanh")["mission"] == "DSQ-PARIS"


def test_an_admin_changes_a_role_disables_enables_and_it_is_audited(site):
    site.service.users.add_user("tuan", PASSWORD + " t", "viewer", by="test")
    browser = site.client("admin")
    page = "/admin/users/tuan"
    assert post(browser, f"{page}/role", {"role": "analyst"}, page).status_code == 303
    assert site.service.users.get("tuan")["role"] == "analyst"
    assert post(browser, f"{page}/disable", page=page).status_code == 303
    assert site.service.users.get("tuan")["disabled"] is True
    assert (
        log_in(TestClient(site.app, base_url="https://testserver"), "tuan", PASSWORD + " t").status_code
        == 401
    )
    assert post(browser, f"{page}/enable", page=page).status_code == 303
    assert site.service.users.get("tuan")["disabled"] is False
    shown = browser.get(page).text
    for said in ("Đổi vai trò", "Vô hiệu hoá", "Kích hoạt lại"):
        assert said in shown  # the history, in Vietnamese
    tuan = str(site.service.users.get("tuan")["id"])
    for action in ("role", "disable", "enable"):
        assert [r["actor"] for r in audited(site, "user", action) if r["entity_id"] == tuan] == ["admin"]
    # the last admin keeps their role: the refusal is said on the page
    answer = post(browser, "/admin/users/admin/role", {"role": "viewer"}, "/admin/users/admin")
    assert answer.status_code == 400 and "quản trị viên cuối cùng" in answer.text


def test_an_admin_unlocks_a_user_locked_after_wrong_passwords(site):
    site.service.users.add_user("quang", PASSWORD + " q", "viewer", by="test")
    for _ in range(MAX_FAILURES):
        with contextlib.suppress(Exception):
            site.service.users.authenticate("quang", "đoán sai mãi", ip="192.0.2.50")
    assert site.service.users.get("quang")["locked_until"] is not None
    browser = site.client("admin")
    page = browser.get("/admin/users/quang").text
    assert "Bị khoá đến" in page and 'action="/admin/users/quang/unlock"' in page
    assert post(browser, "/admin/users/quang/unlock", page="/admin/users/quang").status_code == 303
    assert site.service.users.get("quang")["locked_until"] is None
    (row,) = [r for r in audited(site, "user", "unlock") if r["actor"] == "admin"]
    assert row["changes"]["locked_until"][1] is None
    browser = TestClient(site.app, base_url="https://testserver", client=("192.0.2.50", 5000))
    assert log_in(browser, "quang", PASSWORD + " q").status_code == 303


def test_an_admin_resets_a_password_and_makes_and_revokes_a_token(site):
    site.service.users.add_user("my", PASSWORD + " m", "analyst", by="test")
    browser = site.client("admin")
    page = "/admin/users/my"
    answer = post(browser, f"{page}/password", page=page)
    password = re.search(r'id="new-password">([^<]+)<', answer.text)[1]
    assert log_in(TestClient(site.app, base_url="https://testserver"), "my", password).status_code == 303
    assert [r["actor"] for r in audited(site, "user", "password")][-1] == "admin"

    answer = post(browser, f"{page}/tokens", {"name": "báo cáo tuần", "expires_days": "30"}, page)
    token = re.search(r'id="new-token">(cn_[^<]+)<', answer.text)[1]
    client = TestClient(site.app, base_url="https://testserver", headers={"Authorization": f"Bearer {token}"})
    assert client.get(f"{API}/alerts").status_code == 200
    assert token not in browser.get(page).text  # shown once
    (made,) = site.service.users.list_tokens("my")
    assert post(browser, f"{page}/tokens/{made['id']}/revoke", page=page).status_code == 303
    assert client.get(f"{API}/alerts").status_code == 401
    assert [r["actor"] for r in audited(site, "token", "revoke") if r["entity_id"] == str(made["id"])] == [
        "admin"
    ]
    # another user's token is not revoked through this user's page
    assert post(browser, f"/admin/users/lan/tokens/{made['id']}/revoke", page=page).status_code == 404


def test_an_analyst_is_refused_on_the_pages_and_by_the_api(site):
    browser = site.client("lan")
    for path in ("/admin", "/admin/users", "/admin/users/admin"):
        answer = browser.get(path)
        assert answer.status_code == 403 and "Không có quyền" in answer.text, path
    token = csrf_of(browser.get("/").text)
    form = {"username": "ke.gian", "role": "admin", "csrf_token": token}
    assert browser.post("/admin/users", data=form).status_code == 403
    assert (
        browser.post("/admin/users/lan/role", data={"role": "admin", "csrf_token": token}).status_code == 403
    )
    client = api(site, "lan")
    assert client.get(f"{API}/users").status_code == 403
    answer = client.post(f"{API}/users", json={"username": "ke.gian", "role": "admin"})
    assert answer.status_code == 403 and answer.json()["error"]["code"] == "forbidden"
    assert client.post(f"{API}/users/lan/role", json={"role": "admin"}).status_code == 403
    assert site.service.users.get("lan")["role"] == "analyst"
    assert "ke.gian" not in {u["username"] for u in site.service.users.list_users()}


def test_a_form_without_its_csrf_token_changes_nothing(site):
    browser = site.client("admin")
    for path, form in (
        ("/admin/users", {"username": "khong.token", "role": "viewer"}),
        ("/admin/users/xem/role", {"role": "admin"}),
        ("/admin/users/xem/disable", {}),
        ("/admin/users/xem/password", {"password": PASSWORD + " mới"}),
        ("/admin/users/xem/tokens", {"name": "x"}),
    ):
        assert browser.post(path, data=form).status_code == 403, path
        assert browser.post(path, data={**form, "csrf_token": "sai"}).status_code == 403, path
    xem = site.service.users.get("xem")
    assert (xem["role"], xem["disabled"]) == ("viewer", False)
    assert not site.service.users.list_tokens("xem")
    # the API through the session cookie needs the CSRF header too
    assert browser.post(f"{API}/users/xem/disable").status_code == 403


def test_the_api_does_what_the_pages_do_under_the_callers_name(site):
    client = api(site, "admin")
    answer = client.post(f"{API}/users", json={"username": "api.user", "role": "viewer"})
    assert answer.status_code == 201, answer.text
    added = answer.json()
    assert added["username"] == "api.user" and len(added["password"]) >= 12
    assert "password_hash" not in added
    answer = client.post(f"{API}/users", json={"username": "api.user", "role": "viewer"})
    assert answer.status_code == 422 and answer.json()["error"]["code"] == "invalid"
    assert client.post(f"{API}/users/api.user/role", json={"role": "analyst"}).json()["role"] == "analyst"
    assert client.post(f"{API}/users/api.user/disable").json()["disabled"] is True
    assert client.post(f"{API}/users/api.user/enable").json()["disabled"] is False
    assert client.post(f"{API}/users/api.user/unlock").json()["locked_until"] is None
    reset = client.post(f"{API}/users/api.user/password", json={}).json()
    assert len(reset["password"]) >= 12 and reset["ended"] == {"sessions": 0, "tokens": 0}
    typed = client.post(f"{API}/users/api.user/password", json={"password": PASSWORD + " api"}).json()
    assert typed["password"] is None
    made = client.post(f"{API}/users/api.user/tokens", json={"name": "script"})
    assert made.status_code == 201 and made.json()["token"].startswith("cn_")
    listed = client.get(f"{API}/users/api.user/tokens").json()
    assert [t["id"] for t in listed] == [made.json()["id"]] and "token" not in listed[0]
    revoked = client.post(f"{API}/tokens/{made.json()['id']}/revoke").json()
    assert revoked["revoked_at"] is not None
    assert client.post(f"{API}/tokens/{made.json()['id']}/revoke").status_code == 422
    assert client.get(f"{API}/users/nobody").status_code == 404
    history = client.get(f"{API}/users/api.user/history").json()
    assert [h["action"] for h in history] == ["add", "role", "disable", "enable", "password", "password"]
    assert {h["actor"] for h in history} == {"admin"}
    assert "api.user" in {u["username"] for u in client.get(f"{API}/users").json()}


# -- alert rules and channels -----------------------------------------------------------------------

HOOKS = {"hooks.bo.example.vn": ["93.184.216.34"], "noi-bo.example.vn": ["10.0.0.7"],
         "may-chu.example.vn": ["169.254.169.254"]}  # fmt: skip


@pytest.fixture
def guarded(site):
    """The channels' SSRF guard asks a fake DNS: no lookup leaves this machine."""
    site.service.alerts.resolver = fake_dns(HOOKS)
    yield site
    site.service.alerts.resolver = None


def test_an_admin_adds_edits_switches_and_removes_a_rule_and_each_change_is_audited(guarded):
    site = guarded
    browser = site.client("admin")
    page = "/admin/alerts"
    channel = {"name": "truc-ban", "kind": "email", "target": "truc-ban@bo.example.vn"}
    assert post(browser, f"{page}/channels", channel, page).status_code == 303
    form = {"name": "Biển Đông tăng", "kind": "volume_spike", "query": '"biển đông"', "min_count": "5",
            "z": "2,5", "severity": "high", "channel:truc-ban": "1"}  # fmt: skip
    assert post(browser, f"{page}/rules", form, page).status_code == 303
    (rule,) = [r for r in site.service.alerts.rules() if r["name"] == "Biển Đông tăng"]
    assert (rule["params"], rule["channels"], rule["severity"]) == (
        {"min_count": 5, "z": 2.5},
        ["truc-ban"],
        "high",
    )
    listed = browser.get(page).text
    assert "Biển Đông tăng" in listed and "Số bài tăng đột biến" in listed
    answer = post(browser, f"{page}/rules", {**form, "name": "Hỏng", "min_count": "năm"}, page)
    assert answer.status_code == 400 and "không phải một con số" in answer.text

    edit = f"{page}/rules/{rule['id']}"
    assert 'value="5"' in browser.get(edit).text  # the form shows the rule
    changed = {**form, "min_count": "8", "severity": "low"}
    del changed["channel:truc-ban"]
    assert post(browser, edit, changed, edit).status_code == 303
    rule = site.service.alerts.rule(rule["id"])
    assert (rule["params"]["min_count"], rule["severity"], rule["channels"]) == (8, "low", [])
    for action in ("disable", "enable", "remove"):
        assert post(browser, f"{edit}/{action}", page=page).status_code == 303
    assert "Biển Đông tăng" not in {r["name"] for r in site.service.alerts.rules()}
    done = [(r["action"], r["actor"]) for r in audited_entity(site, "alert_rule", rule["id"])]
    assert done == [("add", "admin"), ("edit", "admin"), ("disable", "admin"), ("enable", "admin"),
                    ("remove", "admin")]  # fmt: skip
    (edited,) = audited(site, "alert_rule", "edit")[-1:]
    assert edited["changes"]["severity"] == ["high", "low"]


def test_a_webhook_at_a_private_address_is_refused_when_added_on_the_page_and_by_the_api(guarded):
    site = guarded
    browser = site.client("admin")
    page = "/admin/alerts"
    hook = {"kind": "webhook", "secret": "bí-mật-chung"}
    answer = post(
        browser, f"{page}/channels", {**hook, "name": "noi-bo", "target": "https://noi-bo.example.vn/h"}, page
    )
    assert answer.status_code == 400 and "bị từ chối" in answer.text and "10.0.0.7" in answer.text
    answer = post(browser, f"{page}/channels", {**hook, "name": "lo", "target": "http://127.0.0.1:9/h"}, page)
    assert answer.status_code == 400
    client = api(site, "admin")
    body = {"name": "noi-bo", "kind": "webhook", "target": "https://noi-bo.example.vn/h", "secret": "k"}
    answer = client.post(f"{API}/channels", json=body)
    assert answer.status_code == 422 and "10.0.0.7" in answer.json()["error"]["message"]
    metadata = {**body, "name": "meta", "target": "https://may-chu.example.vn/", "allow_private": True}
    assert client.post(f"{API}/channels", json=metadata).status_code == 422  # never, even when marked
    assert {"noi-bo", "lo", "meta"}.isdisjoint(c["name"] for c in site.service.alerts.channels())
    # marked as on the local network, it is taken; a public one always
    assert client.post(f"{API}/channels", json={**body, "allow_private": True}).status_code == 201
    public = {**body, "name": "he-thong", "target": "https://hooks.bo.example.vn/caunoi"}
    made = client.post(f"{API}/channels", json=public)
    assert made.status_code == 201 and made.json()["secret"] == "…"
    # changed to a private address without the mark: refused too
    moved = client.put(f"{API}/channels/{made.json()['id']}", json={"target": "https://noi-bo.example.vn/x"})
    assert moved.status_code == 422
    (added,) = [r for r in audited(site, "channel", "add") if r["changes"]["name"][1] == "he-thong"]
    assert added["changes"]["secret"] == [None, "set"] and "k" not in str(added["changes"]["secret"])


def test_a_test_notification_is_sent_to_a_channel_and_a_used_channel_is_not_removed(site):
    mailbox = Mailbox()
    browser = site.client("admin")
    page = "/admin/alerts"
    with smtp_server(mailbox) as smtp:
        site.service.alerts.settings = dataclasses.replace(
            site.service.settings, smtp_host="127.0.0.1", smtp_port=smtp.port, smtp_security="none"
        )
        try:
            site.service.alerts.add_channel("thu-nghiem", "email", "thu-nghiem@bo.example.vn", by="test")
            (channel,) = [c for c in site.service.alerts.channels() if c["name"] == "thu-nghiem"]
            answer = post(browser, f"{page}/channels/{channel['id']}/test", page=page)
            assert answer.status_code == 200 and "đã gửi" in answer.text
            sent = api(site, "admin").post(f"{API}/channels/{channel['id']}/test")
            assert sent.status_code == 200 and sent.json()["ok"] is True
        finally:
            site.service.alerts.settings = site.service.settings
    assert [m.rcpt_tos for m in mailbox.received] == [["thu-nghiem@bo.example.vn"]] * 2
    assert [r["actor"] for r in audited_entity(site, "channel", channel["id"]) if r["action"] == "test"] == [
        "admin"
    ] * 2
    site.service.alerts.add_rule(
        "Dùng kênh", "mention", {"query": "ASEAN"}, channel_names=["thu-nghiem"], by="test"
    )
    answer = post(browser, f"{page}/channels/{channel['id']}/remove", page=page)
    assert answer.status_code == 400 and "Dùng kênh" in answer.text
    site.service.alerts.set_rule("Dùng kênh", remove=True, by="test")
    assert post(browser, f"{page}/channels/{channel['id']}/remove", page=page).status_code == 303
    assert "thu-nghiem" not in {c["name"] for c in site.service.alerts.channels()}
    assert audited_entity(site, "channel", channel["id"])[-1]["action"] == "remove"


def test_a_viewer_is_refused_rules_and_channels_and_an_analyst_manages_them_as_the_role_table_says(site):
    viewer = site.client("xem")
    assert viewer.get("/admin/alerts").status_code == 403
    token = csrf_of(viewer.get("/").text)
    assert viewer.post("/admin/alerts/rules", data={"name": "x", "kind": "mention", "query": "x",
                                                    "csrf_token": token}).status_code == 403  # fmt: skip
    analyst = site.client("lan")
    assert analyst.get("/admin/alerts").status_code == 200  # alert.manage: admins and analysts
    assert 'href="/admin/alerts"' in analyst.get("/alerts").text
    assert api(site, "lan").get(f"{API}/rules").status_code == 200


def test_rule_and_channel_forms_need_their_csrf_token(site):
    browser = site.client("admin")
    site.service.alerts.add_rule("Giữ nguyên", "mention", {"query": "ASEAN"}, by="test")
    (rule,) = [r for r in site.service.alerts.rules() if r["name"] == "Giữ nguyên"]
    for path, form in (
        ("/admin/alerts/rules", {"name": "x", "kind": "mention", "query": "x"}),
        (f"/admin/alerts/rules/{rule['id']}", {"kind": "mention", "query": "khác"}),
        (f"/admin/alerts/rules/{rule['id']}/remove", {}),
        ("/admin/alerts/channels", {"name": "x", "kind": "email", "target": "x@bo.example.vn"}),
    ):
        assert browser.post(path, data=form).status_code == 403, path
    assert site.service.alerts.rule(rule["id"])["scope"] == {"query": "ASEAN"}
    assert "x" not in {r["name"] for r in site.service.alerts.rules()}


def test_the_api_manages_rules_as_the_page_does(site):
    client = api(site, "admin")
    body = {"name": "API Biển Đông", "kind": "volume_spike", "scope": {"query": '"biển đông"'},
            "params": {"min_count": 4}, "severity": "medium"}  # fmt: skip
    made = client.post(f"{API}/rules", json=body)
    assert made.status_code == 201, made.text
    rule_id = made.json()["id"]
    assert made.json()["params"] == {"min_count": 4} and made.json()["created_by"] == "admin"
    assert client.post(f"{API}/rules", json=body).status_code == 422  # the name is taken
    assert client.post(f"{API}/rules", json={**body, "name": "x", "kind": "nope"}).status_code == 422
    changed = client.put(f"{API}/rules/{rule_id}", json={"kind": "volume_spike", "scope": {"query": "ASEAN"},
                                                         "severity": "high"})  # fmt: skip
    assert changed.json()["scope"] == {"query": "ASEAN"} and changed.json()["severity"] == "high"
    assert client.post(f"{API}/rules/{rule_id}/disable").json()["enabled"] is False
    assert client.post(f"{API}/rules/{rule_id}/enable").json()["enabled"] is True
    assert client.delete(f"{API}/rules/{rule_id}").status_code == 204
    assert client.get(f"{API}/rules/{rule_id}/enable").status_code in (404, 405)
    assert client.post(f"{API}/rules/{rule_id}/enable").status_code == 404
    done = [r["action"] for r in audited_entity(site, "alert_rule", rule_id)]
    assert done == ["add", "edit", "disable", "enable", "remove"]
    assert api(site, "lan").post(f"{API}/rules", json={**body, "name": "lan"}).status_code == 201
    viewer = TestClient(site.app, base_url="https://testserver")
    viewer.headers["Authorization"] = f"Bearer {site.service.users.create_token('xem', 'x', by='test')}"
    assert viewer.get(f"{API}/rules").status_code == 403
    assert (
        viewer.post(f"{API}/channels", json={"name": "v", "kind": "email", "target": "v@x.vn"}).status_code
        == 403
    )


# -- sources ----------------------------------------------------------------------------------------


def test_an_admin_adds_edits_and_switches_a_source_and_an_analyst_may_not(site):
    browser = site.client("admin")
    page = "/admin/sources"
    form = {"name": "Báo Mẫu", "home": "https://baomau.example.vn/", "feeds": "https://baomau.example.vn/rss\n/tin-moi.rss",
            "domains": "baomau.example.vn", "country": "vn", "languages": "vi", "origin": "domestic",
            "poll_minutes": "45"}  # fmt: skip
    answer = post(browser, page, form, page)
    assert answer.status_code == 303
    source = site.service.sources.get("Báo Mẫu")
    assert answer.headers["location"] == f"{page}/{source.id}"
    assert (source.country, source.poll_minutes, source.origin) == ("VN", 45, "domestic")
    assert source.feeds == ["https://baomau.example.vn/rss", "https://baomau.example.vn/tin-moi.rss"]
    assert post(browser, page, form, page).status_code == 400  # the name is taken: edit it instead
    refused = post(
        browser, page, {**form, "name": "Nội bộ", "home": "http://10.1.2.3/", "feeds": "/rss"}, page
    )
    assert refused.status_code == 400 and "mạng nội bộ" in refused.text

    edit = f"{page}/{source.id}"
    assert "tin-moi.rss" in browser.get(edit).text
    changed = {**form, "poll_minutes": "90", "origin": "foreign", "country": "FR", "languages": "fr, vi"}
    assert post(browser, edit, changed, edit).status_code == 303
    source = site.service.sources.get(source.id)
    assert (source.poll_minutes, source.origin, source.country, source.languages) == (
        90,
        "foreign",
        "FR",
        ["fr", "vi"],
    )
    assert post(browser, edit, {**changed, "poll_minutes": "0"}, edit).status_code == 400
    assert post(browser, f"{edit}/disable", page=edit).status_code == 303
    assert site.service.sources.get(source.id).enabled is False
    assert post(browser, f"{edit}/enable", page=edit).status_code == 303
    assert site.service.sources.get(source.id).enabled is True
    assert 'href="/admin/sources/' in browser.get(page).text

    analyst = site.client("lan")
    assert analyst.get(page).status_code == 403 and analyst.get(edit).status_code == 403
    token = csrf_of(analyst.get("/").text)
    assert analyst.post(f"{edit}/disable", data={"csrf_token": token}).status_code == 403
    assert browser.post(f"{edit}/disable", data={}).status_code == 403  # no CSRF token
    assert site.service.sources.get(source.id).enabled is True


def _source_with_articles(site: Site, tmp_path, name: str, domain: str, n: int = 2) -> int:
    """A source registered for `domain`, and `n` articles of it stored; its id."""
    source_id, _ = site.service.sources.add(
        make_spec({"name": name, "home": f"https://{domain}/", "feeds": ["/rss"], "domains": [domain]}),
        by="test",
    )
    folder = tmp_path / domain
    folder.mkdir()
    for i in range(n):
        (folder / f"{i}.txt").write_text(
            f"# url = https://{domain}/bai-{i}.htm\n# date = 2026-12-01T08:0{i}\nBài số {i} về {name}\n"
            f"Nội dung bài số {i} của {name}, một bài báo để thử việc xoá nguồn tin.\n",
            encoding="utf-8",
        )
    site.service.ingest([folder])
    return source_id


def _articles_of(site: Site, name: str) -> int:
    with site.service.engine.connect() as conn:
        return len(conn.execute(select(articles.c.id).where(articles.c.source == name)).all())


def test_an_admin_removes_a_source_after_a_page_that_says_its_articles_stay(site, tmp_path):
    source_id = _source_with_articles(site, tmp_path, "Báo Gỡ", "baogo.example.vn")
    assert _articles_of(site, "Báo Gỡ") == 2
    browser, page = site.client("admin"), f"/admin/sources/{source_id}"
    assert f'href="{page}/remove"' in browser.get(page).text
    confirm = browser.get(f"{page}/remove")
    assert confirm.status_code == 200 and "Xoá nguồn tin «Báo Gỡ»?" in confirm.text
    assert "2 bài báo của nguồn này vẫn còn" in confirm.text and "xuất xứ chưa xác định" in confirm.text
    browser.get("/lang/en", params={"next": "/"})
    english = browser.get(f"{page}/remove").text
    assert "Remove the source «Báo Gỡ»?" in english and "its 2 articles stay" in english
    browser.get("/lang/vi", params={"next": "/"})

    analyst = site.client("lan")
    assert analyst.get(f"{page}/remove").status_code == 403
    token = csrf_of(analyst.get("/").text)
    assert analyst.post(f"{page}/remove", data={"csrf_token": token}).status_code == 403
    assert browser.post(f"{page}/remove", data={}).status_code == 403  # no CSRF token
    assert site.service.sources.get(source_id).name == "Báo Gỡ"  # still there

    done = post(browser, f"{page}/remove", page=f"{page}/remove")
    assert done.status_code == 303 and done.headers["location"] == "/admin/sources"
    assert browser.get(page).status_code == 404 and "Báo Gỡ" not in browser.get("/admin/sources").text
    assert _articles_of(site, "Báo Gỡ") == 2  # as `caunoi sources remove`: the articles stay
    (removed,) = audited_entity(site, "source", source_id)[-1:]
    assert (removed["action"], removed["actor"]) == ("remove", "admin")
    assert removed["changes"]["name"] == ["Báo Gỡ", None]
    assert post(browser, f"{page}/remove", page="/admin/sources").status_code == 404  # gone already


def test_the_api_removes_a_source_as_the_page_does(site, tmp_path):
    source_id = _source_with_articles(site, tmp_path, "API Gỡ", "api-go.example.org", n=1)
    analyst, client = api(site, "lan"), api(site, "admin")
    assert analyst.delete(f"{API}/sources/{source_id}").status_code == 403
    gone = client.delete(f"{API}/sources/{source_id}")
    assert gone.status_code == 204, gone.text
    assert client.get(f"{API}/sources/{source_id}").status_code == 404
    assert client.delete(f"{API}/sources/{source_id}").status_code == 404
    assert _articles_of(site, "API Gỡ") == 1
    assert [(r["action"], r["actor"]) for r in audited_entity(site, "source", source_id)][-1] == (
        "remove",
        "admin",
    )


def test_the_api_manages_sources_as_the_page_does(site):
    client = api(site, "admin")
    body = {"name": "API Nguồn", "home": "https://api-nguon.example.org/", "feeds": ["/feed"],
            "origin": "foreign", "country": "US", "languages": ["en"]}  # fmt: skip
    made = client.post(f"{API}/sources", json=body)
    assert made.status_code == 201, made.text
    source_id = made.json()["id"]
    assert made.json()["feeds"] == ["https://api-nguon.example.org/feed"]
    assert client.post(f"{API}/sources", json=body).status_code == 422
    changed = client.patch(
        f"{API}/sources/{source_id}", json={"poll_minutes": 120, "languages": ["en", "es"]}
    )
    assert changed.json()["poll_minutes"] == 120 and changed.json()["origin"] == "foreign"
    assert (
        client.patch(f"{API}/sources/{source_id}", json={"feeds": ["http://127.0.0.1/x"]}).status_code == 422
    )
    assert client.post(f"{API}/sources/{source_id}/disable").json()["enabled"] is False
    enabled = client.post(f"{API}/sources/{source_id}/enable")
    assert enabled.json()["enabled"] is True, enabled.text
    assert client.get(f"{API}/sources/999999").status_code == 404
    analyst = api(site, "lan")
    assert analyst.post(f"{API}/sources", json={**body, "name": "lan"}).status_code == 403
    assert analyst.patch(f"{API}/sources/{source_id}", json={"poll_minutes": 5}).status_code == 403
    assert site.service.sources.get(source_id).poll_minutes == 120


def test_a_source_edited_on_the_page_and_a_rule_added_by_the_api_are_in_the_audit_log_under_the_admin(site):
    browser = site.client("admin")
    client = TestClient(site.app, base_url="https://testserver")  # a token of its own: a full bucket
    client.headers["Authorization"] = f"Bearer {site.service.users.create_token('admin', 'audit', by='test')}"
    page = "/admin/sources"
    form = {"name": "Báo Nhật Ký", "home": "https://nhatky.example.vn/", "feeds": "/rss",
            "domains": "nhatky.example.vn", "country": "VN", "languages": "vi", "origin": "domestic",
            "poll_minutes": "30"}  # fmt: skip
    assert post(browser, page, form, page).status_code == 303
    source = site.service.sources.get("Báo Nhật Ký")
    edit = f"{page}/{source.id}"
    assert post(browser, edit, {**form, "poll_minutes": "60"}, edit).status_code == 303
    assert post(browser, f"{edit}/disable", page=edit).status_code == 303
    rule = {"name": "Nhật ký API", "kind": "volume_spike", "scope": {"query": "ASEAN"}}
    made = client.post(f"{API}/rules", json=rule)
    assert made.status_code == 201, made.text

    def logged(one: str) -> list[tuple[str, str, dict[str, Any]]]:
        answer = client.get(f"{API}/audit", params={"object": one})
        assert answer.status_code == 200, answer.text
        return [(e["actor"], e["action"], e["changes"]) for e in answer.json()]  # newest first

    changes = logged(f"source:{source.id}")
    assert [(actor, action) for actor, action, _ in changes] == [
        ("admin", "disable"),
        ("admin", "edit"),
        ("admin", "add"),
    ]
    assert changes[1][2] == {"poll_minutes": [30, 60]}  # the field edited, no other
    ((actor, action, added),) = logged(f"alert_rule:{made.json()['id']}")
    assert (actor, action, added["name"]) == ("admin", "add", [None, "Nhật ký API"])
