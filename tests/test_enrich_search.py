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


FOREIGN = {  # the subject country named in four languages, none of them as "Vietnam"
    "en.txt": "Viet Nam and Laos sign trade deal\nViet Nam and Laos signed an agreement on border trade.\n",
    "zh.txt": "越南与老挝签署贸易协定\n越南外交部发言人表示，越南和老挝将加强边境贸易合作。\n",
    "ru.txt": "МИД Вьетнама о торговле с Лаосом\n"
    "Министр иностранных дел Вьетнама заявил о росте торговли с Лаосом.\n",
    "ja.txt": "ファム・ミン・チン首相、ラオスを訪問\n首相はラオスの首脳と会談し、国境貿易の拡大で合意した。",
}


def test_a_name_of_the_subject_country_finds_it_however_spelled(settings, tmp_path):
    docs = tmp_path / "docs"
    docs.mkdir()
    for name, text in FOREIGN.items():
        (docs / name).write_text(text, encoding="utf-8")
    (docs / "tourism.txt").write_text(TOURISM, encoding="utf-8")
    caunoi(settings, "ingest", str(docs), "--json")

    def langs(*args: str) -> list[str]:
        return sorted(h["lang"] for h in json.loads(caunoi(settings, "search", *args, "--json").stdout))

    # the Japanese article names Viet Nam through its Prime Minister only
    assert langs("Vietnam") == ["en", "ja", "ru", "zh"]
    assert langs("越南") == langs("Вьетнам") == langs("viet nam") == ["en", "ja", "ru", "zh"]
    assert langs("--country", "VN") == ["en", "ja", "ru", "zh"]
    assert langs("Laos") == ["en", "ja", "ru", "zh"]
    assert langs("Vietnam", "--exact") == []  # as typed: the word itself, which no article writes
    assert langs("Vietnam biển") == []  # more than a name: its words only


def test_which_queries_name_an_entity():
    from caunoi.search import named_entity

    assert (
        named_entity("Vietnam")[0] == named_entity("越南")[0] == named_entity("viet nam")[0] == "country:VN"
    )
    assert "Việt Nam" in named_entity("Vietnam")[1] and "nước ta" not in named_entity("Vietnam")[1]
    assert named_entity("МИД Вьетнама")[0] == "vnbody:mofa"
    assert named_entity('"Фам Минь Тинь"')[0] == "person:pham-minh-chinh"
    for query in ("Vietnam biển", "Vietnam OR Laos", "Viet*", "-Vietnam", "doi ngoai", "Bộ Ngoại giao"):
        assert named_entity(query) is None, query  # more than a name, or a name any country's body has
