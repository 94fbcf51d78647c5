"""Every state change of a clearance request goes through one function here.

Each action is keyword-only, atomic, validates before it writes, and records its
history event in the same transaction, so a failed action changes nothing.
"""

from clearance.services.common import OPEN_TASK_STATUSES, ActionRefused, office_of
from clearance.services.letters import letter_number_format, letter_number_propose
from clearance.services.requests import (
    comment_post,
    request_cancel,
    request_mark_cleared,
    request_resubmit,
    request_submit,
)
from clearance.services.tasks import (
    BULK_EXCLUDED_OFFICES,
    decision_record,
    request_return,
    task_claim,
    task_release,
    tasks_bulk_approve,
)

__all__ = [
    "BULK_EXCLUDED_OFFICES",
    "OPEN_TASK_STATUSES",
    "ActionRefused",
    "comment_post",
    "decision_record",
    "letter_number_format",
    "letter_number_propose",
    "office_of",
    "request_cancel",
    "request_mark_cleared",
    "request_resubmit",
    "request_return",
    "request_submit",
    "task_claim",
    "task_release",
    "tasks_bulk_approve",
]
