"""Every word a user reads, in Vietnamese (the default) and English, in one place.

LABELS are the web UI's words (templates read them as `t.key`); REPORT_LABELS the brief's and the
alert mail's; name_of() and topic_names() give countries, entities and topics their names in a
language; refusal() says a refusal (a caunoi.errors.CaunoiError) in the page's language, from the
catalogue caunoi/data/refusals.tsv: one Vietnamese wording per error code, with the error's values
filled in (a case state or a role put in words). A refusal's English is its own message. A test keeps
the catalogue in step with every code the code raises.
"""

from __future__ import annotations

import functools
import string
from pathlib import Path
from typing import Any

from caunoi.errors import CaunoiError

LANGS = ("vi", "en")
REFUSALS = Path(__file__).resolve().parent / "data" / "refusals.tsv"

LABELS: dict[str, dict[str, str]] = {
    "vi": {
        "app": "Cầu Nối",
        "tagline": "Thông tin đối ngoại",
        "dashboard": "Tổng quan",
        "search": "Tìm kiếm",
        "stories": "Câu chuyện",
        "alerts": "Cảnh báo",
        "cases": "Vụ việc",
        "sources": "Nguồn tin",
        "login": "Đăng nhập",
        "logout": "Đăng xuất",
        "username": "Tên đăng nhập",
        "password": "Mật khẩu",
        "login_title": "Đăng nhập Cầu Nối",
        "language": "Ngôn ngữ",
        "articles": "bài",
        "articles_per_day": "Số bài theo ngày",
        "tone_per_day": "Sắc thái trung bình theo ngày",
        "by_outlet": "Theo cơ quan báo chí",
        "by_country": "Theo quốc gia được nhắc tới",
        "by_language": "Theo ngôn ngữ",
        "top_entities": "Thực thể nổi bật",
        "doc_refs": "Văn bản được trích dẫn",
        "map": "Bản đồ đưa tin theo quốc gia",
        "window": "30 ngày đến",
        "none": "Không có.",
        "query": "Từ khoá",
        "exact": "Khớp dấu chính xác",
        "from": "Từ ngày",
        "to": "Đến ngày",
        "lang": "Ngôn ngữ",
        "outlet": "Cơ quan báo chí",
        "topic": "Chủ đề",
        "country": "Quốc gia",
        "entity": "Thực thể",
        "doc_ref": "Văn bản",
        "category": "Chuyên mục",
        "tone": "Sắc thái",
        "tone_min": "Sắc thái từ",
        "tone_max": "đến",
        "sort": "Sắp xếp",
        "relevance": "Liên quan",
        "date": "Ngày",
        "go": "Tìm",
        "results": "kết quả",
        "no_results": "Không có bài nào khớp.",
        "facets": "Lọc theo",
        "clear": "Bỏ lọc",
        "bad_query": "Truy vấn không hợp lệ",
        "search_hint": 'Từ, "cụm từ", AND / OR / NOT, -từ; không cần dấu: "doi ngoai" tìm thấy "đối ngoại".',
        "previous": "Trang trước",
        "next": "Trang sau",
        "published": "Ngày đăng",
        "source": "Nguồn",
        "author": "Tác giả",
        "open_original": "Bài gốc",
        "entities": "Thực thể",
        "topics": "Chủ đề",
        "story": "Câu chuyện",
        "reprint_of": "Đăng lại từ bài",
        "copies": "Các bản khác",
        "subject_tone": "Sắc thái về Việt Nam",
        "keywords": "Từ khoá chính",
        "attribution": "Theo",
        "summary": "Tóm tắt",
        "timeline": "Diễn biến",
        "day": "Ngày",
        "first": "Bài đầu tiên",
        "outlets": "Cơ quan báo chí",
        "countries": "Quốc gia",
        "languages": "Ngôn ngữ",
        "reprints": "bài đăng lại",
        "first_seen": "Bắt đầu",
        "last_seen": "Gần nhất",
        "active": "Đang diễn ra",
        "title": "Tiêu đề",
        "inbox": "Hộp cảnh báo",
        "state": "Trạng thái",
        "rule": "Quy tắc",
        "severity": "Mức độ",
        "created": "Lúc",
        "mark_read": "Đánh dấu đã đọc",
        "open_case": "Mở vụ việc",
        "all": "Tất cả",
        "new": "Mới",
        "read": "Đã đọc",
        "dismissed": "Bỏ qua",
        "triaged": "Đã phân loại",
        "assigned": "Đã giao",
        "answered": "Đã trả lời",
        "closed": "Đã đóng",
        "priority": "Ưu tiên",
        "unit": "Đơn vị",
        "deadline": "Hạn",
        "overdue": "Quá hạn",
        "assignee": "Người xử lý",
        "triage": "Phân loại",
        "assign": "Giao",
        "answer": "Trả lời",
        "close": "Đóng",
        "reopen": "Mở lại",
        "respond": "Thêm phản hồi",
        "note": "Ghi chú",
        "kind": "Hình thức",
        "url": "Đường dẫn",
        "history": "Lịch sử",
        "action_open": "Mở vụ việc",
        "action_triage": "Phân loại",
        "action_assign": "Giao",
        "action_answer": "Trả lời",
        "action_respond": "Thêm phản hồi",
        "action_close": "Đóng",
        "action_reopen": "Mở lại",
        "action_add": "Tạo",
        "action_edit": "Sửa",
        "action_link": "Gắn với câu chuyện",
        "severity_low": "Thấp",
        "severity_medium": "Trung bình",
        "severity_high": "Cao",
        "responses": "Phản hồi",
        "by": "Người thực hiện",
        "at": "Lúc",
        "reason": "Lý do",
        "case": "Vụ việc",
        "board_own": "Chỉ hiện vụ việc của đơn vị bạn",
        "enabled": "Bật",
        "last_success": "Thành công gần nhất",
        "last_error": "Lỗi gần nhất",
        "failures": "Lỗi liên tiếp",
        "per_day": "Bài/ngày",
        "pending": "Đang chờ",
        "health": "Tình trạng",
        "alive": "Hoạt động",
        "dead": "Ngừng",
        "yes": "có",
        "no": "không",
        "forbidden": "Không có quyền",
        "forbidden_text": "Vai trò của bạn không được xem hoặc thay đổi mục này.",
        "not_found": "Không tìm thấy",
        "not_found_text": "Mục bạn tìm không tồn tại.",
        "refused": "Không thực hiện được",
        "back": "Quay lại",
        "signed_in_as": "Đăng nhập với tên",
        "role_admin": "quản trị",
        "role_analyst": "chuyên viên",
        "role_mission_officer": "cán bộ cơ quan đại diện",
        "role_viewer": "người xem",
        "menu": "Danh mục",
        "article": "Bài viết",
        "story_chart": "Số bài theo ngày",
        "priority_low": "Thấp",
        "priority_normal": "Bình thường",
        "priority_high": "Cao",
        "priority_urgent": "Khẩn",
        "kind_statement": "Tuyên bố",
        "kind_fact_sheet": "Tài liệu cung cấp thông tin",
        "kind_position": "Lập trường chính thức",
        "kind_interview": "Trả lời phỏng vấn",
        "kind_article": "Bài viết",
        "kind_other": "Khác",
        "factsheets": "Tài liệu thông tin",
        "factsheets_title": "Tài liệu cung cấp thông tin và lập trường chính thức",
        "factsheet_hint": 'Mọi từ, có dấu hay không: "bien dong" tìm thấy "Biển Đông".',
        "no_factsheets": "Không có tài liệu nào.",
        "new_factsheet": "Thêm tài liệu",
        "edit": "Sửa",
        "save": "Lưu",
        "body": "Nội dung",
        "tags": "Thẻ",
        "tags_hint": "cách nhau bởi dấu phẩy",
        "updated": "Cập nhật",
        "linked_stories": "Câu chuyện được trả lời",
        "answered_by": "Tài liệu đã dùng để trả lời",
        "link_story": "Gắn với câu chuyện",
        "story_id": "Mã câu chuyện",
        "with_factsheet": "bằng tài liệu",
        "story_factsheets": "Tài liệu của câu chuyện này",
        "library": "Thư viện tài liệu",
        "saved_searches": "Tìm kiếm đã lưu",
        "save_search": "Lưu tìm kiếm này",
        "save_search_hint": "Lưu từ khoá và bộ lọc, trừ khoảng ngày và cách sắp xếp; lưu lại dưới "
        "tên mình đã dùng thì cập nhật bản cũ. Quy tắc cảnh báo có thể theo dõi một tìm kiếm đã lưu.",
        "save_search_empty": "Chỉ lưu được tìm kiếm có từ khoá hoặc bộ lọc (ngoài khoảng ngày).",
        "save_search_taken": "Tên này là của một tìm kiếm người khác đã lưu (cảnh báo có thể đang dùng): "
        "hãy chọn tên khác.",
        "name_needed": "Hãy đặt tên cho tìm kiếm (tối đa 200 ký tự).",
        "no_saved_searches": "Chưa có tìm kiếm nào được lưu.",
        "name": "Tên",
        "filters": "Bộ lọc",
        "saved_by": "Người lưu",
        "event_type": "Loại sự kiện",
        "tone_of": "Sắc thái của",
        "tone_of_article": "cả bài",
        "tone_of_subject": "đoạn nói về Việt Nam",
    },
    "en": {
        "app": "Cầu Nối",
        "tagline": "External information",
        "dashboard": "Dashboard",
        "search": "Search",
        "stories": "Stories",
        "alerts": "Alerts",
        "cases": "Cases",
        "sources": "Sources",
        "login": "Log in",
        "logout": "Log out",
        "username": "Username",
        "password": "Password",
        "login_title": "Log in to Cầu Nối",
        "language": "Language",
        "articles": "articles",
        "articles_per_day": "Articles per day",
        "tone_per_day": "Mean tone per day",
        "by_outlet": "By outlet",
        "by_country": "By country mentioned",
        "by_language": "By language",
        "top_entities": "Top entities",
        "doc_refs": "Documents cited",
        "map": "World map of coverage by country",
        "window": "30 days to",
        "none": "None.",
        "query": "Query",
        "exact": "Match diacritics exactly",
        "from": "From",
        "to": "To",
        "lang": "Language",
        "outlet": "Outlet",
        "topic": "Topic",
        "country": "Country",
        "entity": "Entity",
        "doc_ref": "Document",
        "category": "Section",
        "tone": "Tone",
        "tone_min": "Tone from",
        "tone_max": "to",
        "sort": "Sort",
        "relevance": "Relevance",
        "date": "Date",
        "go": "Search",
        "results": "results",
        "no_results": "No articles match.",
        "facets": "Refine",
        "clear": "Clear filters",
        "bad_query": "Bad query",
        "search_hint": 'Words, "phrases", AND / OR / NOT, -word; "doi ngoai" also finds "đối ngoại".',
        "previous": "Previous",
        "next": "Next",
        "published": "Published",
        "source": "Source",
        "author": "Author",
        "open_original": "Original",
        "entities": "Entities",
        "topics": "Topics",
        "story": "Story",
        "reprint_of": "Reprint of article",
        "copies": "Other copies",
        "subject_tone": "Tone about Viet Nam",
        "keywords": "Keywords",
        "attribution": "Via",
        "summary": "Summary",
        "timeline": "Timeline",
        "day": "Day",
        "first": "First article",
        "outlets": "Outlets",
        "countries": "Countries",
        "languages": "Languages",
        "reprints": "reprints",
        "first_seen": "First seen",
        "last_seen": "Last seen",
        "active": "Active",
        "title": "Title",
        "inbox": "Alerts inbox",
        "state": "State",
        "rule": "Rule",
        "severity": "Severity",
        "created": "At",
        "mark_read": "Mark read",
        "open_case": "Open a case",
        "all": "All",
        "new": "New",
        "read": "Read",
        "dismissed": "Dismissed",
        "triaged": "Triaged",
        "assigned": "Assigned",
        "answered": "Answered",
        "closed": "Closed",
        "priority": "Priority",
        "unit": "Unit",
        "deadline": "Deadline",
        "overdue": "Overdue",
        "assignee": "Assignee",
        "triage": "Triage",
        "assign": "Assign",
        "answer": "Answer",
        "close": "Close",
        "reopen": "Reopen",
        "respond": "Add a response",
        "note": "Note",
        "kind": "Kind",
        "url": "URL",
        "history": "History",
        "action_open": "Opened",
        "action_triage": "Triaged",
        "action_assign": "Assigned",
        "action_answer": "Answered",
        "action_respond": "Response added",
        "action_close": "Closed",
        "action_reopen": "Reopened",
        "action_add": "Created",
        "action_edit": "Edited",
        "action_link": "Linked to a story",
        "severity_low": "Low",
        "severity_medium": "Medium",
        "severity_high": "High",
        "responses": "Responses",
        "by": "By",
        "at": "At",
        "reason": "Reason",
        "case": "Case",
        "board_own": "Only your mission's cases are shown",
        "enabled": "Enabled",
        "last_success": "Last success",
        "last_error": "Last error",
        "failures": "Failures in a row",
        "per_day": "Articles/day",
        "pending": "Pending",
        "health": "Health",
        "alive": "Alive",
        "dead": "Dead",
        "yes": "yes",
        "no": "no",
        "forbidden": "Forbidden",
        "forbidden_text": "Your role may not see or change this.",
        "not_found": "Not found",
        "not_found_text": "What you asked for does not exist.",
        "refused": "Refused",
        "back": "Back",
        "signed_in_as": "Signed in as",
        "role_admin": "administrator",
        "role_analyst": "analyst",
        "role_mission_officer": "mission officer",
        "role_viewer": "viewer",
        "menu": "Menu",
        "article": "Article",
        "story_chart": "Articles per day",
        "priority_low": "Low",
        "priority_normal": "Normal",
        "priority_high": "High",
        "priority_urgent": "Urgent",
        "kind_statement": "Statement",
        "kind_fact_sheet": "Fact sheet",
        "kind_position": "Official position",
        "kind_interview": "Interview",
        "kind_article": "Article",
        "kind_other": "Other",
        "factsheets": "Fact sheets",
        "factsheets_title": "Fact sheets and official positions",
        "factsheet_hint": 'Every word, with or without diacritics: "bien dong" finds "Biển Đông".',
        "no_factsheets": "No fact sheets.",
        "new_factsheet": "New fact sheet",
        "edit": "Edit",
        "save": "Save",
        "body": "Text",
        "tags": "Tags",
        "tags_hint": "separated by commas",
        "updated": "Updated",
        "linked_stories": "Stories it answers",
        "answered_by": "Fact sheets answering it",
        "link_story": "Link to a story",
        "story_id": "Story id",
        "with_factsheet": "with a fact sheet",
        "story_factsheets": "This story's fact sheets",
        "library": "Fact sheet library",
        "saved_searches": "Saved searches",
        "save_search": "Save this search",
        "save_search_hint": "Keeps the query and filters, not the dates or the order; saving again under "
        "a name you used updates it. Alert rules can watch a saved search.",
        "save_search_empty": "Only a search with a query or a filter (besides dates) can be saved.",
        "save_search_taken": "Someone else saved a search under this name (alert rules may watch it): "
        "choose another name.",
        "name_needed": "Give the search a name (up to 200 characters).",
        "no_saved_searches": "No saved searches yet.",
        "name": "Name",
        "filters": "Filters",
        "saved_by": "Saved by",
        "event_type": "Event type",
        "tone_of": "Tone of",
        "tone_of_article": "the whole article",
        "tone_of_subject": "passages about Viet Nam",
    },
}

REPORT_LABELS: dict[str, dict[str, str]] = {
    "vi": {
        "brief": "ĐIỂM TIN", "brief_sub": "Thông tin báo chí trong và ngoài nước", "from": "Từ", "to": "đến",
        "articles": "bài", "stories": "câu chuyện", "outlets": "cơ quan báo chí",
        "top": "Các câu chuyện nổi bật",
        "other": "Khác", "countries": "Quốc gia", "tone": "Sắc thái", "reprints": "bài đăng lại",
        "alerts": "Cảnh báo mới", "cases": "Vụ việc đang xử lý", "deadline": "Hạn", "unit": "Đơn vị",
        "state": "Trạng thái", "overdue": "QUÁ HẠN", "none": "Không có.", "by_region": "Theo khu vực",
        "read": "Đọc", "region_unknown": "Chưa xác định", "why": "Căn cứ", "rule": "Quy tắc",
        "made": "Lập bởi Cầu Nối lúc", "in_window": "trong kỳ", "total": "tổng",
    },
    "en": {
        "brief": "MORNING BRIEF", "brief_sub": "Press coverage at home and abroad",
        "from": "From", "to": "to",
        "articles": "articles", "stories": "stories", "outlets": "outlets", "top": "Top stories",
        "other": "Other", "countries": "Countries", "tone": "Tone", "reprints": "reprints",
        "alerts": "New alerts", "cases": "Open cases", "deadline": "Deadline", "unit": "Unit",
        "state": "State", "overdue": "OVERDUE", "none": "None.", "by_region": "By region",
        "read": "Read", "region_unknown": "Unknown", "why": "Why", "rule": "Rule",
        "made": "Made by Cầu Nối at", "in_window": "in the period", "total": "total",
    },
}  # fmt: skip


# -- names of countries, entities and topics -------------------------------------------------------


def name_of(value: str, kind: str = "entity", lang: str = "vi") -> str:
    """What a user reads for a tag value: "CN" -> Trung Quốc, "culture_tourism" -> Văn hóa và du lịch."""
    if kind == "topic":
        return topic_names(lang).get(value, value)
    from caunoi.enrich.gazetteer import load_gazetteer

    entry = load_gazetteer().get(f"country:{value}" if kind == "country" else value)
    if entry is None:
        return value
    return (entry.name_vi or entry.name_en) if lang == "vi" else (entry.name_en or entry.name_vi)


@functools.cache
def topic_names(lang: str) -> dict[str, str]:
    from caunoi.enrich.categories import LABELS as SECTIONS
    from caunoi.enrich.taxonomy import load_taxonomy

    names = {
        key: (text.split(" (", 1)[0] if lang == "vi" else key.capitalize()) for key, text in SECTIONS.items()
    }
    names.update({topic.id: topic.vi if lang == "vi" else topic.en for topic in load_taxonomy()})
    return names


def alpha3(code: str) -> str | None:
    from caunoi.enrich.gazetteer import load_gazetteer

    entry = load_gazetteer().get(f"country:{code}")
    return (entry.get("alpha3") or None) if entry is not None else None


# the words a refusal's values are said in, by the format spec its wording gives them: {state:state}
WORDS: dict[str, dict[str, dict[str, str]]] = {
    "vi": {
        "state": {
            "new": "mới",
            "triaged": "đã phân loại",
            "assigned": "đã giao",
            "answered": "đã trả lời",
            "closed": "đã đóng",
        },
        "field": {
            "priority": "mức ưu tiên",
            "unit kind": "loại đơn vị",
            "role": "vai trò",
            "language": "ngôn ngữ",
            "state": "trạng thái",
            "response kind": "hình thức phản hồi",
            "fact sheet kind": "loại tài liệu",
            "from": "Từ ngày",
            "to": "Đến ngày",
            "tone_min": "Sắc thái từ",
            "tone_max": "Sắc thái đến",
            "tone_of": "Sắc thái của",
            "sort": "Sắp xếp",
            "limit": "Số kết quả",
            "offset": "Bỏ qua",
            "country": "Quốc gia",
            "entity": "Thực thể",
        },
        "role": {key[5:]: words for key, words in LABELS["vi"].items() if key.startswith("role_")},
        "kind": {key[5:]: words.lower() for key, words in LABELS["vi"].items() if key.startswith("kind_")},
    },
}


def refusal(error: BaseException | str | None, lang: str) -> str | None:
    """What a user reads for `error` on a page in `lang`: its wording in the catalogue, with its
    values; its own message when the catalogue has no wording (English, or not a coded refusal)."""
    if error is None or isinstance(error, str):
        return error
    wording = catalogue(lang).get(error.code) if isinstance(error, CaunoiError) else None
    if wording is None:
        return str(error)
    return _Wording(WORDS.get(lang, {})).format(wording, **error.params)


@functools.cache
def catalogue(lang: str) -> dict[str, str]:
    """Error code -> its wording in `lang` (with {value} placeholders). English is given only where
    a page says it otherwise than the refusal's own message."""
    column = LANGS.index(lang) + 1
    rows = (line.split("\t") for line in REFUSALS.read_text(encoding="utf-8").splitlines())
    return {row[0]: row[column] for row in rows if row[0] and row[0][0] != "#" and len(row) > column}


class _Wording(string.Formatter):
    """str.format where a spec naming a group of WORDS says the value in words: {state:state}."""

    def __init__(self, words: dict[str, dict[str, str]]):
        self.words = words

    def format_field(self, value: Any, format_spec: str) -> str:
        if format_spec in self.words:
            return self.words[format_spec].get(str(value), str(value))
        return super().format_field(value, format_spec)
