"""Users, roles and the security around them: argon2id passwords, logins with lock-out and rate
limiting, sessions that run out, API tokens that can be revoked, the permission table, and an
audit trail that never holds a secret."""

from __future__ import annotations

import hashlib
import json
import re
from datetime import datetime, timedelta

import pytest
from argon2 import PasswordHasher
from conftest import CHEAP
from sqlalchemy import select, update
from support.cli import cli

from caunoi import users as users_module
from caunoi.store.schema import audit_log, login_attempts, sessions, users
from caunoi.users import PERMISSIONS, ROLES, LoginRefused, NotFound, UserError, can, permission

NOW = datetime(2026, 11, 24, 9, 0)
PASSWORD = "mặt trời mọc ở đằng đông"
OFFICER_PASSWORD = "bốn mùa xuân hạ thu đông"
ADMIN = "Nguyễn Thị Thu"  # who makes the changes


def add_people(service) -> None:
    """An admin, an analyst, and a mission officer of the embassy in Washington."""
    service.units.add("DSQ-US", "Đại sứ quán Việt Nam tại Hoa Kỳ", kind="mission", country="US", by=ADMIN)
    service.units.add("DSQ-FR", "Đại sứ quán Việt Nam tại Pháp", kind="mission", country="FR", by=ADMIN)
    service.users.add_user("thu", PASSWORD, "admin", by=ADMIN, display_name=ADMIN)
    service.users.add_user("lan", PASSWORD, "analyst", by=ADMIN, display_name="Trần Thị Lan", lang="en")
    service.users.add_user(
        "minh", OFFICER_PASSWORD, "mission_officer", by=ADMIN, display_name="Lê Văn Minh", mission="dsq-us"
    )


def stored(service, table, **where) -> list[dict]:
    query = select(table).order_by(*table.primary_key.columns)
    for column, value in where.items():
        query = query.where(table.c[column] == value)
    with service.engine.connect() as conn:
        return [dict(r) for r in conn.execute(query).mappings()]


def test_passwords_are_kept_as_argon2id_hashes_only(service):
    add_people(service)
    lan = service.users.get("LAN")
    assert "password_hash" not in lan and lan["role"] == "analyst" and lan["lang"] == "en"
    (row,) = stored(service, users, username="lan")
    assert row["password_hash"].startswith("$argon2id$") and PASSWORD not in row["password_hash"]
    minh = service.users.get("minh")
    assert (minh["mission"], minh["lang"], minh["disabled"]) == ("DSQ-US", "vi", False)
    assert all("password_hash" not in u for u in service.users.list_users())
    assert [u["username"] for u in service.users.list_users()] == ["lan", "minh", "thu"]


@pytest.mark.parametrize(
    ("password", "why"),
    [
        ("ngắn quá", "too short"),
        ("aaaaaaaaaaaaaaaa", "too few"),
        ("hoa.nguyen2026!", "user's name"),  # holds the username
        ("Nguyen Hoa Binh", "user's name"),  # is the display name, without its diacritics
    ],
)
def test_weak_passwords_are_refused(service, password, why):
    with pytest.raises(UserError, match=why):
        service.users.add_user("hoa.nguyen", password, "viewer", by=ADMIN, display_name="Nguyễn Hòa Bình")
    assert service.users.list_users() == []


def test_what_a_user_needs_to_be_added(service):
    add_people(service)
    for kwargs, message in [
        ({"username": "LAN"}, "already a user lan"),
        ({"username": "bad name"}, "username 'bad name'"),
        ({"role": "editor"}, "role 'editor': use one of admin, analyst"),
        ({"role": "mission_officer"}, "needs a mission"),
        ({"role": "mission_officer", "mission": "DSQ-XX"}, "no unit or mission with code 'DSQ-XX'"),
        ({"mission": "DSQ-US"}, "only a mission officer"),
        ({"lang": "fr"}, "language 'fr'"),
        ({"by": " "}, "say who makes the change"),
    ]:
        args = {"username": "hai", "role": "viewer", "by": ADMIN, **kwargs}
        with pytest.raises(UserError, match=message):
            service.users.add_user(args.pop("username"), PASSWORD, args.pop("role"), **args)
    with pytest.raises(NotFound):
        service.users.get("hai")


def test_a_login_says_the_same_for_an_unknown_user_and_a_wrong_password(service):
    add_people(service)
    user = service.users.authenticate(" Lan ", PASSWORD, ip="10.0.0.5", now=NOW)
    assert user["username"] == "lan" and user["last_login_at"] == NOW and "password_hash" not in user
    refusals = []
    for name, password in [("lan", PASSWORD + "!"), ("nobody", PASSWORD), ("lan", "")]:
        with pytest.raises(LoginRefused) as refused:
            service.users.authenticate(name, password, ip="10.0.0.5", now=NOW)
        refusals.append(str(refused.value))
    assert refusals == ["wrong username or password"] * 3
    attempts = stored(service, login_attempts)
    assert [(a["username"], a["ok"]) for a in attempts] == [
        ("lan", True), ("lan", False), ("nobody", False), ("lan", False),
    ]  # fmt: skip
    assert {a["ip"] for a in attempts} == {"10.0.0.5"}


def test_five_failures_in_a_row_lock_the_account_for_fifteen_minutes(service):
    add_people(service)
    login = service.users.authenticate
    for n in range(4):
        with pytest.raises(LoginRefused, match="wrong username or password"):
            login("lan", f"đoán sai lần thứ {n}", ip="10.0.0.5", now=NOW)
    assert service.users.get("lan")["failed_logins"] == 4
    with pytest.raises(LoginRefused, match=r"^locked until 09:15$"):
        login("lan", "đoán sai lần thứ năm", ip="10.0.0.6", now=NOW)
    with pytest.raises(LoginRefused, match=r"^locked until 09:15$"):  # even the right password
        login("lan", PASSWORD, ip="10.0.0.5", now=NOW + timedelta(minutes=14))
    assert login("lan", PASSWORD, ip="10.0.0.5", now=NOW + timedelta(minutes=15))["username"] == "lan"
    lan = service.users.get("lan")
    assert (lan["failed_logins"], lan["locked_until"]) == (0, None)
    # a success starts the count again: four more failures do not lock
    for _ in range(4):
        with pytest.raises(LoginRefused, match="wrong"):
            login("lan", "sai nữa rồi bạn ơi", ip="10.0.0.5", now=NOW + timedelta(minutes=16))
    lock = [e for e in service.users.history("lan") if e["action"] == "lock"]
    assert [(e["actor"], e["changes"]["locked_until"][1]) for e in lock] == [
        ("system", "2026-11-24T09:15:00")
    ]


def test_a_password_hashed_with_weaker_parameters_is_rehashed_at_login(service, real_password_hashes):
    add_people(service)
    weak = PasswordHasher(**CHEAP).hash(PASSWORD)
    with service.engine.begin() as conn:
        conn.execute(update(users).where(users.c.username == "lan").values(password_hash=weak))
    service.users.authenticate("lan", PASSWORD, ip="10.0.0.5")
    (row,) = stored(service, users, username="lan")
    assert row["password_hash"] != weak and not PasswordHasher().check_needs_rehash(row["password_hash"])
    assert service.users.history("lan")[-1]["action"] == "rehash"
    assert service.users.authenticate("lan", PASSWORD, ip="10.0.0.5")["username"] == "lan"


def test_thirty_people_log_in_from_one_office_address_within_a_minute(service):
    for n in range(30):
        service.users.add_user(f"can.bo{n}", f"{PASSWORD} {n}", "viewer", by=ADMIN)
    for n in range(30):
        at = NOW + timedelta(seconds=2 * n)
        assert service.users.authenticate(f"can.bo{n}", f"{PASSWORD} {n}", ip="203.0.113.7", now=at)
    # and again after lunch, with two typos among them: only failures count, and only twenty stop
    for n in range(30):
        at = NOW + timedelta(hours=4, seconds=2 * n)
        if n in (3, 17):
            with pytest.raises(LoginRefused, match="wrong"):
                service.users.authenticate(f"can.bo{n}", PASSWORD, ip="203.0.113.7", now=at)
        assert service.users.authenticate(f"can.bo{n}", f"{PASSWORD} {n}", ip="203.0.113.7", now=at)


def test_twenty_failures_from_one_address_stop_it_for_a_while(service):
    add_people(service)
    for n in range(20):
        with pytest.raises(LoginRefused, match="wrong"):
            service.users.authenticate(
                f"guess{n}", PASSWORD, ip="203.0.113.9", now=NOW + timedelta(seconds=n)
            )
    later = NOW + timedelta(minutes=9)
    with pytest.raises(LoginRefused, match="from your address: try again in 1 min") as stopped:
        service.users.authenticate("lan", PASSWORD, ip="203.0.113.9", now=later)  # even the right password
    assert stopped.value.retry_after == 60  # until the first failure is ten minutes old
    for _ in range(50):  # refused unchecked, and not counted: waiting is enough
        with pytest.raises(LoginRefused, match="from your address"):
            service.users.authenticate("lan", PASSWORD, ip="203.0.113.9", now=later)
    assert service.users.authenticate("lan", PASSWORD, ip="10.0.0.5", now=later)["username"] == "lan"
    after = NOW + timedelta(minutes=10, seconds=1)
    assert service.users.authenticate("lan", PASSWORD, ip="203.0.113.9", now=after)["username"] == "lan"
    # an IPv6 line is one address whatever its last 64 bits
    after += timedelta(minutes=5)
    for n in range(20):
        with pytest.raises(LoginRefused, match="wrong"):
            service.users.authenticate(f"guess{n}", "sai", ip=f"2001:db8:1:2::{n:x}", now=after)
    with pytest.raises(LoginRefused, match="from your address"):
        service.users.authenticate("lan", PASSWORD, ip="2001:db8:1:2:ffff::1", now=after)


def test_a_guesser_at_one_user_is_stopped_and_the_lock_ends_by_itself(service):
    add_people(service)
    login = service.users.authenticate
    assert login("lan", PASSWORD, ip="10.0.0.5", now=NOW - timedelta(days=3))  # lan's office
    for n in range(4):
        with pytest.raises(LoginRefused, match="wrong"):
            login("lan", f"đoán {n}", ip=f"198.51.100.{n}", now=NOW)
    with pytest.raises(LoginRefused, match="locked until 09:15") as locked:
        login("lan", "đoán lần năm", ip="198.51.100.99", now=NOW)
    assert locked.value.retry_after == 15 * 60
    for n in range(100):  # every further try is refused unchecked, and does not make the lock longer
        with pytest.raises(LoginRefused, match="locked until 09:15") as locked:
            login("lan", PASSWORD, ip=f"198.51.101.{n}", now=NOW + timedelta(minutes=14))
    assert locked.value.retry_after == 60
    # from the office lan logs in from, the guesser's lock does not keep lan out
    assert login("lan", PASSWORD, ip="10.0.0.5", now=NOW + timedelta(minutes=14))["failed_logins"] == 0
    assert login("lan", PASSWORD, ip="198.51.101.7", now=NOW + timedelta(minutes=15))["locked_until"] is None
    # nor is a user locked by others' failures from the same address
    assert login("thu", PASSWORD, ip="198.51.100.99", now=NOW)["username"] == "thu"


def test_enable_or_a_new_password_lifts_a_lock(service):
    add_people(service)
    for round, how in enumerate(("enable", "password")):
        for n in range(5):
            with pytest.raises(LoginRefused):
                service.users.authenticate("minh", "đoán mò thôi", ip=f"198.51.100.{n}", now=NOW)
        with pytest.raises(LoginRefused, match="locked"):
            service.users.authenticate("minh", OFFICER_PASSWORD, ip=f"192.0.2.{round}", now=NOW)
        if how == "enable":
            service.users.enable("minh", by=ADMIN)
        else:
            service.users.set_password("minh", OFFICER_PASSWORD, by=ADMIN)
        assert service.users.authenticate("minh", OFFICER_PASSWORD, ip=f"192.0.2.{round}", now=NOW)


def test_a_success_clears_the_users_failure_count(service):
    add_people(service)
    for _ in range(3):
        for n in range(4):
            with pytest.raises(LoginRefused, match="wrong"):
                service.users.authenticate("lan", "gõ nhầm", ip="10.0.0.5", now=NOW + timedelta(minutes=n))
        assert service.users.authenticate("lan", PASSWORD, ip="10.0.0.5", now=NOW)["failed_logins"] == 0


@pytest.mark.parametrize(
    ("address", "key"),
    [
        ("203.0.113.9", "203.0.113.9"),
        ("::ffff:203.0.113.9", "203.0.113.9"),
        ("2001:db8:1:2:3:4:5:6", "2001:db8:1:2::/64"),
        ("testclient", "testclient"),
        ("", "unknown"),
    ],
)
def test_limits_count_an_address_or_an_ipv6_line(address, key):
    assert users_module.address_key(address) == key


def test_login_attempts_are_kept_thirty_days_then_deleted_at_a_login(service):
    add_people(service)
    users_ = service.users
    for day in (40, 31, 29, 1):
        with pytest.raises(LoginRefused, match="wrong"):
            users_.authenticate("lan", "không phải mật khẩu", ip="10.0.0.5", now=NOW - timedelta(days=day))
    assert len(stored(service, login_attempts, username="lan")) == 4
    users_.authenticate("lan", PASSWORD, ip="10.0.0.5", now=NOW)
    users_.create_session(users_.get("lan")["id"], ip="10.0.0.5", user_agent="Firefox", now=NOW)
    kept = stored(service, login_attempts, username="lan")
    assert [r["at"] for r in kept] == [NOW - timedelta(days=29), NOW - timedelta(days=1), NOW]


def test_a_disabled_user_cannot_log_in_and_their_sessions_and_tokens_stop(service):
    add_people(service)
    users_ = service.users
    secret, _ = users_.create_session(users_.get("lan")["id"], ip="10.0.0.5", user_agent="Firefox", now=NOW)
    token = users_.create_token("lan", "báo cáo sáng", by=ADMIN)
    assert users_.session_user(secret, now=NOW)["username"] == "lan"
    assert users_.token_user(token)["username"] == "lan"

    disabled = users_.disable("lan", by=ADMIN)
    assert disabled["disabled"] is True and disabled["ended"] == {"sessions": 1, "tokens": 1}
    assert users_.session_user(secret, now=NOW) is None
    assert users_.token_user(token) is None
    assert stored(service, sessions, user_id=users_.get("lan")["id"]) == []
    with pytest.raises(LoginRefused, match="wrong username or password"):
        users_.authenticate("lan", "không phải mật khẩu", ip="10.0.0.5", now=NOW)
    with pytest.raises(LoginRefused, match="disabled: ask an administrator"):  # only with the password
        users_.authenticate("lan", PASSWORD, ip="10.0.0.5", now=NOW)
    with pytest.raises(UserError, match="disabled: enable them first"):
        users_.create_token("lan", "khác", by=ADMIN)

    users_.enable("lan", by=ADMIN)
    assert users_.token_user(token) is None  # revoked when disabled: it stays so
    assert users_.session_user(secret, now=NOW) is None  # the session is gone for good
    with pytest.raises(UserError, match="thu is the last admin"):
        users_.disable("thu", by=ADMIN)
    with pytest.raises(UserError, match="thu is the last admin"):
        users_.set_role("thu", "analyst", by=ADMIN)


def test_each_login_gets_a_new_session_which_runs_out(service):
    add_people(service)
    users_ = service.users
    lan_id = users_.get("lan")["id"]
    first, csrf = users_.create_session(lan_id, ip="10.0.0.5", user_agent="Firefox", now=NOW)
    second, _ = users_.create_session(lan_id, ip="10.0.0.5", user_agent="Firefox", now=NOW)
    assert first != second and len(first) >= 43
    user = users_.session_user(first, now=NOW + timedelta(minutes=5))
    assert user["username"] == "lan" and user["session"]["csrf_token"] == csrf
    # only the secret's sha256 is stored, never the secret
    rows = stored(service, sessions, user_id=lan_id)
    assert {r["id"] for r in rows} == {hashlib.sha256(s.encode()).hexdigest() for s in (first, second)}
    assert not any(first in str(value) for r in rows for value in r.values())
    # last_seen_at is written at most once a minute
    users_.session_user(first, now=NOW + timedelta(minutes=5, seconds=30))
    (row,) = stored(service, sessions, id=hashlib.sha256(first.encode()).hexdigest())
    assert row["last_seen_at"] == NOW + timedelta(minutes=5)

    assert users_.end_session(first) and not users_.end_session(first)
    assert users_.session_user(first, now=NOW + timedelta(minutes=6)) is None
    assert users_.session_user(second, now=NOW + timedelta(minutes=6))["username"] == "lan"
    # 12 hours without use end it
    assert users_.session_user(second, now=NOW + timedelta(hours=12, minutes=7)) is None

    # in use every 11 hours, it still ends 7 days after the login
    third, _ = users_.create_session(lan_id, ip=None, user_agent=None, now=NOW)
    when = NOW
    while when + timedelta(hours=11) < NOW + timedelta(days=7):
        when += timedelta(hours=11)
        assert users_.session_user(third, now=when) is not None
    assert users_.session_user(third, now=NOW + timedelta(days=7)) is None
    assert users_.session_user("forged", now=NOW) is None and users_.session_user(None) is None

    # a new password logs the user out everywhere and revokes their API tokens
    fourth, _ = users_.create_session(lan_id, ip=None, user_agent=None, now=NOW + timedelta(days=8))
    token = users_.create_token("lan", "báo cáo sáng", by=ADMIN)
    assert users_.token_user(token)["username"] == "lan"
    changed = users_.set_password("lan", "trăng rằm tháng tám sáng", by=ADMIN)
    assert changed["ended"] == {"sessions": 1, "tokens": 1}
    assert users_.session_user(fourth, now=NOW + timedelta(days=8)) is None
    assert users_.token_user(token) is None
    assert [t["revoked_at"] is not None for t in users_.list_tokens("lan")] == [True]
    assert users_.authenticate("lan", "trăng rằm tháng tám sáng", ip="10.0.0.5", now=NOW)["username"] == "lan"
    fifth, _ = users_.create_session(lan_id, ip=None, user_agent=None, now=NOW + timedelta(days=8))
    assert users_.end_all_sessions(lan_id) == 1 and users_.session_user(fifth, now=NOW) is None


def test_api_tokens_are_shown_once_and_can_expire_or_be_revoked(service):
    add_people(service)
    users_ = service.users
    token = users_.create_token("minh", "xuất báo cáo tuần", by=ADMIN)
    short = users_.create_token("minh", "thử nghiệm", by=ADMIN, expires_days=3)
    assert re.fullmatch(r"cn_[\w-]{43}", token) and token != short
    user = users_.token_user(token)
    assert (user["username"], user["mission"], user["token"]["name"]) == (
        "minh",
        "DSQ-US",
        "xuất báo cáo tuần",
    )
    listed = users_.list_tokens("minh")
    assert [t["name"] for t in listed] == ["thử nghiệm", "xuất báo cáo tuần"]
    assert all(token not in json.dumps(t, default=str) and "token_hash" not in t for t in listed)
    assert listed[1]["prefix"] == token[:8] and listed[1]["last_used_at"] is not None
    assert users_.list_tokens("lan") == [] and len(users_.list_tokens()) == 2

    assert users_.token_user(short, now=datetime.now() + timedelta(days=2)) is not None
    assert users_.token_user(short, now=datetime.now() + timedelta(days=3, minutes=1)) is None
    users_.revoke_token(listed[1]["id"], by=ADMIN)
    assert users_.token_user(token) is None
    with pytest.raises(UserError, match="already revoked"):
        users_.revoke_token(listed[1]["id"], by=ADMIN)
    with pytest.raises(NotFound):
        users_.revoke_token(999, by=ADMIN)
    for forged in ("", "cn_", token[:-1], "x" * 500, token.replace("cn_", "xx_")):
        assert users_.token_user(forged) is None
    with pytest.raises(UserError, match="at least 1 day"):
        users_.create_token("minh", "x", by=ADMIN, expires_days=0)


OFFICER = {"username": "minh", "role": "mission_officer", "mission": "DSQ-US", "disabled": False}
US_CASE = {"id": 1, "title": "Bài viết sai lệch trên báo Mỹ", "unit": "DSQ-US"}
FR_CASE = {"id": 2, "title": "Phóng sự truyền hình Pháp", "unit": "DSQ-FR"}
HQ_CASE = {"id": 3, "title": "Chưa giao", "unit": None}


@pytest.mark.parametrize(
    ("role", "action", "obj", "allowed"),
    [
        ("mission_officer", "case.read", US_CASE, True),
        ("mission_officer", "case.write", {**US_CASE, "unit": "dsq-us"}, True),
        ("mission_officer", "case.read", FR_CASE, False),  # another mission's case
        ("mission_officer", "case.write", FR_CASE, False),
        ("mission_officer", "case.read", HQ_CASE, False),
        ("mission_officer", "case.read", None, False),  # a scoped action needs the case
        ("mission_officer", "case.assign", US_CASE, False),
        ("mission_officer", "search", None, True),
        ("mission_officer", "factsheet.write", None, False),
        ("viewer", "read", None, True),
        ("viewer", "case.read", FR_CASE, True),
        ("viewer", "case.write", FR_CASE, False),
        ("viewer", "alert.manage", None, False),
        ("analyst", "case.assign", FR_CASE, True),
        ("analyst", "alert.manage", None, True),
        ("analyst", "factsheet.write", None, True),
        ("analyst", "source.manage", None, False),
        ("analyst", "user.manage", None, False),
        ("admin", "user.manage", None, True),
        ("admin", "source.manage", None, True),
    ],
)
def test_who_may_do_what(role, action, obj, allowed):
    user = {**OFFICER, "role": role}
    assert can(user, action, obj) is allowed


def test_the_permission_table_is_the_one_documented_and_disabled_users_may_nothing():
    documented = {}
    for line in users_module.__doc__.split("admin  analyst  mission_officer  viewer")[1].splitlines():
        if line.strip() and not line.startswith("A disabled"):
            action, *scopes = line.split()[:5]
            documented[action] = {r: s for r, s in zip(ROLES, scopes, strict=True) if s != "-"}
        elif documented:
            break
    assert documented == PERMISSIONS
    disabled = {**OFFICER, "role": "admin", "disabled": True}
    assert not any(can(disabled, action) for action in PERMISSIONS)
    assert permission(OFFICER, "case.write") == "own"
    with pytest.raises(ValueError, match=r"unknown action 'case\.raed'"):
        can(OFFICER, "case.raed")


def test_every_change_is_audited_without_secrets(service):
    add_people(service)
    users_ = service.users
    users_.set_role("lan", "mission_officer", mission="DSQ-FR", by=ADMIN)
    users_.set_role("lan", "viewer", by="Phạm Quang")
    users_.set_password("lan", "trăng rằm tháng tám sáng", by=ADMIN)
    users_.disable("lan", by=ADMIN)
    users_.enable("lan", by=ADMIN)
    token = users_.create_token("minh", "xuất báo cáo", by=ADMIN, expires_days=30)
    users_.revoke_token(users_.list_tokens("minh")[0]["id"], by=ADMIN)
    for _ in range(5):
        with pytest.raises(LoginRefused):
            users_.authenticate("minh", "sai mật khẩu rồi", ip="10.0.0.5", now=NOW)

    history = [(e["actor"], e["action"], e["changes"]) for e in users_.history("lan")]
    assert [(actor, action) for actor, action, _ in history] == [
        (ADMIN, "add"), (ADMIN, "role"), ("Phạm Quang", "role"), (ADMIN, "password"), (ADMIN, "disable"),
        (ADMIN, "enable"),
    ]  # fmt: skip
    assert history[0][2]["username"] == [None, "lan"] and "password_hash" not in history[0][2]
    assert history[1][2] == {"role": ["analyst", "mission_officer"], "mission": [None, "DSQ-FR"]}
    assert history[2][2] == {"role": ["mission_officer", "viewer"], "mission": ["DSQ-FR", None]}
    assert set(history[3][2]) == {"password", "password_changed_at"}
    assert history[3][2]["password"] == [None, "changed"]
    assert history[4][2] == {"disabled": [False, True]}

    rows = stored(service, audit_log)
    assert {(r["entity"], r["action"]) for r in rows} >= {
        ("user", "add"), ("user", "lock"), ("token", "add"), ("token", "revoke"),
    }  # fmt: skip
    (token_add,) = [r for r in rows if (r["entity"], r["action"]) == ("token", "add")]
    assert token_add["changes"]["user"] == [None, "minh"] and token_add["changes"]["prefix"] == [
        None,
        token[:8],
    ]
    everything = json.dumps([r["changes"] for r in rows], ensure_ascii=False)
    secrets = [PASSWORD, OFFICER_PASSWORD, "trăng rằm tháng tám sáng", token, "$argon2"]
    secrets += [r["password_hash"] for r in stored(service, users)]
    secrets += [hashlib.sha256(token.encode()).hexdigest()]
    assert not [s for s in secrets if s in everything]


# -- the command line -------------------------------------------------------------------------


def test_users_from_the_command_line(settings):
    by = ("--by", ADMIN)
    cli(settings, "units", "add", "DSQ-US", "Đại sứ quán Việt Nam tại Hoa Kỳ", "--kind", "mission", *by)
    out = cli(settings, "users", "add", "Thu", "--role", "admin", "--name", ADMIN, "--password-stdin", *by,
              input=PASSWORD + "\n").output  # fmt: skip
    assert "thu: admin, active" in out
    out = cli(
        settings,
        "users",
        "add",
        "minh",
        "--role",
        "mission_officer",
        "--mission",
        "DSQ-US",
        *by,
        input=f"{OFFICER_PASSWORD}\n{OFFICER_PASSWORD}\n",
    ).output  # the hidden prompt, twice
    assert "minh: mission_officer of DSQ-US, active" in out and OFFICER_PASSWORD not in out
    listed = json.loads(cli(settings, "users", "list", "--json").output)
    assert [(u["username"], u["role"]) for u in listed] == [("minh", "mission_officer"), ("thu", "admin")]
    assert "password_hash" not in listed[0]
    assert "Nguyễn Thị Thu" in cli(settings, "users", "list").output

    assert "too short" in cli(settings, "users", "add", "hai", "--role", "viewer", "--password-stdin",
                              input="ngắn\n", code=2).output  # fmt: skip
    assert "no user 'hai'" in cli(settings, "users", "disable", "hai", code=1).output
    assert "last admin" in cli(settings, "users", "role", "thu", "--role", "viewer", code=2).output

    assert "minh: viewer, active" in cli(settings, "users", "role", "minh", "--role", "viewer", *by).output
    old_token = cli(settings, "users", "token-add", "minh", "--name", "cũ", *by).stdout.strip()
    out = cli(settings, "users", "disable", "minh", *by).output
    assert "minh: viewer, disabled" in out and "1 API token revoked" in out
    assert "minh: viewer, active" in cli(settings, "users", "enable", "minh", *by).output
    again = cli(settings, "users", "token-add", "minh", "--name", "mới", *by).stdout.strip()
    out = cli(settings, "users", "password", "minh", "--password-stdin", *by,
              input="trăng rằm tháng tám sáng\n").output  # fmt: skip
    assert "logged out everywhere (0 sessions ended); 1 API token revoked" in out

    result = cli(settings, "users", "token-add", "minh", "--name", "báo cáo tuần", "--expires-days", "7", *by)
    token = result.stdout.strip().splitlines()[0]
    assert token.startswith("cn_")
    tokens = json.loads(cli(settings, "users", "tokens", "minh", "--json").output)[:1]
    assert [(t["username"], t["name"], t["prefix"]) for t in tokens] == [("minh", "báo cáo tuần", token[:8])]
    assert token not in cli(settings, "users", "tokens").output
    assert "revoked" in cli(settings, "users", "token-revoke", str(tokens[0]["id"]), *by).output
    assert "already revoked" in cli(settings, "users", "token-revoke", str(tokens[0]["id"]), code=2).output

    from caunoi.service import Service

    with Service(settings) as service:
        assert service.users.token_user(token) is None
        assert service.users.token_user(old_token) is None and service.users.token_user(again) is None
        actions = [e["action"] for e in service.users.history("minh")]
        assert actions == ["add", "role", "disable", "enable", "password"]
        assert (
            service.users.authenticate("minh", "trăng rằm tháng tám sáng", ip="127.0.0.1")["role"] == "viewer"
        )
