"""A `Document` as a PDF, by one of two engines:

- "weasyprint" (the default): the report's HTML (reports/html.py `document_html`) printed by WeasyPrint,
  in this process. Needs the Pango library (1.44 or later) on the system; WeasyPrint is imported only
  when a PDF is asked for, so the rest of Cầu Nối runs without it.
- "libreoffice": the report's DOCX (reports/docx.py) converted by LibreOffice (`soffice --headless
  --convert-to pdf`), the PDF a reader's Word file would print as. A child process with a fresh profile
  folder per call (two conversions never share one, a crash leaves nothing behind), at most
  `SOFFICE_SECONDS`, its temporary files removed.
benchmarks/report_render.py times both on a 20-page report (docs/reports.md has the figures).

Both embed the font: Times New Roman where the system has it, else the shipped Liberation Serif 2.1.5
(caunoi/data/fonts; OFL), which LibreOffice is shown through a fontconfig file of its own (the
package's font folder first, any other Liberation Serif — e.g. Debian's 1.07, which lacks letters
such as "ộ" — refused). An engine that cannot run, or a conversion that fails or takes too long, is
a refusal saying what to install or do (`PdfError`), never a traceback.
"""

from __future__ import annotations

import logging
import os
import shutil
import signal
import subprocess
import tempfile
from pathlib import Path
from xml.sax.saxutils import escape

from caunoi.errors import Invalid, Unavailable
from caunoi.reports.document import Document
from caunoi.reports.layout import FONTS

log = logging.getLogger(__name__)

ENGINES = ("weasyprint", "libreoffice")
DEFAULT_ENGINE = "weasyprint"
SOFFICE_SECONDS = 120  # a 20-page report takes 4 s; a first start on a cold disk 15 s


class PdfError(Unavailable):
    """A PDF engine is missing or failed: the message says what to install or try."""


def render_pdf(doc: Document, engine: str | None = None) -> bytes:
    """The report as the bytes of a PDF, by `engine` ("weasyprint" when None, or "libreoffice")."""
    engine = engine or DEFAULT_ENGINE
    if engine == "weasyprint":
        return _weasyprint(doc)
    if engine == "libreoffice":
        return _libreoffice(doc)
    raise Invalid("pdf_engine_unknown", "PDF engine {engine!r}: use weasyprint or libreoffice", engine=engine)


# -- WeasyPrint --------------------------------------------------------------------------------------


def _weasyprint(doc: Document) -> bytes:
    from caunoi.reports.html import document_html

    try:
        from weasyprint import HTML
    except (ImportError, OSError) as exc:  # OSError: Pango's library is absent or too old
        raise PdfError(
            "pdf_weasyprint_missing",
            "WeasyPrint cannot run here ({reason}): install it with its system libraries (Debian and "
            "Ubuntu: apt-get install libpango-1.0-0 libpangoft2-1.0-0, then pip install weasyprint), "
            "or choose the PDF engine libreoffice",
            reason=_first_line(exc),
        ) from None
    try:
        return HTML(string=document_html(doc), base_url=FONTS.as_uri() + "/").write_pdf()
    except Exception as exc:  # a fault of WeasyPrint's, shown to the log in full, to the user in short
        log.exception("WeasyPrint failed on the report %r", doc.title)
        raise PdfError(
            "pdf_failed",
            "the PDF could not be made ({engine}: {reason}): try the other engine",
            engine="weasyprint",
            reason=_first_line(exc),
        ) from None


# -- LibreOffice -------------------------------------------------------------------------------------


def soffice_path() -> str | None:
    """LibreOffice's command, if installed: `soffice` (or `libreoffice`) on PATH."""
    return shutil.which("soffice") or shutil.which("libreoffice")


def fonts_conf(cache: Path) -> str:
    """A fontconfig file that adds the shipped fonts to the system's and refuses every other
    Liberation Serif, so that LibreOffice's stand-in for Times New Roman has every Vietnamese letter."""
    folder = escape(str(FONTS))
    return f"""<?xml version="1.0"?>
<!DOCTYPE fontconfig SYSTEM "urn:fontconfig:fonts.dtd">
<fontconfig>
  <dir>{folder}</dir>
  <include ignore_missing="yes">/etc/fonts/fonts.conf</include>
  <cachedir>{escape(str(cache))}</cachedir>
  <selectfont>
    <acceptfont><glob>{folder}/*</glob></acceptfont>
    <rejectfont><glob>*/LiberationSerif*</glob></rejectfont>
  </selectfont>
  <alias binding="same">
    <family>Times New Roman</family><prefer><family>Liberation Serif</family></prefer>
  </alias>
</fontconfig>
"""


def _libreoffice(doc: Document) -> bytes:
    from caunoi.reports.docx import render_docx

    soffice = soffice_path()
    if soffice is None:
        raise PdfError(
            "pdf_soffice_missing",
            "LibreOffice is not installed (no soffice on PATH): install it (Debian and Ubuntu: apt-get "
            "install libreoffice-writer-nogui), or choose the PDF engine weasyprint",
        )
    with tempfile.TemporaryDirectory(prefix="caunoi-pdf-") as scratch:
        work = Path(scratch)
        source = work / "report.docx"
        source.write_bytes(render_docx(doc))
        (work / "fonts.conf").write_text(fonts_conf(work / "fontcache"), encoding="utf-8")
        command = [
            soffice,
            f"-env:UserInstallation={(work / 'profile').as_uri()}",
            "--headless", "--invisible", "--nologo", "--norestore", "--nolockcheck", "--nodefault",
            "--convert-to", "pdf:writer_pdf_Export", "--outdir", str(work / "out"), str(source),
        ]  # fmt: skip
        # HOME too: nothing LibreOffice or fontconfig writes lands in the service user's home
        env = {**os.environ, "FONTCONFIG_FILE": str(work / "fonts.conf"), "HOME": str(work)}
        env.pop("DISPLAY", None)
        code, said = _run(command, env, SOFFICE_SECONDS)
        made = work / "out" / "report.pdf"
        if code != 0 or not made.exists():
            log.warning("soffice exited with %s: %s", code, said)
            raise PdfError(
                "pdf_failed",
                "the PDF could not be made ({engine}: {reason}): try the other engine",
                engine="libreoffice",
                reason=_last_line(said) or f"exit code {code}, no PDF written",
            )
        return made.read_bytes()


def _run(command: list[str], env: dict[str, str], seconds: float) -> tuple[int, str]:
    """Run LibreOffice in a session of its own and wait at most `seconds`; past that, end it and every
    process it started (soffice is a script that starts soffice.bin), then refuse."""
    proc = subprocess.Popen(
        command,
        env=env,
        stdin=subprocess.DEVNULL,
        stdout=subprocess.PIPE,
        stderr=subprocess.STDOUT,
        start_new_session=True,
        text=True,
        errors="replace",
    )
    try:
        out, _ = proc.communicate(timeout=seconds)
    except subprocess.TimeoutExpired:
        os.killpg(proc.pid, signal.SIGKILL)
        proc.communicate()
        raise PdfError(
            "pdf_soffice_timeout",
            "LibreOffice took longer than {seconds} s to convert the report: try again, or choose the "
            "PDF engine weasyprint",
            seconds=seconds,
        ) from None
    return proc.returncode, out.strip()


def _first_line(said: object) -> str:
    text = str(said).strip()
    return text.splitlines()[0][:300] if text else ""


def _last_line(said: str) -> str:
    """LibreOffice says why last (its first lines are warnings: no Java, no display …)."""
    lines = said.strip().splitlines()
    return lines[-1][:300] if lines else ""
