"""Forms: the student's clearance form, comments with attachments, and office decisions."""

from typing import Any

from django import forms
from django.core.exceptions import ValidationError
from django.utils.translation import gettext_lazy as _

from accounts import tables
from accounts.models import Faculty
from clearance.decisions import Decision
from clearance.fields import DocumentsField, ReferenceChoiceField, fields_by_faculty_and_degree
from clearance.models import ClearanceRequest, FieldOfStudy, StudentRecord
from clearance.registry import registry_values
from persian import validators
from persian.fields import JalaliDateField, PersianTextField
from persian.text import local_digits, normalize_text
from persian.widgets import BirthDateInput, DigitsInput

# The form's reference choices, each from its table's copy (clearance.fields).
REFERENCES = (
    "request_type",
    "marital_status",
    "gender",
    "education_status",
    "faculty",
    "degree",
    "place_of_issue",
    "field_of_study",
)


class ClearanceRequestForm(forms.ModelForm):
    """The 17 fields of the original clearance form; faculty, degree and field together."""

    birth_date = JalaliDateField(
        label=_("birth date"),
        help_text=_("In the Jalali calendar as year/month/day, e.g. 1380/05/12."),
        widget=BirthDateInput(attrs={"placeholder": "۱۳۸۰/۰۵/۱۲"}),
    )
    documents = DocumentsField()

    class Meta:
        model = ClearanceRequest
        fields = [
            "request_type",
            "full_name",
            "student_number",
            "national_code",
            "father_name",
            "card_status",
            "birth_certificate_number",
            "birth_date",
            "place_of_issue",
            "marital_status",
            "gender",
            "education_status",
            # In the order they depend on each other: the list of fields of study follows
            # the faculty and the degree.
            "faculty",
            "degree",
            "field_of_study",
            "landline",
            "mobile",
            "address",
        ]
        labels = {
            "request_type": _("request type"),
            "full_name": _("full name"),
            "student_number": _("student number"),
            "national_code": _("national code"),
            "father_name": _("father's name"),
            "card_status": _("student card returned"),
            "birth_certificate_number": _("birth certificate number"),
            "place_of_issue": _("place of issue"),
            "marital_status": _("marital status"),
            "gender": _("gender"),
            "education_status": _("education status"),
            "faculty": _("faculty"),
            "landline": _("landline"),
            "mobile": _("mobile"),
            "field_of_study": _("field of study"),
            "degree": _("degree"),
            "address": _("permanent address"),
        }
        help_texts = {
            "request_type": _("Why you are leaving: graduation, withdrawal or transfer."),
            "full_name": _("Your first and last name in Persian, exactly as on your ID card."),
            "student_number": _("The number on your student card; Persian digits are fine."),
            "national_code": _("Your 10-digit national code (کد ملی), without dashes."),
            "father_name": _("Your father's first name, as on your birth certificate."),
            "card_status": _("Whether you have handed your student card back to the faculty."),
            "birth_certificate_number": _("The number of your birth certificate (شناسنامه)."),
            "place_of_issue": _(
                "The city where your birth certificate was issued; type to search."
            ),
            "marital_status": _("Your current marital status."),
            "gender": _("As recorded in your student file."),
            "education_status": _("Your status now: graduated, withdrawn, transferred…"),
            "faculty": _("The faculty you studied at; its offices will review your request."),
            "landline": _("A landline with its area code, e.g. 02188776655."),
            "mobile": _("Your mobile number, e.g. 09121234567; offices may call you."),
            "field_of_study": _("Choose your faculty and degree first; the list follows them."),
            "degree": _("The degree of the program you are leaving."),
            "address": _("Your permanent home address, with city, street and postal code."),
        }
        field_classes = dict.fromkeys(REFERENCES, ReferenceChoiceField)
        widgets = {
            "address": forms.Textarea(attrs={"rows": 3}),
            "student_number": DigitsInput(),
            "national_code": DigitsInput(attrs={"maxlength": 12}),
            "birth_certificate_number": DigitsInput(),
            "landline": DigitsInput(attrs={"inputmode": "tel", "autocomplete": "tel"}),
            "mobile": DigitsInput(attrs={"inputmode": "tel", "autocomplete": "tel"}),
            "card_status": forms.RadioSelect,
        }

    def __init__(self, *args: Any, registry: StudentRecord | None = None, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self.order_fields([*self.Meta.fields, "documents"])
        if self.instance.pk is not None:
            # The faculty's offices already hold the request: whatever is posted, it stays.
            # Only the education office can move it (services.request_faculty_change).
            self.fields["faculty"].disabled = True
            self.fields["faculty"].help_text = _(
                "Fixed once the request is submitted; if it is wrong, ask your faculty's "
                "education office to move the request."
            )
        fields: dict[str, Any] = self.fields
        fields["card_status"].choices = ClearanceRequest.CardStatus.choices
        for name in REFERENCES:
            fields[name].empty_label = _("Choose…")
        # Grouped by faculty and degree, so no name repeats without scripts; request_form.js
        # then lists only the fields of the chosen faculty and degree.
        fields["field_of_study"].choices = fields_by_faculty_and_degree
        # Tom Select moves the <label> to its own input; keep the original select named too.
        fields["place_of_issue"].widget.attrs["aria-label"] = fields["place_of_issue"].label
        # Typed input may carry spaces, dashes or +98 before it is normalised; the clean_*
        # methods below bring it to its stored length, so the raw length is not limited here.
        if registry is not None:
            self.fix_identity(registry)
        for name, typed in (
            ("national_code", 14),
            ("landline", 20),
            ("mobile", 20),
            ("student_number", 20),
            ("birth_certificate_number", 20),
        ):
            fields[name].max_length = typed
            fields[name].validators = []
            fields[name].widget.attrs["maxlength"] = typed

    def fix_identity(self, record: StudentRecord) -> None:
        """Fill the form from the registry; what it says of the student cannot be changed.

        A disabled field ignores whatever is posted for it (and the service overrides the
        same fields again from the registry).
        """
        for name, value in registry_values(record).items():
            if name == "faculty" and self.instance.pk is not None:
                continue  # fixed at submission; only the education office moves it
            self.initial[name] = value
            self.fields[name].disabled = True
            self.fields[name].help_text = _("From the university's student registry.")
        for name in ("gender", "degree", "field_of_study"):
            if getattr(record, name) is not None and not self.initial.get(name):
                self.initial[name] = getattr(record, name)

    def _unless_fixed(self, name: str, clean: Any) -> Any:
        value = self.cleaned_data[name]
        return value if self.fields[name].disabled else clean(value)

    def request_values(self) -> dict[str, Any]:
        """The cleaned values that belong on the request itself (documents are stored apart)."""
        return {k: v for k, v in self.cleaned_data.items() if k != "documents"}

    def clean_birth_date(self) -> Any:
        return self._unless_fixed("birth_date", validators.check_birth_date)

    def clean_full_name(self) -> str:
        return self._unless_fixed("full_name", validators.clean_persian_name)

    def clean_father_name(self) -> str:
        return self._unless_fixed("father_name", validators.clean_persian_name)

    def clean_student_number(self) -> str:
        return self._unless_fixed(
            "student_number",
            lambda typed: validators.clean_digits(typed, min_length=5, max_length=12),
        )

    def clean_national_code(self) -> str:
        return self._unless_fixed("national_code", validators.clean_national_code)

    def clean_birth_certificate_number(self) -> str:
        return validators.clean_digits(
            self.cleaned_data["birth_certificate_number"], min_length=1, max_length=10
        )

    def _get_validation_exclusions(self) -> set[str]:
        # Each reference field (faculty, city, …) was looked up by its ModelChoiceField
        # already; the model's own check of the same key would read every table again.
        exclude: set[str] = set(super()._get_validation_exclusions())  # type: ignore[misc]
        return exclude | {
            name for name, field in self.fields.items() if isinstance(field, forms.ModelChoiceField)
        }

    def clean_landline(self) -> str:
        return validators.clean_landline(self.cleaned_data["landline"])

    def clean_mobile(self) -> str:
        return validators.clean_mobile(self.cleaned_data["mobile"])

    def clean_address(self) -> str:
        address = normalize_text(self.cleaned_data["address"])
        if len(address) < 10:
            raise ValidationError(_("Write the full address, with city and street."))
        return address

    def clean(self) -> dict[str, Any]:
        data = super().clean() or {}
        field, faculty, degree = data.get("field_of_study"), data.get("faculty"), data.get("degree")
        if (
            field
            and faculty
            and degree
            and (field.faculty_id != faculty.pk or field.degree_id != degree.pk)
        ):
            self.add_error(
                "field_of_study",
                _("“%(field)s” is not offered at this faculty for this degree.")
                % {"field": field.name},
            )
        return data


class CommentForm(forms.Form):
    body = PersianTextField(
        label=_("Message"),
        max_length=4000,
        widget=forms.Textarea(attrs={"rows": 3}),
        help_text=_("Write to the office handling your request."),
    )
    documents = DocumentsField()


class StaffCommentForm(CommentForm):
    internal = forms.BooleanField(
        label=_("Internal note (staff only)"),
        required=False,
        help_text=_("Internal notes are never shown to the student."),
    )

    def __init__(self, *args: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        # Said to the expert, not to the student.
        self.fields["body"].help_text = _(
            "The student sees your message on their request page and is notified; "
            "tick “internal note” to write only to your colleagues."
        )


class ApproveForm(forms.Form):
    """The expert's note, and the fields of the office's decision (clearance.decisions)."""

    note = PersianTextField(
        label=_("Note"),
        required=False,
        max_length=2000,
        widget=forms.Textarea(attrs={"rows": 2}),
        help_text=_("Shown to the student on the timeline."),
    )

    def __init__(
        self,
        *args: Any,
        parts: list[Decision],
        clearance_request: ClearanceRequest | None = None,
        **kwargs: Any,
    ):
        super().__init__(*args, **kwargs)
        self.parts = parts
        for part in parts:
            self.fields.update(part.fields(clearance_request=clearance_request))

    def clean(self) -> dict[str, Any]:
        data = super().clean() or {}
        for part in self.parts:
            for name, message in part.validate(data).items():
                self.add_error(name, message)
        return data


class ReturnForm(forms.Form):
    reason = PersianTextField(
        label=_("Reason for return"),
        max_length=2000,
        widget=forms.Textarea(attrs={"rows": 3}),
        help_text=_("Tell the student exactly what to correct or attach."),
    )


class FacultyChangeForm(forms.Form):
    """The education office moves a request filed under the wrong faculty."""

    faculty = forms.ModelChoiceField(
        label=_("The right faculty"), queryset=Faculty.objects.filter(is_active=True)
    )
    field_of_study = forms.ModelChoiceField(
        label=_("field of study"),
        queryset=FieldOfStudy.objects.filter(is_active=True).select_related("degree"),
        help_text=_("The same program at the right faculty."),
    )
    reason = PersianTextField(
        label=_("Why it moves"),
        max_length=2000,
        widget=forms.Textarea(attrs={"rows": 2}),
        help_text=_(
            "Shown on the timeline. The chain starts again at the new faculty's education office."
        ),
    )

    def __init__(self, *args: Any, clearance_request: ClearanceRequest, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        fields: dict[str, Any] = self.fields
        fields["faculty"].queryset = fields["faculty"].queryset.exclude(
            pk=clearance_request.faculty_id
        )
        fields["field_of_study"].queryset = (
            fields["field_of_study"]
            .queryset.filter(degree_id=clearance_request.degree_id)
            .exclude(faculty_id=clearance_request.faculty_id)
        )
        if not self.is_bound:
            # Shown on every education task page: both lists from the tables' copy. A faculty is
            # offered when it teaches this degree (the move needs a program there).
            programs = [
                program
                for program in tables.active(FieldOfStudy)
                if program.degree_id == clearance_request.degree_id
                and program.faculty_id != clearance_request.faculty_id
                and program.faculty.is_active
            ]
            blank = [("", fields["faculty"].empty_label)]
            fields["field_of_study"].choices = blank + [(f.pk, str(f)) for f in programs]
            faculties = {f.faculty_id: f.faculty for f in programs}
            fields["faculty"].choices = blank + [
                (faculty.pk, str(faculty))
                for faculty in sorted(faculties.values(), key=lambda faculty: faculty.name)
            ]


class NotificationPreferenceForm(forms.Form):
    """SMS and e-mail on or off; the notification list in the portal is always on."""

    sms = forms.BooleanField(label=_("Text messages (SMS)"), required=False)
    email = forms.BooleanField(label=_("E-mail"), required=False)

    def __init__(self, *args: Any, mobile: str, email: str, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self.fields["sms"].help_text = (
            _("To %(mobile)s, the mobile number on your latest request.")
            % {"mobile": local_digits(mobile)}
            if mobile
            else _("To the mobile number on your request, once you have filed one.")
        )
        self.fields["email"].help_text = (
            _("To %(email)s.") % {"email": email}
            if email
            else _("Your account has no e-mail address, so no e-mail is sent.")
        )
