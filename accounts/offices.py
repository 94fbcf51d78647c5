"""The offices, read once per web request: a page or an action asks for them several times.

Outside a web request (tests calling actions, the worker, management commands) every call
reads the table, so an office edited between two calls is always seen fresh. Within one
request the rows are shared: an administrator's edit shows from the next request on.
"""

from contextvars import ContextVar
from typing import Any

from django.core.signals import request_finished, request_started

from accounts.models import Office

# None: not inside a web request (no memo); {}: inside one, not read yet.
_memo: ContextVar[dict[str, Office] | None] = ContextVar("tasvieh_offices", default=None)


def offices() -> dict[str, Office]:
    """Every office by code, in the order of the chain."""
    memo = _memo.get()
    if memo:
        return memo
    rows = {office.code: office for office in Office.objects.all()}
    if memo is not None:
        memo.update(rows)
    return rows


def office_by_code(code: str) -> Office:
    """One office's row; KeyError when the table lacks it (the start-up check reports that)."""
    return offices()[code]


def _request_started(**kwargs: Any) -> None:
    _memo.set({})


def _request_finished(**kwargs: Any) -> None:
    _memo.set(None)


request_started.connect(_request_started, dispatch_uid="tasvieh.offices.start")
request_finished.connect(_request_finished, dispatch_uid="tasvieh.offices.finish")
