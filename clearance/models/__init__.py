"""The clearance domain's tables, one module per concern; import them from here."""

from clearance.models.letterhead import Letterhead
from clearance.models.notifications import Delivery, Notification, NotificationPreference
from clearance.models.reference import (
    City,
    DegreeLevel,
    EducationStatus,
    FieldOfStudy,
    Gender,
    MaritalStatus,
    Province,
    ReferenceItem,
    RequestType,
)
from clearance.models.registry import StudentRecord
from clearance.models.reports import DailyCount
from clearance.models.requests import (
    ClearanceProcess,
    ClearanceRequest,
    Event,
    LetterSequence,
    refuse_update,
)
from clearance.models.thread import Comment, Document, document_path

__all__ = [
    "City",
    "ClearanceProcess",
    "ClearanceRequest",
    "Comment",
    "DailyCount",
    "DegreeLevel",
    "Delivery",
    "Document",
    "EducationStatus",
    "Event",
    "FieldOfStudy",
    "Gender",
    "LetterSequence",
    "Letterhead",
    "MaritalStatus",
    "Notification",
    "NotificationPreference",
    "Province",
    "ReferenceItem",
    "RequestType",
    "StudentRecord",
    "document_path",
    "refuse_update",
]
