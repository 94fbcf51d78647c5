"""What each office records when it approves a request: one class per kind of decision.

A node of ``ClearanceFlow`` names its decision (``office_step(..., decision=DormitoryDecision)``).
The approve form is built from it (``fields``), the form's ``clean`` calls ``validate``, and
``decision_record`` calls ``apply`` inside its transaction. Any office an administrator marks
as dealing with money (``Office.records_debt``) also records the student's debt and how it
was settled, whatever its decision. Adding an office that records something new means one
class here and one line in the flow.
"""

import datetime as dt
from collections.abc import Iterable
from typing import Any, ClassVar

from django import forms
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from accounts.models import Office
from clearance.exceptions import ActionRefused
from clearance.letters import letter_number_allocate, letter_number_propose
from clearance.models import ClearanceRequest, Event
from persian.fields import DigitsCharField, JalaliDateField, PersianTextField, RialsField
from persian.text import ascii_digits, normalize_text


class Decision:
    """An approval that records nothing but the expert's note (and a debt if money office)."""

    # May the office approve several requests at once, each with ``bulk_data``?
    bulk: ClassVar[bool] = True
    # Does the office's task page list the debts earlier offices recorded?
    reviews_debts: ClassVar[bool] = False

    def fields(self, *, clearance_request: ClearanceRequest | None) -> dict[str, forms.Field]:
        """The form fields this office fills in when it approves."""
        return {}

    def validate(self, data: dict[str, Any]) -> dict[str, str]:
        """Errors by field name for data the fields alone cannot judge."""
        return {}

    def bulk_data(self) -> dict[str, Any]:
        """The data a bulk approval records for each request."""
        return {}

    def apply(
        self, *, clearance_request: ClearanceRequest, data: dict[str, Any]
    ) -> tuple[list[str], dict[str, Any]]:
        """Write the decision to the request; return the changed fields and history details."""
        return [], {}


class DebtDecision(Decision):
    """A money office: the student's debt in rials (0 = none) and how it was settled."""

    def fields(self, *, clearance_request: ClearanceRequest | None) -> dict[str, forms.Field]:
        return {
            "debt_rials": RialsField(
                label=_("Debt (rials)"),
                min_value=0,
                max_value=10**13,
                initial=0,
                help_text=_("The student's debt to this office in rials; 0 if none."),
            ),
            "settlement": PersianTextField(
                label=_("How it was settled"),
                required=False,
                max_length=200,
                help_text=_("E.g. paid in full (receipt no.), installment agreement, guarantee."),
            ),
        }

    def validate(self, data: dict[str, Any]) -> dict[str, str]:
        if data.get("debt_rials") and not (data.get("settlement") or "").strip():
            return {"settlement": str(_("Say how a non-zero debt was settled."))}
        return {}

    def bulk_data(self) -> dict[str, Any]:
        return {"debt_rials": 0, "settlement": ""}

    def apply(
        self, *, clearance_request: ClearanceRequest, data: dict[str, Any]
    ) -> tuple[list[str], dict[str, Any]]:
        # The debt is kept on the approval's history row (Event.debt_rials), not the request.
        if data.get("debt_rials") is None:
            raise ActionRefused(str(_("Record the student's debt (0 if none).")))
        if errors := self.validate(data):
            raise ActionRefused(next(iter(errors.values())))
        return [], {}


class DormitoryDecision(Decision):
    """Did the student have a dormitory? Residents go on to the IT office."""

    bulk = False

    def fields(self, *, clearance_request: ClearanceRequest | None) -> dict[str, forms.Field]:
        return {
            "had_dormitory": forms.TypedChoiceField(
                label=_("Did the student have a dormitory?"),
                choices=[("yes", _("Yes")), ("no", _("No"))],
                coerce=lambda v: v == "yes",
                widget=forms.RadioSelect,
                help_text=_("Residents are also cleared by the IT office."),
            )
        }

    def apply(
        self, *, clearance_request: ClearanceRequest, data: dict[str, Any]
    ) -> tuple[list[str], dict[str, Any]]:
        if data.get("had_dormitory") is None:
            raise ActionRefused(str(_("Record whether the student had a dormitory.")))
        clearance_request.had_dormitory = data["had_dormitory"]
        return ["had_dormitory"], {"had_dormitory": data["had_dormitory"]}


class LetterDecision(Decision):
    """The secretariat numbers the request: the faculty's next letter number, or another."""

    def fields(self, *, clearance_request: ClearanceRequest | None) -> dict[str, forms.Field]:
        proposed = self.propose(clearance_request) if clearance_request else ""
        return {
            "letter_number": DigitsCharField(
                label=_("Letter number"),
                max_length=60,
                required=False,
                initial=proposed,
                help_text=_(
                    "Proposed from the faculty's sequence; keep it (or leave it empty) to take "
                    "the next free number, or type another unused number."
                ),
            ),
            # The number shown when the page was drawn: kept as is, the next free one is taken.
            "letter_number_proposed": forms.CharField(
                required=False, initial=proposed, widget=forms.HiddenInput
            ),
            "letter_date": JalaliDateField(
                label=_("Letter date"),
                required=False,
                initial=timezone.localdate,
                help_text=_("Jalali date of the letter; today if left empty."),
            ),
        }

    @staticmethod
    def propose(clearance_request: ClearanceRequest) -> str:
        """The number the next letter of this faculty would get (nothing is reserved)."""
        return letter_number_propose(faculty=clearance_request.faculty)

    def apply(
        self, *, clearance_request: ClearanceRequest, data: dict[str, Any]
    ) -> tuple[list[str], dict[str, Any]]:
        letter_date: dt.date = data.get("letter_date") or timezone.localdate()
        # One digit rule: a number typed in Persian digits is the same number.
        number = normalize_text(ascii_digits(data.get("letter_number") or ""))
        if not number or number == data.get("letter_number_proposed"):
            number = letter_number_allocate(faculty=clearance_request.faculty, on=letter_date)
        elif ClearanceRequest.objects.filter(letter_number=number).exists():
            raise ActionRefused(
                str(_("Letter number %(number)s is already used.") % {"number": number})
            )
        clearance_request.letter_number = number
        clearance_request.letter_date = letter_date
        details = {"letter_number": number, "letter_date": letter_date.isoformat()}
        return ["letter_number", "letter_date"], details


class WelfareDecision(Decision):
    """The welfare office confirms it registered the student's clearance form."""

    bulk = False
    # The form it registers carries the student's debts: its task page lists them.
    reviews_debts = True

    def fields(self, *, clearance_request: ClearanceRequest | None) -> dict[str, forms.Field]:
        return {
            "form_registered": forms.BooleanField(
                label=_("The clearance form is registered in the welfare system"),
                help_text=_("Confirm the welfare office registered the student's clearance form."),
            )
        }

    def apply(
        self, *, clearance_request: ClearanceRequest, data: dict[str, Any]
    ) -> tuple[list[str], dict[str, Any]]:
        if not data.get("form_registered"):
            raise ActionRefused(str(_("Register the clearance form before approving.")))
        return [], {"form_registered": True}


def debts_recorded(events: Iterable[Event]) -> tuple[list[Event], int]:
    """The approvals that recorded a debt (0 included), and the total owed in rials."""
    debts = [e for e in events if e.kind == Event.Kind.APPROVED and e.debt_rials is not None]
    return debts, sum(e.debt_rials or 0 for e in debts)


def decision_parts(decision: Decision, office: Office) -> list[Decision]:
    """The node's decision, and the debt record when the office deals with money."""
    return [DebtDecision(), decision] if office.records_debt else [decision]


def bulk_approvable(decision: Decision, office: Office) -> bool:
    """May the office approve several requests at once (each with its parts' bulk data)?"""
    return all(part.bulk for part in decision_parts(decision, office))
