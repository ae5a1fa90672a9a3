"""Earned coverage (caunoi.outreach.coverage): the articles an activity earned, found among stored
articles ingested through the real service — a press release reprinted ranks first and says how many
of its sentences it repeats, an article naming the mission and its ambassador ranks, what was
published outside the activity's window is no candidate, a person's decision stands through every
re-scoring and is audited, and an ingest after the activity checks its new articles."""

from __future__ import annotations

import json

import pytest
from sqlalchemy import select
from support.corpus import as_file
from support.press import INTERVIEW, RELEASE, REPRINT, SENTENCES

from caunoi.i18n import coverage_reason
from caunoi.models import SourceSpec
from caunoi.outreach import NotFound, OutreachError
from caunoi.store.schema import audit_log
from caunoi.text.fold import fold

# the same days, the same country, another subject
DECOY = (
    "Giá điện tại Pháp tăng mạnh từ đầu tháng 11",
    "Cơ quan quản lý năng lượng Pháp cho biết giá điện cho hộ gia đình sẽ tăng khoảng 10% từ ngày 1/11. "
    "Người dân Paris và các thành phố lớn lo ngại chi phí sinh hoạt tăng cao trong mùa đông năm nay, "
    "trong khi chính phủ hứa sẽ hỗ trợ các hộ có thu nhập thấp.",
)
# another outlet, in France, later: the release again, four of its sentences
LATER = (
    "Paris đón Tuần Văn hóa Việt Nam",
    "Tin từ Paris: tuần lễ văn hóa Việt Nam sắp khai mạc.\n"
    f"{SENTENCES[0]} {SENTENCES[2]} {SENTENCES[3]} {SENTENCES[4]}\n"
    "Các hoạt động sẽ được truyền hình trực tiếp trên trang của Đại sứ quán.",
)


def _ingest(service, folder, articles):
    folder.mkdir(exist_ok=True)
    for name, (title, body), date, url in articles:
        as_file(folder, name, title, body, date, url)
    return service.ingest([folder])


def _by_url(service, url):
    from caunoi.store.schema import articles

    with service.engine.connect() as conn:
        return conn.execute(select(articles.c.id).where(articles.c.url == url)).scalar_one()


@pytest.fixture
def press_conference(service, tmp_path):
    return _press_conference(service, tmp_path)


def _press_conference(service, tmp_path):
    """The embassy in Paris presents a Vietnamese culture week on 13/10/2026, and the press of the
    following days (and of December) as ingested."""
    service.units.add(
        "DSQ-FR", "Đại sứ quán Việt Nam tại Pháp", kind="mission", country="FR", type="embassy", by="t",
        name_en="Embassy of Viet Nam in France", city="Paris", languages=["fr"],
    )  # fmt: skip
    outreach = service.outreach
    campaign = outreach.campaigns.add(
        "VNFR-2026", "Năm hữu nghị Việt Nam – Pháp", by="t", kind="friendship_year", starts_on="2026-01-01",
        ends_on="2026-12-31", countries="FR", key_messages=["Việt Nam là đối tác tin cậy"], units="DSQ-FR",
    )  # fmt: skip
    activity = outreach.activities.add(
        "Họp báo giới thiệu Tuần Văn hóa Việt Nam tại Paris", by="lan", unit="DSQ-FR", type="Họp báo",
        starts_at="13/10/2026 09:30", place="Paris", officials=["Đại sứ Đinh Toàn Thắng"],
        partners=["Hội hữu nghị Pháp – Việt Nam"], campaign=campaign.code, release=RELEASE,
        key="PAR-2026-041",
    )  # fmt: skip
    _ingest(service, tmp_path / "press", [
        ("reprint", REPRINT, "2026-10-13 18:00", "https://baoquocte.vn/tuan-van-hoa-viet-nam-tai-paris.html"),
        ("interview", INTERVIEW, "2026-10-15 07:30", "https://vietnamplus.vn/dai-su-dinh-toan-thang.vnp"),
        ("decoy", DECOY, "2026-10-16 10:00", "https://vnexpress.net/gia-dien-tai-phap-tang.html"),
        ("december", (REPRINT[0], "Nhìn lại một năm hữu nghị. " + REPRINT[1]), "2026-12-01 09:00",
         "https://baomoi.com/tuan-van-hoa.epi"),
    ])  # fmt: skip
    return activity


def test_a_reprinted_release_ranks_first_saying_how_many_of_its_sentences_it_repeats(
    service, press_conference
):
    found = service.outreach.coverage.find("PAR-2026-041")
    reprint = _by_url(service, "https://baoquocte.vn/tuan-van-hoa-viet-nam-tai-paris.html")
    assert found[0].article_id == reprint and found[0].state == "candidate"
    assert fold(found[0].title) == fold(REPRINT[0]) and found[0].source == "baoquocte.vn"  # hóa: hoá
    best = found[0].reasons[0]
    assert (best["kind"], best["values"]["count"]) == ("release_sentences", 3)
    assert best["text"] == "repeats 3 sentences of the release"
    assert coverage_reason(best, "vi") == "lặp lại 3 câu của thông cáo"
    assert found[0].score >= 0.9
    kinds = {r["kind"] for r in found[0].reasons}
    assert {"unit", "official", "country", "timing"} <= kinds and "key_message" not in kinds
    weights = [r["weight"] for r in found[0].reasons]
    assert weights == sorted(weights, reverse=True)


def test_an_article_naming_the_mission_and_its_ambassador_in_the_window_ranks(service, press_conference):
    found = service.outreach.coverage.find(press_conference.id)
    interview = _by_url(service, "https://vietnamplus.vn/dai-su-dinh-toan-thang.vnp")
    assert [c.article_id for c in found][1] == interview
    candidate = found[1]
    texts = [r["text"] for r in candidate.reasons]
    assert "names Đại sứ Đinh Toàn Thắng" in texts and "names Đại sứ quán Việt Nam tại Pháp" in texts
    assert "press conference on 13/10 in Paris" in texts  # the event as enrichment read it
    assert [coverage_reason(r, "vi") for r in candidate.reasons if r["kind"] == "event_at"] == [
        "họp báo ngày 13/10 tại Paris"
    ]
    assert 0.6 < candidate.score < found[0].score


def test_articles_outside_the_window_or_about_something_else_are_no_candidates(service, press_conference):
    found = {c.article_id for c in service.outreach.coverage.find(press_conference.id)}
    assert _by_url(service, "https://baomoi.com/tuan-van-hoa.epi") not in found  # December: out of the window
    assert _by_url(service, "https://vnexpress.net/gia-dien-tai-phap-tang.html") not in found
    assert len(found) == 2


def test_a_rejected_article_stays_rejected_through_every_refresh_and_confirming_is_audited(
    service, press_conference
):
    coverage = service.outreach.coverage
    reprint = _by_url(service, "https://baoquocte.vn/tuan-van-hoa-viet-nam-tai-paris.html")
    interview = _by_url(service, "https://vietnamplus.vn/dai-su-dinh-toan-thang.vnp")
    coverage.find(press_conference.id)

    rejected = coverage.reject("PAR-2026-041", interview, by="lan")
    assert (rejected.state, rejected.decided_by) == ("rejected", "lan")
    confirmed = coverage.confirm("PAR-2026-041", reprint, by="minh")
    assert (confirmed.state, confirmed.decided_by) == ("confirmed", "minh") and confirmed.decided_at

    for _ in range(2):  # re-scored against the window, and the articles checked again as new
        assert [c.article_id for c in coverage.find(press_conference.id)] == [reprint]
        coverage.refresh_new([reprint, interview])
    everything = coverage.find(press_conference.id, refresh=False, include_rejected=True)
    assert [(c.article_id, c.state) for c in everything] == [(reprint, "confirmed"), (interview, "rejected")]
    assert coverage.confirmed([press_conference.id, 999]) == {press_conference.id: [reprint], 999: []}

    history = service.outreach.activities.get(press_conference.id).history
    decisions = [(h["actor"], h["action"], h["changes"]) for h in history if "coverage" in h["action"]]
    assert decisions == [
        ("lan", "coverage_reject", {"article": [None, interview], "coverage": ["candidate", "rejected"]}),
        ("minh", "coverage_confirm", {"article": [None, reprint], "coverage": ["candidate", "confirmed"]}),
    ]
    coverage.confirm(press_conference.id, reprint, by="minh")  # again: nothing changes, nothing audited
    with service.engine.connect() as conn:
        rows = conn.execute(select(audit_log.c.action).where(audit_log.c.action.like("coverage_%"))).all()
    assert len(rows) == 2


def test_a_person_may_confirm_an_article_the_matcher_did_not_propose_and_refusals_say_why(
    service, press_conference
):
    coverage = service.outreach.coverage
    decoy = _by_url(service, "https://vnexpress.net/gia-dien-tai-phap-tang.html")
    confirmed = coverage.confirm(press_conference.key, decoy, by="lan")
    assert confirmed.state == "confirmed" and confirmed.score < 0.3
    assert decoy in [c.article_id for c in coverage.find(press_conference.id)]  # a decision outlives scoring
    with pytest.raises(NotFound, match="no article with id 99999"):
        coverage.confirm(press_conference.id, 99999, by="lan")
    with pytest.raises(NotFound, match="no activity"):
        coverage.find("PAR-0000")
    with pytest.raises(OutreachError, match="say who"):
        coverage.reject(press_conference.id, decoy, by=" ")


def test_an_ingest_after_the_activity_finds_a_new_reprint_from_a_host_country_outlet(
    service, press_conference, tmp_path
):
    service.sources.add(SourceSpec(name="vietnam-paris.fr", home="https://vietnam-paris.fr/", country="FR"))
    summary = _ingest(service, tmp_path / "later", [
        ("later", LATER, "2026-10-17 08:00", "https://vietnam-paris.fr/tuan-van-hoa.html"),
    ])  # fmt: skip
    assert summary.coverage == 1  # the ingest checked its new article against the activity
    later = _by_url(service, "https://vietnam-paris.fr/tuan-van-hoa.html")
    stored = {c.article_id: c for c in service.outreach.coverage.find(press_conference.id, refresh=False)}
    assert len(stored) == 3 and stored[later].score > 0.9  # with the two the first ingest found
    kinds = {r["kind"]: r for r in stored[later].reasons}
    assert kinds["release_copy"]["text"] == "reprints the release (77% of its text)"  # 4 of its 5 sentences
    assert kinds["key_message"]["text"] == "carries the key message “Việt Nam là đối tác tin cậy”"
    assert kinds["outlet"]["text"] == "host-country outlet (France)"
    assert coverage_reason(kinds["outlet"], "vi") == "cơ quan báo chí của nước sở tại (Pháp)"


def test_an_activity_logged_edited_or_imported_after_its_coverage_is_searched_at_once(
    service, press_conference, tmp_path
):
    coverage, activities = service.outreach.coverage, service.outreach.activities
    reprint = _by_url(service, "https://baoquocte.vn/tuan-van-hoa-viet-nam-tai-paris.html")
    later = activities.add(
        "Họp báo Tuần Văn hóa tại Paris (ghi muộn)", by="lan", unit="DSQ-FR", type="press_conference",
        starts_at="13/10/2026 09:30", release=RELEASE,
    )  # fmt: skip
    assert reprint in [c.article_id for c in coverage.find(later.id, refresh=False)]
    activities.edit(later.id, by="lan", starts_at="2026-03-02 09:30")  # months before: none of it
    assert coverage.find(later.id, refresh=False) == []
    table = tmp_path / "nhat-ky.csv"
    table.write_text(
        "key,date,unit,type,title,release\n"
        f'PAR-LATE,2026-10-13,DSQ-FR,Họp báo,Tuần Văn hóa Việt Nam tại Paris,"{RELEASE}"\n',
        encoding="utf-8",
    )
    assert activities.import_file(table, by="lan").added == ["PAR-LATE"]
    assert [c.article_id for c in coverage.find("PAR-LATE", refresh=False)][:1] == [reprint]


def test_new_articles_are_cheap_when_no_activity_is_open(service, tmp_path):
    summary = _ingest(service, tmp_path / "press", [
        ("reprint", REPRINT, "2026-10-13 18:00", "https://baoquocte.vn/a.html"),
    ])  # fmt: skip
    assert summary.coverage == 0 and summary.added == 1
    assert service.outreach.coverage.refresh_new([]) == 0


def test_the_command_line_lists_an_activitys_coverage_best_first_and_records_decisions(settings, tmp_path):
    from support.cli import caunoi, cli

    cli(settings, "units", "add", "DSQ-FR", "Đại sứ quán Việt Nam tại Pháp", "--kind", "mission",
        "--country", "FR", "--by", "lan")  # fmt: skip
    (tmp_path / "release.txt").write_text(RELEASE, encoding="utf-8")
    added = cli(settings, "activities", "add", "Họp báo giới thiệu Tuần Văn hóa Việt Nam tại Paris",
                "--unit", "DSQ-FR", "--type", "press_conference", "--date", "13/10/2026 09:30",
                "--key", "PAR-2026-041", "--official", "Đại sứ Đinh Toàn Thắng",
                "--release-file", str(tmp_path / "release.txt"), "--by", "lan")  # fmt: skip
    assert "added activity 1 (PAR-2026-041)" in added.output
    assert "Trung tâm Văn hóa Việt Nam" in cli(settings, "activities", "show", "PAR-2026-041").output
    folder = tmp_path / "press"
    folder.mkdir()
    as_file(folder, "reprint", *REPRINT, "2026-10-13 18:00", "https://baoquocte.vn/tuan-van-hoa.html")
    as_file(folder, "interview", *INTERVIEW, "2026-10-15 07:30", "https://vietnamplus.vn/dai-su.vnp")
    cli(settings, "ingest", str(folder))

    found = json.loads(caunoi(settings, "activities", "coverage", "PAR-2026-041", "--json").stdout)
    assert [item["source"] for item in found] == ["baoquocte.vn", "vietnamplus.vn"]
    first = found[0]
    assert {"article_id", "score", "reasons", "state", "title", "source", "published"} <= set(first)
    assert first["state"] == "candidate" and first["published"] == "2026-10-13T18:00:00"
    assert first["reasons"][0]["text"] == "repeats 3 sentences of the release"
    table = cli(settings, "activities", "coverage", "PAR-2026-041").output
    assert "baoquocte.vn" in table and "repeats 3 sentences of the release" in table

    said = cli(settings, "activities", "reject", "PAR-2026-041", str(found[1]["article_id"]), "--by", "minh")
    assert f"rejected article {found[1]['article_id']} as coverage of activity PAR-2026-041" in said.output
    confirmed = json.loads(caunoi(settings, "activities", "confirm", "1", str(first["article_id"]),
                                  "--by", "minh", "--json").stdout)  # fmt: skip
    assert (confirmed["state"], confirmed["decided_by"]) == ("confirmed", "minh")
    listed = json.loads(caunoi(settings, "activities", "coverage", "1", "--json").stdout)
    assert [(c["article_id"], c["state"]) for c in listed] == [(first["article_id"], "confirmed")]
    everything = json.loads(caunoi(settings, "activities", "coverage", "1", "--all", "--json").stdout)
    assert [c["state"] for c in everything] == ["confirmed", "rejected"]
    assert "coverage_reject" in cli(settings, "activities", "show", "1").output

    missing = caunoi(settings, "activities", "confirm", "1", "424242", "--by", "minh", check=False)
    assert missing.returncode == 1 and "no article with id 424242" in missing.stderr


def test_the_api_lists_coverage_to_whoever_reads_the_activity_and_takes_decisions_from_who_writes_it(
    settings, tmp_path
):
    import dataclasses

    import httpx
    from support.app import assert_error, serve

    from caunoi.service import Service

    settings = dataclasses.replace(settings, api_rate_per_minute=1_000_000)
    tokens = {}
    with Service(settings) as service:
        service.units.add("DSQ-US", "Đại sứ quán Việt Nam tại Hoa Kỳ", kind="mission", country="US", by="t")
        activity = _press_conference(service, tmp_path)
        for name, role, mission in (("paris", "mission_officer", "DSQ-FR"), ("washington", "mission_officer",
                                    "DSQ-US"), ("viewer", "viewer", None)):  # fmt: skip
            service.users.add_user(name, "hai con thỏ chạy quanh hồ", role, by="t", mission=mission)
            tokens[name] = service.users.create_token(name, "tests", by="t")
        reprint = _by_url(service, "https://baoquocte.vn/tuan-van-hoa-viet-nam-tai-paris.html")
        interview = _by_url(service, "https://vietnamplus.vn/dai-su-dinh-toan-thang.vnp")

    def client(who: str) -> httpx.Client:
        return httpx.Client(base_url=url + "/api/v1", headers={"Authorization": f"Bearer {tokens[who]}"})

    with serve(settings) as url, client("paris") as paris, client("viewer") as viewer:
        found = viewer.get(f"/activities/{activity.key}/coverage").json()
        assert [c["article_id"] for c in found] == [reprint, interview]
        assert found[0]["reasons"][0]["text"] == "repeats 3 sentences of the release"
        assert {"kind", "values", "weight", "text"} == set(found[0]["reasons"][0])
        assert_error(viewer.post(f"/activities/{activity.id}/coverage/{reprint}/confirm"), 403)
        with client("washington") as washington:
            assert_error(washington.get(f"/activities/{activity.id}/coverage"), 403)

        confirmed = paris.post(f"/activities/{activity.key}/coverage/{reprint}/confirm")
        assert confirmed.status_code == 200, confirmed.text
        assert (confirmed.json()["state"], confirmed.json()["decided_by"]) == ("confirmed", "paris")
        assert (
            paris.post(f"/activities/{activity.id}/coverage/{interview}/reject").json()["state"] == "rejected"
        )
        listed = paris.get(f"/activities/{activity.id}/coverage", params={"refresh": "false"}).json()
        assert [(c["article_id"], c["state"]) for c in listed] == [(reprint, "confirmed")]
        every = paris.get(f"/activities/{activity.id}/coverage", params={"all": "true"}).json()
        assert [c["state"] for c in every] == ["confirmed", "rejected"]
        assert_error(paris.post(f"/activities/{activity.id}/coverage/999999/confirm"), 404, "not_found")
        assert_error(paris.get("/activities/NO-SUCH/coverage"), 404, "not_found")


def test_a_long_exhibition_is_covered_until_two_weeks_after_its_last_day(service, tmp_path):
    service.units.add("DSQ-FR", "Đại sứ quán Việt Nam tại Pháp", kind="mission", country="FR", by="t")
    exhibition = service.outreach.activities.add(
        "Triển lãm ảnh Di sản Việt Nam", by="lan", unit="DSQ-FR", type="exhibition", starts_at="2026-09-01",
        ends_at="2026-11-30 18:00", officials=["Đại sứ Đinh Toàn Thắng"],
    )  # fmt: skip
    _ingest(service, tmp_path / "press", [
        ("late", INTERVIEW, "2026-12-10 08:00", "https://vietnamplus.vn/trien-lam.vnp"),
        ("too-late", (DECOY[0], "Nhìn lại năm 2026. " + INTERVIEW[1]), "2026-12-20 08:00",
         "https://vietnamplus.vn/muon.vnp"),
    ])  # fmt: skip
    found = service.outreach.coverage.find(exhibition.id)
    assert [c.article_id for c in found] == [_by_url(service, "https://vietnamplus.vn/trien-lam.vnp")]
    assert _by_url(service, "https://vietnamplus.vn/muon.vnp")  # stored, 20 days after: no candidate


POINTS = (
    "Năm 2026, Việt Nam và Pháp kỷ niệm 53 năm thiết lập quan hệ ngoại giao và hơn mười năm quan hệ "
    "đối tác chiến lược. "
    "Kim ngạch thương mại song phương đạt hơn 6 tỷ euro, Pháp là nhà đầu tư châu Âu hàng đầu tại Việt Nam. "
    "Hợp tác văn hóa, giáo dục và khoa học công nghệ là trụ cột truyền thống trong quan hệ hai nước, "
    "theo Nghị định 86/2021/NĐ-CP về đào tạo."
)


def test_an_interview_repeating_the_talking_points_and_citing_their_document_is_found(service, tmp_path):
    service.units.add("DSQ-FR", "Đại sứ quán Việt Nam tại Pháp", kind="mission", country="FR", by="t")
    outreach = service.outreach
    pack = outreach.packs.add("Thông tin định hướng: quan hệ Việt Nam – Pháp", POINTS, by="t", to="DSQ-FR")
    interview = outreach.activities.add(
        "Đại sứ trả lời phỏng vấn đài phát thanh RFI", by="lan", unit="DSQ-FR", type="interview",
        starts_at="2026-10-20 10:00", packs=[pack.id],
    )  # fmt: skip
    sentences = [s.strip() for s in POINTS.split(". ")]
    body = (
        f"Trả lời phỏng vấn, nhà ngoại giao nhắc lại: {sentences[1]}. {sentences[2]}\n"
        "Ông cũng nói về kế hoạch mở thêm đường bay thẳng giữa hai nước vào mùa hè tới."
    )
    _ingest(service, tmp_path / "press", [
        ("rfi", ("Quan hệ Việt Nam – Pháp trong giai đoạn mới", body), "2026-10-21 06:00",
         "https://vietnamplus.vn/quan-he-viet-phap.vnp"),
    ])  # fmt: skip
    (found,) = outreach.coverage.find(interview.key)
    reasons = {r["kind"]: r for r in found.reasons}
    assert reasons["points_sentences"]["text"] == (
        "repeats 2 sentences of the talking points “Thông tin định hướng: quan hệ Việt Nam – Pháp”"
    )
    assert coverage_reason(reasons["points_sentences"], "vi").startswith("lặp lại 2 câu của bộ thông tin")
    assert reasons["doc_ref"]["text"] == "cites 86/2021/NĐ-CP"
