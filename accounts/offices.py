"""The offices by code, from this process's copy of the table (``accounts.tables``).

A page or an action asks for them several times (``office_of``, the flow's hooks, the
menu, the chain); an administrator's edit reaches every process within
``TASVIEH_TABLE_CACHE_SECONDS``.
"""

from accounts import tables
from accounts.models import Office


def offices() -> dict[str, Office]:
    """Every office by code, in the order of the chain."""
    return {office.code: office for office in tables.rows(Office).values()}


def office_by_code(code: str) -> Office:
    """One office's row; KeyError when the table lacks it (the start-up check reports that)."""
    return offices()[code]
