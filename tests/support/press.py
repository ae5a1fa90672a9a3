"""The press a test of earned coverage reads (caunoi.outreach.coverage): the release of the embassy in
Paris presenting a Vietnamese culture week on 13/10/2026, an outlet's reprint of three of its
sentences, and an interview in its own words naming the mission and the ambassador."""

from __future__ import annotations

RELEASE = (
    "Ngày 13/10/2026, Đại sứ quán Việt Nam tại Pháp tổ chức họp báo giới thiệu Tuần Văn hóa Việt Nam "
    "tại Paris, diễn ra từ ngày 20 đến 26/10 tại Trung tâm Văn hóa Việt Nam. "
    "Phát biểu tại họp báo, Đại sứ Đinh Toàn Thắng cho biết Tuần Văn hóa là dịp để công chúng Pháp tìm "
    "hiểu về lịch sử, con người và nền văn hóa đa dạng của Việt Nam. "
    "Chương trình gồm triển lãm ảnh về di sản thế giới, biểu diễn nghệ thuật truyền thống, trình diễn "
    "áo dài và giới thiệu ẩm thực của ba miền đất nước. "
    "Hội hữu nghị Pháp – Việt Nam phối hợp tổ chức nhiều buổi giao lưu giữa nghệ sĩ hai nước tại các "
    "thành phố Lyon và Marseille. "
    "Đại sứ nhấn mạnh Việt Nam là đối tác tin cậy và mong muốn thúc đẩy hơn nữa quan hệ đối tác chiến "
    "lược với Pháp trong các lĩnh vực văn hóa, giáo dục và du lịch."
)
SENTENCES = [s.strip() + "." for s in RELEASE.split(". ")]

# an outlet that took three of the release's sentences, with a lead and a closing of its own
REPRINT = (
    "Tuần Văn hóa Việt Nam tại Paris hứa hẹn nhiều hoạt động đặc sắc",
    "(BQT) - Bạn đọc yêu văn hóa Việt Nam tại Pháp sẽ có một tuần lễ đáng nhớ vào cuối tháng này.\n"
    f"{SENTENCES[0]} {SENTENCES[1]}\n{SENTENCES[2]}\n"
    "Ban tổ chức cho biết vé vào cửa các buổi biểu diễn được phát miễn phí tại quầy lễ tân của trung tâm.",
)
# an article in its own words that names the mission and the ambassador
INTERVIEW = (
    "Đại sứ Đinh Toàn Thắng: Văn hóa là nhịp cầu gắn kết hai dân tộc",
    "Trả lời phóng viên bên lề buổi họp báo ngày 13/10 tại Paris, Đại sứ Đinh Toàn Thắng nói rằng cộng "
    "đồng người Việt tại Pháp mong chờ sự kiện này từ nhiều tháng nay.\n"
    "Theo ông, Đại sứ quán Việt Nam tại Pháp đã làm việc với nhiều bảo tàng và trường đại học để đưa "
    "những nghệ nhân giỏi nhất sang biểu diễn. Ông cũng kêu gọi các doanh nghiệp Pháp quan tâm hơn tới "
    "thị trường du lịch Việt Nam, nơi lượng khách Pháp tăng đều trong những năm gần đây.",
)
