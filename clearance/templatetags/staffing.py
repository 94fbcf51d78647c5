"""``{% unstaffed_notice %}``: the administrators' warning about offices without experts."""

from typing import Any

from django import template

from clearance.staffing import unstaffed_steps

register = template.Library()


@register.inclusion_tag("clearance/_unstaffed.html")
def unstaffed_notice(*, in_admin: bool = False) -> dict[str, Any]:
    return {"gaps": unstaffed_steps(), "in_admin": in_admin}
