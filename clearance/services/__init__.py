"""Every state change of a clearance request goes through one function here.

Each action is keyword-only, atomic, validates before it writes, and records its
history event in the same transaction, so a failed action changes nothing.
"""

from clearance.access import OPEN_TASK_STATUSES, office_of
from clearance.exceptions import ActionRefused
from clearance.letters import letter_number_format, letter_number_propose
from clearance.services.faculty import request_faculty_change
from clearance.services.notifications import (
    deliveries_resume,
    deliveries_retry,
    notification_preference_set,
    notifications_read,
)
from clearance.services.requests import (
    comment_post,
    request_cancel,
    request_resubmit,
    request_submit,
)
from clearance.services.tasks import (
    decision_record,
    request_return,
    task_claim,
    task_release,
    tasks_bulk_approve,
)

__all__ = [
    "OPEN_TASK_STATUSES",
    "ActionRefused",
    "comment_post",
    "decision_record",
    "deliveries_resume",
    "deliveries_retry",
    "letter_number_format",
    "letter_number_propose",
    "notification_preference_set",
    "notifications_read",
    "office_of",
    "request_cancel",
    "request_faculty_change",
    "request_resubmit",
    "request_return",
    "request_submit",
    "task_claim",
    "task_release",
    "tasks_bulk_approve",
]
