"""Pages for anyone, without signing in: checking a clearance certificate."""

from django.http import HttpRequest, HttpResponse
from django.shortcuts import render

from clearance.models import ClearanceRequest
from clearance.views.common import param
from persian.text import ascii_digits


def certificate_verify(request: HttpRequest, code: str = "") -> HttpResponse:
    """Public: anyone holding a certificate can check it is genuine (no login)."""
    # Typed from a printed certificate, perhaps in Persian digits (the one digit rule).
    code = ascii_digits(code or param(request, "code")).replace("\x00", "").strip().upper()
    found = None
    if code:
        found = (
            ClearanceRequest.objects.filter(
                certificate_code=code, status=ClearanceRequest.Status.CLEARED
            )
            .select_related("faculty", "request_type")
            .first()
        )
    return render(
        request,
        "clearance/verify.html",
        {"code": code, "found": found},
        status=404 if code and found is None else 200,
    )
