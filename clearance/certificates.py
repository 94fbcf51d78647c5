"""The clearance certificate: a one-page Persian PDF with a QR code to verify it."""

import segno
from django.conf import settings
from django.template.loader import render_to_string
from django.utils import translation

from clearance.models import ClearanceRequest


def certificate_pdf(*, clearance_request: ClearanceRequest, verify_url: str) -> bytes:
    """Render a cleared request's certificate (always in Persian: it is an official paper)."""
    from weasyprint import HTML  # imported late: loading Pango costs ~0.3 s

    assert clearance_request.status == ClearanceRequest.Status.CLEARED
    qr = segno.make(verify_url, error="m").svg_data_uri(scale=4, border=1)
    approvals = clearance_request.events.filter(kind="approved").select_related("office", "actor")
    with translation.override("fa"):
        html = render_to_string(
            "clearance/certificate.html",
            {
                "req": clearance_request,
                "qr": qr,
                "verify_url": verify_url,
                "approvals": approvals,
                "university_name": settings.TASVIEH_UNIVERSITY_NAME,
            },
        )
    return HTML(string=html, base_url=str(settings.BASE_DIR)).write_pdf()
