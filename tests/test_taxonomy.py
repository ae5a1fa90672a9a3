"""The external-information taxonomy: multi-label topics with the evidence behind each."""

from __future__ import annotations

from conftest import DEMO

from caunoi.config import Settings
from caunoi.enrich.taxonomy import find_topics, load_taxonomy
from caunoi.models import SearchRequest
from caunoi.service import Service
from caunoi.text.vietnamese import normalize


def test_the_shipped_taxonomy_has_the_issue_s_topics():
    ids = {t.id for t in load_taxonomy()}
    assert {"economy", "human_rights", "religion", "sovereignty_seas", "overseas_vietnamese",
            "citizen_protection", "people_diplomacy", "digital_media", "party_building", "defence_security",
            "ethnic_affairs", "democracy", "culture_tourism"} <= ids  # fmt: skip


def test_topics_carry_their_evidence():
    text = (
        "Tàu hải cảnh Trung Quốc xuất hiện gần Trường Sa. Bộ Ngoại giao khẳng định chủ quyền của Việt Nam "
        "đối với quần đảo Trường Sa là không thể tranh cãi.\nCác bên cần tôn trọng UNCLOS."
    )
    (match,) = find_topics("Phản đối hoạt động trên Biển Đông", text)
    assert match.id == "sovereignty_seas"
    assert match.terms == {"biển đông": 1, "hải cảnh": 1, "trường sa": 2, "chủ quyền": 1, "UNCLOS": 1}
    assert match.passages[0] == "Phản đối hoạt động trên Biển Đông" and 0 < match.score <= 1


def test_diacritics_and_capitals_matter():
    # "chưa" is not "chùa", "đọc" is not "DOC", "doc" in lower case is not the Declaration on Conduct
    assert find_topics("Tin", "Họ chưa đọc tài liệu doc này; chưa ai đọc cả. Chưa xong.") == []
    # either tone-mark placement of one term (stored text is normalised to one; so are the terms)
    text = normalize("Gìn giữ hòa bình. Lực lượng gìn giữ hoà bình Việt Nam. Sứ mệnh gìn giữ hòa bình.")
    assert find_topics("", text)[0].terms == {"gìn giữ hoà bình": 3}


def test_one_weak_mention_is_not_a_topic():
    assert find_topics("Du lịch hè", "Giá vé máy bay tăng.") == []


def test_search_by_taxonomy_topic(service):
    docs = DEMO / "vi-news-unc" / "docs"
    files = [docs / "news_society_055.txt", docs / "news_sport_010.txt", docs / "news_travel_010.txt"]
    service.ingest(files)
    (hit,) = service.search(SearchRequest(query="", tags=(("topic", "sovereignty_seas"),)))
    article = service.article(hit.id)
    assert article.origin == str(files[0])
    match = next(t for t in article.topics["taxonomy"] if t["id"] == "sovereignty_seas")
    assert match["terms"] == {"biển đông": 1, "DOC": 1} and match["passages"]


def test_the_taxonomy_path_setting_decides_the_topics_in_a_process_pool_too(tmp_path):
    """taxonomy_path reaches enrichment in spawned workers, which read no TOML file of their own."""
    taxonomy = tmp_path / "topics.yaml"
    taxonomy.write_text(
        "topics:\n  - id: tennis\n    vi: Quần vợt\n    en: Tennis\n    terms: [tay vợt, Roland Garros]\n",
        encoding="utf-8",
    )
    article = DEMO / "vi-news-unc" / "docs" / "news_sport_010.txt"
    settings = Settings(data_dir=tmp_path / "store", taxonomy_path=str(taxonomy), workers=1)
    with Service(settings) as service:
        service.ingest([article])
        (hit,) = service.search(SearchRequest(query="", tags=(("topic", "tennis"),)))
        (match,) = service.article(hit.id).topics["taxonomy"]
    assert match["id"] == "tennis" and match["terms"]["tay vợt"] >= 2
