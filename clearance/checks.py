"""Start-up checks: the flow and the Office table must name the same offices."""

from typing import Any

from django.core import checks
from django.db import DatabaseError

from accounts.models import Office
from clearance.flows import office_steps


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
