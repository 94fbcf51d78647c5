"""The clearance certificate: a Persian PDF on the university's letterhead, with a QR code."""

import base64

import filetype
import segno
from django.conf import settings
from django.template.loader import render_to_string
from django.utils import translation

from clearance.models import ClearanceRequest, Event, Letterhead


def _logo_data_uri(letterhead: Letterhead) -> str:
    """The uploaded logo inlined in the page: uploads are never served over HTTP."""
    if not letterhead.logo:
        return ""
    with letterhead.logo.open("rb") as logo:
        data = logo.read()
    kind = filetype.guess(data[:512])
    mime = kind.mime if kind else "image/png"
    return f"data:{mime};base64,{base64.b64encode(data).decode('ascii')}"


def office_approvals(clearance_request: ClearanceRequest) -> list[Event]:
    """One approval per office, in the order of the chain (an office's latest decision wins)."""
    latest: dict[int | None, Event] = {}
    events = clearance_request.events.filter(kind=Event.Kind.APPROVED).select_related(
        "office", "actor"
    )
    for event in events:
        latest.pop(event.office_id, None)  # a later approval moves the office to its place
        latest[event.office_id] = event
    return list(latest.values())


def certificate_pdf(*, clearance_request: ClearanceRequest, verify_url: str) -> bytes:
    """Render a cleared request's certificate (always in Persian: it is an official paper)."""
    from weasyprint import HTML  # imported late: loading Pango costs ~0.3 s

    assert clearance_request.status == ClearanceRequest.Status.CLEARED
    qr = segno.make(verify_url, error="m").svg_data_uri(scale=4, border=1)
    approvals = office_approvals(clearance_request)
    letterhead = Letterhead.current()
    with translation.override("fa"):
        html = render_to_string(
            "clearance/certificate.html",
            {
                "req": clearance_request,
                "qr": qr,
                "verify_url": verify_url,
                "approvals": approvals,
                # The last approval is the faculty's closure: its expert signs for the faculty.
                "closing": approvals[-1] if approvals else None,
                "letterhead": letterhead,
                "logo": _logo_data_uri(letterhead),
            },
        )
    return HTML(string=html, base_url=str(settings.BASE_DIR)).write_pdf()
