"""The morning brief (caunoi.reports.brief) on real articles of 29 and 30 April 2021: what it keeps
and why."""

from __future__ import annotations

from datetime import datetime, timedelta

import pytest

from caunoi.reports import brief as briefs
from caunoi.reports.html import brief_html
from caunoi.service import Service

AT = datetime(2021, 4, 30, 8, 0)


@pytest.fixture(scope="module")
def day(brief_day):
    with Service(brief_day.settings) as service:
        yield service


def test_the_ministrys_answer_on_hoang_sa_outranks_football_and_volume(day):
    # every article is dated by its day only: the 08:00 brief of the last 24 h has 29 and 30 April
    brief = day.brief(AT - timedelta(hours=24), AT)
    assert brief["totals"] == {"articles": 9, "stories": 4, "outlets": 1}
    hoang_sa, india, *football = (s for group in brief["groups"] for s in group["stories"])
    assert "Bộ Ngoại giao" in hoang_sa["title"] and hoang_sa["in_window"] == 2  # both dated 29/4
    assert hoang_sa["why"] | {"bodies": None} == {
        "weight": 8.0,  # 2 articles × 2 (a priority topic) × 2 (names a body of Viet Nam's)
        "articles": 2,
        "topic": "sovereignty_seas",
        "bodies": None,
        "body_names": ["Bộ Ngoại giao"],
        "soft": False,
    }
    assert india["why"]["weight"] == 3.0 and [s["why"]["weight"] for s in football] == [1.0, 1.0]
    assert all(s["why"]["soft"] for s in football)  # football counts half

    top_two = briefs.build(day.engine, AT - timedelta(hours=24), AT, top=2)
    assert [s["id"] for g in top_two["groups"] for s in g["stories"]] == [hoang_sa["id"], india["id"]]


def test_the_brief_names_topics_countries_and_regions_in_english(day):
    brief = day.brief(AT - timedelta(hours=24), AT, "en")
    assert [g["label"] for g in brief["groups"]] == ["Sovereignty, territory and seas", "Other"]
    hoang_sa, india, *_ = (s for group in brief["groups"] for s in group["stories"])
    assert hoang_sa["countries"] == ["China", "Viet Nam", "Taiwan"]  # not CN, nor "Taiwan, Province of China"
    assert hoang_sa["regions"] == ["East Asia", "ASEAN"] and india["regions"][0] == "South Asia"
    assert ("Latin America and Caribbean", 1) in brief["regions"]
    html = brief_html(brief, "en")
    assert "China, Viet Nam, Taiwan" in html and "South Asia" in html and "Nam Á" not in html
