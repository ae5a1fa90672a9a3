"""caunoi.models: records as JSON-ready data."""

from __future__ import annotations

import json
from datetime import date, datetime

from caunoi.models import DateMention, SourceSpec, as_json


def test_a_record_becomes_json_ready_data_with_its_fields_in_order():
    spec = SourceSpec(name="Dân trí", home="https://dantri.com.vn/", feeds=["https://dantri.com.vn/rss.xml"])
    data = as_json({"spec": spec, "seen": (datetime(2021, 4, 30, 8, 0), date(2021, 4, 29))})
    assert list(data["spec"])[:4] == ["name", "home", "feeds", "sitemaps"]
    assert data["spec"]["feeds"] == ["https://dantri.com.vn/rss.xml"]
    assert data["seen"] == ["2021-04-30T08:00:00", "2021-04-29"]
    json.dumps(data)  # nothing left that JSON cannot hold


def test_nested_records_and_lists_of_them():
    mention = DateMention(text="Sáng 19/2", start=0, end=9, date=date(2024, 2, 19), precision="day")
    assert as_json([mention])[0]["date"] == "2024-02-19"
    assert as_json(SourceSpec) is SourceSpec  # a class is not a record
