"""The case report: one printable, self-contained HTML page per case, and its PDF.

The HTML embeds its stylesheet (one file to archive, nothing to fetch) and no script. The PDF is
that same page printed by headless Chromium (`chromium` on PATH, or TRADESCREEN_CHROMIUM), run
with networking features off and a throw-away profile.
"""

from __future__ import annotations

import os
import shutil
import subprocess
import tempfile
from datetime import UTC, datetime
from pathlib import Path
from typing import Annotated

from fastapi import APIRouter, Depends, Request
from fastapi.responses import Response
from starlette.concurrency import run_in_threadpool

from tradescreen.web.cases import Case, load_case
from tradescreen.web.casework import alert_id_of
from tradescreen.web.core import ENV, HERE, REPORT_CSP, WebError, db_of, require, state_of
from tradescreen.web.sessions import Session

router = APIRouter()
CHROMIUM_FLAGS = (
    "--headless", "--no-sandbox", "--disable-gpu", "--disable-background-networking",
    "--disable-component-update", "--no-first-run", "--disable-sync",
    "--disable-extensions", "--no-pdf-header-footer",
)
PDF_TIMEOUT = 60


def chromium() -> str | None:
    return os.environ.get("TRADESCREEN_CHROMIUM") or shutil.which("chromium") or shutil.which(
        "chromium-browser")


def report_html(case: Case) -> str:
    css = (HERE / "static" / "report.css").read_text()
    generated = datetime.now(UTC).isoformat(timespec="seconds").replace("+00:00", "Z")
    return ENV.get_template("report.html").render(case=case, css=css, generated=generated)


def html_to_pdf(html: str) -> bytes:
    exe = chromium()
    if exe is None:
        raise WebError(501, "PDF reports need Chromium (apt-get install chromium); the HTML "
                            "report prints to PDF from any browser.")
    with tempfile.TemporaryDirectory(prefix="ts-report-") as tmp:
        page, out = Path(tmp) / "report.html", Path(tmp) / "report.pdf"
        page.write_text(html, encoding="utf-8")
        cmd = [exe, *CHROMIUM_FLAGS, f"--user-data-dir={tmp}/profile",
               f"--print-to-pdf={out}", page.as_uri()]
        try:
            subprocess.run(cmd, check=False, capture_output=True, timeout=PDF_TIMEOUT)
        except subprocess.TimeoutExpired:
            raise WebError(504, "Chromium did not print the report in time.") from None
        if not out.exists() or out.stat().st_size == 0:
            raise WebError(500, "Chromium failed to print the report.")
        return out.read_bytes()


def _case(request: Request, alert_id: str) -> Case:
    aid = alert_id_of(alert_id)
    state = state_of(request)
    case = load_case(db_of(request), state.store(), state.settings, aid)
    if case is None:
        raise WebError(404, f"No alert {aid}.")
    return case


@router.get("/cases/{alert_id}/report")
def report(request: Request, alert_id: str,
           session: Annotated[Session, Depends(require("read"))]) -> Response:
    case = _case(request, alert_id)
    return Response(report_html(case), media_type="text/html; charset=utf-8",
                    headers={"content-security-policy": REPORT_CSP})


@router.get("/cases/{alert_id}/report.pdf")
async def report_pdf(request: Request, alert_id: str,
                     session: Annotated[Session, Depends(require("read"))]) -> Response:
    case = await run_in_threadpool(_case, request, alert_id)
    pdf = await run_in_threadpool(html_to_pdf, report_html(case))
    name = f"case-{case.alert.id}.pdf"
    return Response(pdf, media_type="application/pdf",
                    headers={"content-disposition": f'attachment; filename="{name}"'})
