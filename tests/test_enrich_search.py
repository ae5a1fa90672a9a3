"""Every enrichment result is a search filter, from the CLI too, on both backends."""

from __future__ import annotations

import json

from support.cli import caunoi

FOREIGN_MINISTRY = (
    "Phản đối hoạt động của tàu Trung Quốc\n"
    "Chiều 22/4, tại họp báo thường kỳ, Người phát ngôn Bộ Ngoại giao Lê Thị Thu Hằng cho biết Việt Nam "
    "kiên quyết phản đối việc tàu Trung Quốc vi phạm chủ quyền và vùng đặc quyền kinh tế của Việt Nam, đề "
    "nghị Trung Quốc chấm dứt hành động sai trái.\nViệt Nam sẵn sàng hợp tác với các nước ASEAN.\n"
)
TOURISM = (
    "Du lịch Đà Nẵng đón khách quốc tế trở lại\n"
    "Các khách sạn tại Đà Nẵng vui mừng đón những đoàn khách quốc tế đầu tiên; du khách hài lòng với dịch vụ "
    "tốt và cảnh đẹp. Ngành du lịch kỳ vọng tăng trưởng mạnh trong năm nay.\n"
)


def test_filters_from_the_command_line(settings, tmp_path):
    docs = tmp_path / "docs"
    docs.mkdir()
    (docs / "mofa.txt").write_text(FOREIGN_MINISTRY, encoding="utf-8")
    (docs / "tourism.txt").write_text(TOURISM, encoding="utf-8")
    out = json.loads(caunoi(settings, "ingest", str(docs), "--json").stdout)
    assert out["added"] == 2 and out["enriched"] == 2
    assert json.loads(caunoi(settings, "enrich", "--json").stdout)["enriched"] == 0  # nothing stale
    assert json.loads(caunoi(settings, "enrich", "--all", "--json").stdout)["enriched"] == 2

    def titles(*args: str) -> list[str]:
        return [h["title"] for h in json.loads(caunoi(settings, "search", *args, "--json").stdout)]

    mofa, tourism = "Phản đối hoạt động của tàu Trung Quốc", "Du lịch Đà Nẵng đón khách quốc tế trở lại"
    assert titles("--country", "CN") == [mofa]
    assert titles("--country", "Trung Quốc") == [mofa]
    assert titles("--entity", "ASEAN") == [mofa]
    assert titles("--entity", "org:ASEAN") == [mofa]
    assert titles("--entity", "Lê Thị Thu Hằng") == [mofa]  # a person, with her title and ministry
    assert titles("--entity", "person:le-thi-thu-hang") == [mofa]
    assert titles("--event-type", "hop_bao") == [mofa]
    assert titles("--topic", "sovereignty_seas") == [mofa]
    assert titles("--tone-max", "-0.01") == [mofa]
    assert titles("--tone-min", "0.01") == [tourism]
    assert titles("khach", "--tone-min", "0") == [tourism]
    assert titles("--tone-of", "subject", "--tone-max", "-0.01") == [mofa]  # the passages naming Viet Nam
    assert titles("--tone-of", "subject", "--tone-min", "-100") == [mofa]  # tourism never names it
    unknown = caunoi(settings, "search", "--country", "Atlantis", check=False)
    assert unknown.returncode == 2 and "no country known by the name 'Atlantis'" in unknown.stderr

    shown = json.loads(caunoi(settings, "show", "1", "--json").stdout)
    assert {"keywords", "entities", "doc_refs", "events", "topics", "tone", "enrichment_version"} <= set(
        shown
    )
    assert {e["id"] for e in shown["entities"]} >= {"country:VN", "country:CN", "org:ASEAN"}
    assert shown["tone"]["subject"]["tone"] < 0 and shown["tone"]["passages"]
    (person,) = [e for e in shown["entities"] if e["type"] == "person"]
    assert (person["name_vi"], person["title"], person["organisation_id"]) == (
        "Lê Thị Thu Hằng",
        "Người phát ngôn",
        "vnbody:mofa",
    )
