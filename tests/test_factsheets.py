"""The library of fact sheets and official positions: found with or without diacritics, every edit
audited, linked to the stories they answer."""

from __future__ import annotations

import pytest
from support.corpus import BIEN_DONG, add_story

from caunoi.factsheets import FactSheetError, NotFound


def test_fact_sheets_are_found_without_diacritics_and_edits_are_audited(service):
    library = service.factsheets
    sheet = library.add(*BIEN_DONG, kind="position", by="hà")
    library.add("Quan hệ Việt Nam – Hoa Kỳ", "Đối tác chiến lược toàn diện từ năm 2023.", by="hà")
    assert [s.title for s in library.search("bien dong")] == [BIEN_DONG[0]]
    assert [s.id for s in library.search("Biển Đông UNCLOS", kind="position")] == [sheet.id]
    assert library.search("bien dong hoa ky") == []

    edited = library.edit(sheet.id, title="Lập trường nhất quán về Biển Đông", tags=["biển"], by="minh")
    change = edited.history[-1]
    assert (change["actor"], change["action"]) == ("minh", "edit")
    assert change["changes"] == {
        "title": [BIEN_DONG[0], "Lập trường nhất quán về Biển Đông"], "tags": [[], ["biển"]],
    }  # fmt: skip
    assert [s.id for s in library.search("nhat quan")] == [sheet.id]

    story_id = add_story(service)
    assert library.link(sheet.id, story_id, by="minh") is True
    assert library.link(sheet.id, story_id, by="minh") is False
    with pytest.raises(NotFound, match="no story with id 999"):
        library.link(sheet.id, 999, by="minh")
    # a language code is refused before the database would refuse it (its column holds 8 characters)
    assert library.edit(sheet.id, lang="zh-hans", by="minh").lang == "zh-hans"
    with pytest.raises(FactSheetError, match="give a code like vi"):
        library.edit(sheet.id, lang="zh-12345678", by="minh")
