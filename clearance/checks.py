"""Start-up checks: the flow and the Office table name the same offices; SMS is configured."""

from typing import Any

from django.conf import settings
from django.core import checks
from django.db import DatabaseError

from accounts.models import Office
from clearance.flows import office_steps
from clearance.notifications.sms import KavenegarBackend, backend_class


@checks.register()
def offices_match_the_flow(**kwargs: Any) -> list[checks.CheckMessage]:
    """Every office node has its Office row and every Office row its node."""
    try:
        rows = set(Office.objects.values_list("code", flat=True))
    except DatabaseError:
        return []  # not migrated yet: the migrations seed the offices
    nodes = {node.office_code for node in office_steps()}
    problems: list[checks.CheckMessage] = [
        checks.Error(
            f"The flow's office step {code!r} has no Office row.",
            hint="Add it in the admin (Offices) or by a data migration, with this code.",
            id="tasvieh.E001",
        )
        for code in sorted(nodes - rows)
    ]
    problems += [
        checks.Error(
            f"Office {code!r} has no step in ClearanceFlow (clearance/flows.py).",
            hint="Was the office renamed? Its code must match the flow's node.",
            id="tasvieh.E002",
        )
        for code in sorted(rows - nodes)
    ]
    return problems


@checks.register()
def sms_gateway_configured(**kwargs: Any) -> list[checks.CheckMessage]:
    """TASVIEH_SMS_BACKEND names a backend that exists, and Kavenegar has its API key."""
    try:
        chosen = backend_class()
    except ImportError:
        return [
            checks.Error(
                f"TASVIEH_SMS_BACKEND={settings.TASVIEH_SMS_BACKEND!r} is not an SMS backend.",
                hint="Use console, memory, kavenegar or the dotted path of a backend class.",
                id="tasvieh.E003",
            )
        ]
    if chosen is KavenegarBackend and not settings.TASVIEH_KAVENEGAR_API_KEY:
        return [
            checks.Error(
                "TASVIEH_SMS_BACKEND=kavenegar needs TASVIEH_KAVENEGAR_API_KEY.",
                hint="Set it, or TASVIEH_KAVENEGAR_API_KEY_FILE naming a file that holds it.",
                id="tasvieh.E004",
            )
        ]
    return []
