"""The brief's page (/brief) on real articles of 29 and 30 April 2021: an analyst ticks, reorders and
comments the proposed stories, saves the edition, previews and downloads it and mails it to an
e-mail channel; the history says who did what; a viewer reads it and may change nothing; the
command line writes the saved edition."""

from __future__ import annotations

import dataclasses
import email
import email.policy
import io
import re

import docx
import pypdf
import pytest
from support.app import Site, csrf_of
from support.cli import caunoi
from support.mail import Mailbox, smtp_server

from caunoi.app import create_app

PASSWORD = "một câu mật khẩu dài 2024"
AT = "2021-04-30T08:00"


@pytest.fixture(scope="module")
def site(brief_day):
    mailbox = Mailbox()
    with smtp_server(mailbox) as smtp:
        settings = dataclasses.replace(
            brief_day.settings, smtp_host="127.0.0.1", smtp_port=smtp.port, smtp_security="none"
        )
        app = create_app(settings)
        service = app.state.service
        service.users.add_user("lan", PASSWORD, "analyst", by="t")
        service.users.add_user("xem", PASSWORD, "viewer", by="t")
        service.alerts.add_channel("lanh-dao-ui", "email", "lanh-dao@bo.example.vn")
        yield Site(app, service, {}, PASSWORD), mailbox
        service.close()


def listed(page: str) -> list[tuple[str, bool]]:
    """The stories of an editor page in its order: (title, ticked)."""
    items = page.split('<ol class="brief-items">', 1)[1].split("</ol>", 1)[0].split("<li ")[1:]
    return [
        (re.search(r'class="title"[^>]*>([^<]*)', item)[1], 'name="include"' in item and " checked>" in item)
        for item in items
    ]


def as_sent(fields: list[tuple[str, str]]) -> dict[str, list[str]]:
    """Form fields, repeated ones in their order, as the test client posts them."""
    sent: dict[str, list[str]] = {}
    for name, value in fields:
        sent.setdefault(name, []).append(value)
    return sent


def the_form(page: str) -> list[tuple[str, str]]:
    """What the browser sends for the editor form as it stands: its stories, ticks, comments, note."""
    form = page.split('class="brief-editor">', 1)[1].split("</form>", 1)[0]
    fields = [("csrf_token", csrf_of(page))]
    fields += re.findall(r'<input type="hidden" name="(start|end|lang|story)" value="([^"]*)"', form)
    fields += [("include", v) for v in re.findall(r'name="include" value="(\d+)" checked', form)]
    for name, text in re.findall(r'<textarea name="(note|comment_\d+)"[^>]*>([^<]*)</textarea>', form):
        fields.append((name, text))
    return fields


def test_an_analyst_picks_orders_comments_and_sends_the_brief(site, tmp_path):
    site, mailbox = site
    lan = site.client("lan")
    page = lan.get(f"/brief?at={AT}").text
    proposed = listed(page)
    assert "Bộ Ngoại giao" in proposed[0][0] and all(ticked for _, ticked in proposed)
    hoang_sa, india, football, other_football = re.findall(r'name="story" value="(\d+)"', page)

    form = [(k, v) for k, v in the_form(page) if (k, v) != ("include", other_football)]
    form = [(k, "Kính gửi lãnh đạo: điểm tin sáng 30/4.") if k == "note" else (k, v) for k, v in form]
    form.append((f"comment_{hoang_sa}", "Đề nghị đăng tải lập trường của Bộ trên trang tiếng Anh."))
    saved = lan.post("/brief/editions", data=as_sent(form), follow_redirects=False)
    assert saved.status_code == 303
    edition = saved.headers["location"]
    page = lan.get(edition).text
    assert [ticked for _, ticked in listed(page)] == [True, True, True, False]
    # football down one place, then India up: the buttons submit the form as it stands
    for move in (f"down:{football}", f"up:{india}"):
        moved = lan.post(edition, data=as_sent([*the_form(page), ("move", move)]), follow_redirects=False)
        assert moved.status_code == 303 and moved.headers["location"].endswith("#s" + move.split(":")[1])
        page = lan.get(edition).text
    titles = [title for title, _ in listed(page)]
    assert "Ấn Độ" in titles[0] and "Bộ Ngoại giao" in titles[1]

    preview = lan.get(f"{edition}/preview").text
    assert "Kính gửi lãnh đạo" in preview and "trang tiếng Anh" in preview
    assert preview.index("Ấn Độ") < preview.index("Bộ Ngoại giao") and "Man City" not in preview
    download = lan.get(f"{edition}/download")
    assert download.headers["content-disposition"].startswith('attachment; filename="diem-tin-2021-04-30-')
    word = lan.get(f"{edition}/download?format=docx")  # the administrative layout, the analyst's order
    assert word.headers["content-disposition"].endswith('.docx"') and word.content[:2] == b"PK"
    text = "\n".join(p.text for p in docx.Document(io.BytesIO(word.content)).paragraphs)
    assert (
        "ĐIỂM TIN" in text
        and "Kính gửi lãnh đạo" in text
        and text.index("Ấn Độ") < text.index("Bộ Ngoại giao")
    )

    sent = lan.post(f"{edition}/send", data={"csrf_token": csrf_of(page), "channel": "lanh-dao-ui"},
                    follow_redirects=False)  # fmt: skip
    assert sent.status_code == 303
    (mail,) = mailbox.received
    message = email.message_from_bytes(mail.content, policy=email.policy.default)
    assert message["Subject"] == "Điểm tin 30/04/2021" and mail.rcpt_tos == ["lanh-dao@bo.example.vn"]
    assert "trang tiếng Anh" in message.get_body(("plain",)).get_content()
    page = lan.get(edition).text
    history = page.split("<h2>Lịch sử</h2>")[1].split("<h2")[0]
    # made, India moved up, sent: moving football past a story left out changed no brief
    assert history.count("<td>lan</td>") == 3 and "Gửi" in history and "stories:" in history
    assert "Đã gửi" in page.split('id="sends"')[1]

    # a viewer reads the edition, without its form, and may not change it
    xem = site.client("xem")
    read = xem.get(edition).text
    assert "brief-editor" not in read and "trang tiếng Anh" in read and "Man City" not in read
    refused = xem.post(edition, data=as_sent(the_form(page)), follow_redirects=False)
    assert refused.status_code == 403

    # the command line writes the saved edition
    number = edition.rsplit("/", 1)[1]
    data = caunoi(site.service.settings, "brief", "--edition", number, "--json")
    assert '"note": "Kính gửi lãnh đạo: điểm tin sáng 30/4."' in data.stdout
    pdf = tmp_path / "diem-tin.pdf"  # and as a PDF in the administrative layout, the font embedded
    caunoi(site.service.settings, "brief", "--edition", number, "--out", str(pdf))
    text = "".join(page.extract_text() for page in pypdf.PdfReader(pdf).pages)
    assert pdf.read_bytes().startswith(b"%PDF-") and "ĐIỂM TIN" in text and "Kính gửi lãnh đạo" in text
    refused = caunoi(site.service.settings, "brief", "--out", str(tmp_path / "b.txt"), check=False)
    assert refused.returncode == 2 and ".docx, .pdf" in refused.stderr
