"""Build caunoi/data/units.sample.csv: Viet Nam's missions abroad and the central units of its
external-information work, as `caunoi units import --sample` loads them.

Run: .venv/bin/python tools/build_units_sample.py EXTRACT [--out caunoi/data/units.sample.csv]

EXTRACT is database_of_embassies.csv of github.com/database-of-embassies/database-of-embassies at
commit b1987a62f9412564fa33c5e9193a65319bc504a3 (a CC0 extract of Wikidata), e.g. from a clone:
`git show b1987a62f9412564fa33c5e9193a65319bc504a3:database_of_embassies.csv > extract.csv`.
Its rows operated by Viet Nam (operator Q881) give the seat, city, accredited countries and website
of 48 missions (source `wikidata:Q…`); the missions it lacks and the central units are listed below
by hand from public facts (source `public list (manual)`): a seat and a city, never an invented
website. Country names in Vietnamese and English and the host media's languages (the seat's
official languages, ISO 639) come from CLDR through babel (a dev dependency, not a runtime one).
units.sample.SOURCE.md beside the output says all this for its readers: keep the two in step.
"""

from __future__ import annotations

import argparse
import csv
import hashlib
import re
import sys
from collections import Counter
from pathlib import Path

import pycountry
from babel import Locale
from babel.languages import get_official_languages

REPO = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(REPO))

from caunoi.timezones import zone_of_country  # noqa: E402
from caunoi.units import IMPORT_COLUMNS, NOTE_COLUMNS  # noqa: E402

OPERATOR = "http://www.wikidata.org/entity/Q881"  # Viet Nam
EXTRACT_BLOB = "cdd6201c0b7112421224651b0c92f572feeed11d"  # the file's git blob at that commit
MANUAL = "public list (manual)"

# the extract's English country names that CLDR and pycountry spell otherwise
COUNTRY_NAMES = {
    "Kingdom of Denmark": "DK",
    "People's Republic of China": "CN",
    "North Korea": "KP",
    "South Korea": "KR",
    "Russia": "RU",
    "Taiwan": "TW",
    "Czech Republic": "CZ",
    "Republic of Ireland": "IE",
    "United States of America": "US",
    "Turkey": "TR",
    "Moldova": "MD",
}
# the city a mission is known by, where the extract names the district or municipality it is in
CITIES = {
    "8th arrondissement of Paris": "Paris",
    "Gentofte Municipality": "Copenhagen",
    "Ixelles - Elsene": "Brussels",
    "Jianwai Subdistrict": "Beijing",
    "Providencia": "Santiago",
    "Psychiko": "Athens",
    "Sakai": "Osaka",
    "Shibuya-ku": "Tokyo",
    "Sofia Capital Municipality": "Sofia",
    "Zugló": "Budapest",
}
CITY_BY_SEAT = {"NO": "Oslo"}  # the extract has no city for the embassy in Norway
# consulates general: their code's city part (IATA) and the city in Vietnamese, by city in English
CONSULATE_CITIES = {
    "Battambang": ("BBM", "Battambang"),
    "Busan": ("PUS", "Busan"),
    "Chongqing": ("CKG", "Trùng Khánh"),
    "Dubai": ("DXB", "Dubai"),
    "Frankfurt": ("FRA", "Frankfurt"),
    "Fukuoka": ("FUK", "Fukuoka"),
    "Guangzhou": ("CAN", "Quảng Châu"),
    "Hong Kong": ("HKG", "Hồng Kông"),
    "Houston": ("HOU", "Houston"),
    "Khon Kaen": ("KKC", "Khon Kaen"),
    "Kunming": ("KMG", "Côn Minh"),
    "Luang Prabang": ("LPQ", "Luang Prabang"),
    "Mumbai": ("BOM", "Mumbai"),
    "Nanning": ("NNG", "Nam Ninh"),
    "Osaka": ("OSA", "Osaka"),
    "Pakse": ("PKZ", "Pakse"),
    "Perth": ("PER", "Perth"),
    "San Francisco": ("SFO", "San Francisco"),
    "Savannakhet": ("ZVK", "Savannakhet"),
    "Shanghai": ("SHA", "Thượng Hải"),
    "Sihanoukville": ("KOS", "Sihanoukville"),
    "Sydney": ("SYD", "Sydney"),
    "Vancouver": ("YVR", "Vancouver"),
    "Vladivostok": ("VVO", "Vladivostok"),
    "Yekaterinburg": ("SVX", "Ekaterinburg"),
}
# English country names said with "the"
WITH_THE = {"US", "GB", "NL", "PH", "AE"}

# the time zone of a mission's city where its country has several (zone.tab); one zone: the country's
CITY_ZONES = {
    "Astana": "Asia/Almaty", "Beijing": "Asia/Shanghai", "Berlin": "Europe/Berlin",
    "Brasília": "America/Sao_Paulo",
    "Buenos Aires": "America/Argentina/Buenos_Aires", "Canberra": "Australia/Sydney",
    "Chongqing": "Asia/Shanghai", "Frankfurt": "Europe/Berlin", "Guangzhou": "Asia/Shanghai",
    "Houston": "America/Chicago", "Jakarta": "Asia/Jakarta", "Kuala Lumpur": "Asia/Kuala_Lumpur",
    "Kunming": "Asia/Shanghai", "Kyiv": "Europe/Kyiv", "Lisbon": "Europe/Lisbon", "Madrid": "Europe/Madrid",
    "Mexico City": "America/Mexico_City", "Moscow": "Europe/Moscow", "Nanning": "Asia/Shanghai",
    "New York": "America/New_York", "Ottawa": "America/Toronto", "Perth": "Australia/Perth",
    "San Francisco": "America/Los_Angeles", "Santiago": "America/Santiago", "Shanghai": "Asia/Shanghai",
    "Sydney": "Australia/Sydney", "Ulaanbaatar": "Asia/Ulaanbaatar", "Vancouver": "America/Vancouver",
    "Vladivostok": "Asia/Vladivostok", "Washington, D.C.": "America/New_York",
    "Wellington": "Pacific/Auckland", "Yekaterinburg": "Asia/Yekaterinburg",
}  # fmt: skip

# the missions the extract lacks: (seat, city); each is a public fact, its accredited countries
# are not given (the seat alone)
MANUAL_EMBASSIES = [
    ("AE", "Abu Dhabi"), ("AZ", "Baku"), ("BD", "Dhaka"), ("BN", "Bandar Seri Begawan"),
    ("DZ", "Algiers"), ("EG", "Cairo"), ("IE", "Dublin"), ("IR", "Tehran"), ("KH", "Phnom Penh"),
    ("KW", "Kuwait City"), ("KZ", "Astana"), ("LA", "Vientiane"), ("LK", "Colombo"), ("MA", "Rabat"),
    ("MM", "Yangon"), ("MY", "Kuala Lumpur"), ("MZ", "Maputo"), ("NG", "Abuja"), ("PH", "Manila"),
    ("PK", "Islamabad"), ("PT", "Lisbon"), ("QA", "Doha"), ("SG", "Singapore"), ("SK", "Bratislava"),
    ("TH", "Bangkok"), ("TZ", "Dar es Salaam"), ("VE", "Caracas"),
]  # fmt: skip
MANUAL_CONSULATES = [
    ("AE", "Dubai"), ("AU", "Perth"), ("AU", "Sydney"), ("CA", "Vancouver"), ("CN", "Chongqing"),
    ("CN", "Guangzhou"), ("CN", "Kunming"), ("CN", "Nanning"), ("CN", "Shanghai"), ("DE", "Frankfurt"),
    ("HK", "Hong Kong"), ("IN", "Mumbai"), ("KH", "Sihanoukville"), ("KR", "Busan"),
    ("LA", "Luang Prabang"), ("LA", "Pakse"), ("LA", "Savannakhet"), ("RU", "Vladivostok"),
    ("RU", "Yekaterinburg"), ("TH", "Khon Kaen"), ("US", "Houston"), ("US", "San Francisco"),
]  # fmt: skip
# permanent missions and delegations to international organisations: code, seat, city, names
PERMANENT_MISSIONS = [
    ("PDTT-UN-NY", "US", "New York",
     "Phái đoàn Đại diện Thường trực Việt Nam tại Liên hợp quốc (New York)",
     "Permanent Mission of Viet Nam to the United Nations (New York)"),
    ("PDTT-UN-GE", "CH", "Geneva",
     "Phái đoàn Đại diện Thường trực Việt Nam tại Liên hợp quốc, Tổ chức Thương mại Thế giới và các "
     "tổ chức quốc tế khác tại Geneva",
     "Permanent Mission of Viet Nam to the United Nations Office, the World Trade Organization and "
     "other international organisations in Geneva"),
    ("PDTT-UNESCO", "FR", "Paris",
     "Phái đoàn Đại diện Thường trực Việt Nam tại UNESCO",
     "Permanent Delegation of Viet Nam to UNESCO"),
    ("PDTT-ASEAN", "ID", "Jakarta",
     "Phái đoàn Đại diện Thường trực Việt Nam tại ASEAN",
     "Permanent Mission of Viet Nam to ASEAN"),
]  # fmt: skip
OFFICE = ("VP-TW", "Văn phòng Kinh tế và Văn hóa Việt Nam tại Đài Bắc",
          "Vietnam Economic and Cultural Office in Taipei")  # fmt: skip
# the central units at home (kind unit): code, type, name, English name, website
CENTRAL_UNITS = [
    ("BCD-TTDN", "office", "Ban Chỉ đạo công tác thông tin đối ngoại",
     "Steering Committee for External Information Work", ""),
    ("BNG-TTBC", "ministry_department", "Vụ Thông tin Báo chí, Bộ Ngoại giao",
     "Press and Information Department, Ministry of Foreign Affairs", ""),
    ("BNG-NGVH", "ministry_department", "Vụ Ngoại giao Văn hóa và UNESCO, Bộ Ngoại giao",
     "Department of Cultural Diplomacy and UNESCO Affairs, Ministry of Foreign Affairs", ""),
    ("BNG-UBNV", "ministry_department", "Ủy ban Nhà nước về người Việt Nam ở nước ngoài, Bộ Ngoại giao",
     "State Committee for Overseas Vietnamese Affairs, Ministry of Foreign Affairs", ""),
    ("BVHTTDL-TTDN", "ministry_department",
     "Cục Thông tin cơ sở và Thông tin đối ngoại, Bộ Văn hóa, Thể thao và Du lịch",
     "Department of Grassroots and External Information, Ministry of Culture, Sports and Tourism", ""),
    ("BVHTTDL-BC", "ministry_department", "Cục Báo chí, Bộ Văn hóa, Thể thao và Du lịch",
     "Press Department, Ministry of Culture, Sports and Tourism", ""),
    ("TTXVN", "press_agency", "Thông tấn xã Việt Nam", "Vietnam News Agency (VNA)", "https://vnanet.vn/"),
    ("VNPLUS", "press_agency", "Báo điện tử VietnamPlus (Thông tấn xã Việt Nam)",
     "VietnamPlus (Vietnam News Agency)", "https://www.vietnamplus.vn/"),
    ("VOV", "press_agency", "Đài Tiếng nói Việt Nam", "Voice of Vietnam (VOV)", "https://vov.vn/"),
    ("VTV", "press_agency", "Đài Truyền hình Việt Nam", "Vietnam Television (VTV)", "https://vtv.vn/"),
    ("BAO-ND", "press_agency", "Báo Nhân Dân", "Nhan Dan newspaper", "https://nhandan.vn/"),
    ("BAO-TGVN", "press_agency", "Báo Thế giới và Việt Nam (Bộ Ngoại giao)",
     "The World and Vietnam Report (Ministry of Foreign Affairs)", "https://baoquocte.vn/"),
]  # fmt: skip

VI = Locale("vi").territories
EN = Locale("en").territories


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("extract", type=Path, help="database_of_embassies.csv at the commit above")
    parser.add_argument("--out", type=Path, default=REPO / "caunoi" / "data" / "units.sample.csv")
    args = parser.parse_args()
    data = args.extract.read_bytes()
    blob = hashlib.sha1(b"blob %d\0" % len(data) + data).hexdigest()
    if blob != EXTRACT_BLOB:
        print(f"note: {args.extract} is not the file the sample was built from ({blob})", file=sys.stderr)
    rows = central_units() + sorted(missions(data.decode("utf-8")), key=lambda r: r["code"])
    with args.out.open("w", encoding="utf-8", newline="") as out:
        writer = csv.DictWriter(out, fieldnames=[*IMPORT_COLUMNS, *NOTE_COLUMNS], lineterminator="\n")
        writer.writeheader()
        writer.writerows(rows)
    counts = Counter(r["type"] for r in rows)
    print(f"{args.out}: {len(rows)} rows, " + ", ".join(f"{n} {t}" for t, n in counts.items()))


def missions(extract: str) -> list[dict[str, str]]:
    found = [r for r in csv.DictReader(extract.splitlines(), delimiter=";") if r["operatorQID"] == OPERATOR]
    rows = [from_extract(r) for r in found]
    rows += [embassy(seat, city, [seat], "", MANUAL) for seat, city in MANUAL_EMBASSIES]
    rows += [consulate(seat, city, "", MANUAL) for seat, city in MANUAL_CONSULATES]
    for code, seat, city, name, name_en in PERMANENT_MISSIONS:
        rows.append(mission(code, name, name_en, "permanent_mission", seat, [seat], city, "", MANUAL))
    codes = Counter(r["code"] for r in rows)
    assert all(n == 1 for n in codes.values()), [c for c, n in codes.items() if n > 1]
    # a country with its own embassy here is no longer covered by another (the extract still lists
    # Portugal under the embassy in France, and Ireland under the one in the United Kingdom)
    own = {r["country"] for r in rows if r["type"] == "embassy"}
    for row in rows:
        covered = row["countries"].split(",")
        row["countries"] = ",".join(c for c in covered if c == row["country"] or c not in own)
    return rows


def from_extract(row: dict[str, str]) -> dict[str, str]:
    seat = iso(row["country"])
    city = CITIES.get(row["city"], row["city"]) or CITY_BY_SEAT[seat]
    covered = [iso(name) for name in row["jurisdictions"].split("|") if name]
    website = re.sub(r"[\s\u200b]+", "", row["website"])
    source = "wikidata:" + row["QID"].rsplit("/", 1)[-1]
    if row["type"] == "embassy":
        return embassy(seat, city, covered, website, source)
    if row["type"] == "consulate general":
        return consulate(seat, city, website, source)
    if row["type"] == "de facto embassy" and seat == "TW":
        code, name, name_en = OFFICE
        return mission(code, name, name_en, "office", seat, covered, city, website, source)
    raise SystemExit(f"a mission of a type not mapped: {row['type']} in {row['country']}")


def embassy(seat: str, city: str, covered: list[str], website: str, source: str) -> dict[str, str]:
    name = f"Đại sứ quán Việt Nam tại {country_vi(seat)}"
    name_en = f"Embassy of Viet Nam in {country_en(seat)}"
    return mission(f"DSQ-{seat}", name, name_en, "embassy", seat, covered, city, website, source)


def consulate(seat: str, city: str, website: str, source: str) -> dict[str, str]:
    short, city_vi = CONSULATE_CITIES[city]
    name, name_en = f"Tổng Lãnh sự quán Việt Nam tại {city_vi}", f"Consulate General of Viet Nam in {city}"
    code = f"TLSQ-{seat}-{short}"
    return mission(code, name, name_en, "consulate_general", seat, [seat], city, website, source)


def mission(code: str, name: str, name_en: str, type_: str, seat: str, covered: list[str], city: str,
            website: str, source: str) -> dict[str, str]:  # fmt: skip
    countries = [seat, *(c for c in covered if c != seat)]
    return {
        "code": code, "name": name, "name_en": name_en, "kind": "mission", "type": type_,
        "country": seat, "countries": ",".join(countries), "city": city,
        "languages": ",".join(languages(seat)), "website": website,
        "timezone": CITY_ZONES.get(city) or zone_of_country(seat) or "", "source": source,
    }  # fmt: skip


def central_units() -> list[dict[str, str]]:
    return [
        {"code": code, "name": name, "name_en": name_en, "kind": "unit", "type": type_, "country": "",
         "countries": "", "city": "Hà Nội", "languages": "", "website": website, "timezone": "",
         "source": MANUAL}
        for code, type_, name, name_en, website in CENTRAL_UNITS
    ]  # fmt: skip


def iso(name: str) -> str:
    if name in COUNTRY_NAMES:
        return COUNTRY_NAMES[name]
    try:
        return pycountry.countries.lookup(name).alpha_2
    except LookupError:
        raise SystemExit(f"no ISO code for the extract's country {name!r}: add it to COUNTRY_NAMES") from None


def country_vi(code: str) -> str:
    return _plain(VI[code])


def country_en(code: str) -> str:
    return ("the " if code in WITH_THE else "") + _plain(EN[code])


def _plain(name: str) -> str:
    """A CLDR name without its gloss: "Myanmar (Miến Điện)" → "Myanmar"."""
    return re.sub(r"\s*\(.*\)$", "", name)


def languages(seat: str) -> list[str]:
    """The seat's official languages in CLDR (de facto ones too), as ISO 639 codes without script."""
    codes: list[str] = []
    for tag in get_official_languages(seat, de_facto=True):
        if (code := tag.split("_")[0]) not in codes:
            codes.append(code)
    return codes


if __name__ == "__main__":
    main()
