from django.contrib import admin
from django.db.models import QuerySet
from django.http import HttpRequest
from django.utils.translation import gettext_lazy as _
from django.utils.translation import ngettext
from django_tasks_db.admin import DBTaskResultAdmin
from django_tasks_db.models import DBTaskResult
from import_export.admin import ImportMixin
from import_export.formats.base_formats import XLSX

# viewflow's own Process and Task pages could delete tasks and edit their status or
# owner_permission, rewriting the history; requests, their timelines and the office
# queues show all of it. Import them first so that they can be taken out.
from viewflow.workflow import admin as workflow_admin

from accounts.admin_widgets import SafeAutocomplete
from clearance import services
from clearance.models import (
    City,
    ClearanceRequest,
    Comment,
    DegreeLevel,
    Delivery,
    Document,
    EducationStatus,
    Event,
    FieldOfStudy,
    Gender,
    Letterhead,
    LetterSequence,
    MaritalStatus,
    Notification,
    NotificationPreference,
    Province,
    RequestType,
    StudentRecord,
)
from clearance.registry import RegistryCSV, StudentRecordResource
from persian.jalali_admin import JalaliDatesAdmin
from persian.search import NormalizedSearch
from persian.templatetags.persian import jdatetime
from persian.text import local_digits

admin.site.unregister(workflow_admin.Process)
admin.site.unregister(workflow_admin.Task)


class ReferenceAdmin(NormalizedSearch, admin.ModelAdmin):
    list_display = ["name", "name_en", "code", "order", "is_active"]
    list_editable = ["order", "is_active"]
    search_fields = ["name", "name_en", "code"]


for model in (RequestType, DegreeLevel, EducationStatus, MaritalStatus, Gender):
    admin.site.register(model, ReferenceAdmin)


class CityInline(admin.TabularInline):
    model = City
    extra = 0


@admin.register(Province)
class ProvinceAdmin(NormalizedSearch, admin.ModelAdmin):
    list_display = ["name", "name_en"]
    search_fields = ["name", "name_en"]
    inlines = [CityInline]


@admin.register(City)
class CityAdmin(NormalizedSearch, admin.ModelAdmin):
    list_display = ["name", "province", "is_active"]
    list_filter = ["province"]
    search_fields = ["name", "name_en", "province__name"]
    list_select_related = ["province"]


@admin.register(FieldOfStudy)
class FieldOfStudyAdmin(NormalizedSearch, admin.ModelAdmin):
    list_display = ["name", "faculty", "degree", "is_active"]
    list_filter = ["faculty", "degree", "is_active"]
    search_fields = ["name", "name_en"]
    list_select_related = ["faculty", "degree"]


class ReadOnlyAdmin(JalaliDatesAdmin):
    """History is never edited or deleted, not even by administrators."""

    def has_add_permission(self, request, obj=None):  # type: ignore[no-untyped-def]
        return False

    def has_change_permission(self, request, obj=None):  # type: ignore[no-untyped-def]
        return False

    def has_delete_permission(self, request, obj=None):  # type: ignore[no-untyped-def]
        return False


class EventInline(admin.TabularInline):
    model = Event
    extra = 0
    can_delete = False
    fields = ("kind", "office", "actor", "note", "debt_rials", "ip_address")
    readonly_fields = ("kind", "office", "actor", "note", "debt_rials", "ip_address")

    def has_add_permission(self, request, obj=None):  # type: ignore[no-untyped-def]
        return False


@admin.register(ClearanceRequest)
class ClearanceRequestAdmin(NormalizedSearch, ReadOnlyAdmin):
    list_display = [
        "number",
        "full_name",
        "student_number",
        "faculty",
        "request_type",
        "status",
        "current_office",
        "created",
    ]
    list_filter = ["status", "request_type", "faculty", "current_office"]
    search_fields = ["full_name", "student_number", "national_code", "letter_number"]
    list_select_related = ["faculty", "request_type", "current_office"]
    inlines = [EventInline]

    @admin.display(description=_("request number"), ordering="pk")
    def number(self, obj: ClearanceRequest) -> int:
        return obj.pk


@admin.register(Event)
class EventAdmin(ReadOnlyAdmin):
    list_display = ["request", "kind", "office", "actor", "created", "ip_address"]
    list_filter = ["kind", "office", "created"]
    list_select_related = ["request", "office", "actor"]


admin.site.register(Comment, ReadOnlyAdmin)
admin.site.register(Document, ReadOnlyAdmin)


@admin.register(LetterSequence)
class LetterSequenceAdmin(admin.ModelAdmin):
    list_display = ["faculty", "year", "last_number"]
    list_filter = ["faculty", "year"]


@admin.register(Notification)
class NotificationAdmin(ReadOnlyAdmin):
    list_display = ["recipient", "kind", "request", "office", "at_jalali", "read_jalali"]
    list_filter = ["kind", ("read_at", admin.EmptyFieldListFilter)]
    search_fields = ["recipient__username", "recipient__last_name", "request__full_name"]
    list_select_related = ["recipient", "request", "office"]

    @admin.display(description=_("at"), ordering="created")
    def at_jalali(self, obj: Notification) -> str:
        return jdatetime(obj.created)

    @admin.display(description=_("read at"), ordering="read_at")
    def read_jalali(self, obj: Notification) -> str:
        return jdatetime(obj.read_at) if obj.read_at else "—"


@admin.register(Delivery)
class DeliveryAdmin(ReadOnlyAdmin):
    """Every e-mail and SMS with its attempts and last error; failed ones can be sent again."""

    list_display = [
        "channel",
        "to",
        "recipient",
        "kind",
        "status",
        "attempts",
        "error_start",
        "queued_jalali",
        "sent_jalali",
    ]
    list_filter = ["status", "channel", "kind"]
    search_fields = ["to", "recipient__username", "recipient__last_name"]
    list_select_related = ["recipient"]
    actions = ["send_again"]

    @admin.display(description=_("last error"))
    def error_start(self, obj: Delivery) -> str:
        return obj.last_error[:80]

    @admin.display(description=_("queued at"), ordering="created")
    def queued_jalali(self, obj: Delivery) -> str:
        return jdatetime(obj.created)

    @admin.display(description=_("sent at"), ordering="sent_at")
    def sent_jalali(self, obj: Delivery) -> str:
        return jdatetime(obj.sent_at) if obj.sent_at else "—"

    @admin.action(
        description=_("Send the selected failed deliveries again"), permissions=["resend"]
    )
    def send_again(self, request: HttpRequest, queryset: QuerySet[Delivery]) -> None:
        queued = services.deliveries_retry(deliveries=queryset)
        self.message_user(
            request,
            ngettext("%(n)s delivery queued again.", "%(n)s deliveries queued again.", queued)
            % {"n": local_digits(queued)},
        )

    def has_resend_permission(self, request: HttpRequest) -> bool:
        return bool(request.user.is_superuser)


@admin.register(NotificationPreference)
class NotificationPreferenceAdmin(ReadOnlyAdmin):
    list_display = ["user", "sms", "email", "updated"]
    list_filter = ["sms", "email"]
    search_fields = ["user__username", "user__last_name"]
    list_select_related = ["user"]


@admin.register(StudentRecord)
class StudentRecordAdmin(SafeAutocomplete, NormalizedSearch, ImportMixin, JalaliDatesAdmin):
    """The education system's export, imported with a preview and an error per row."""

    resource_classes = [StudentRecordResource]
    import_formats = [RegistryCSV, XLSX]
    list_display = ["student_number", "national_code", "first_name", "last_name", "faculty"]
    list_filter = ["faculty", "degree"]
    search_fields = ["student_number", "national_code", "first_name", "last_name"]
    list_select_related = ["faculty"]
    autocomplete_fields = ["field_of_study"]
    readonly_fields = ["imported"]

    def has_import_permission(self, request):  # type: ignore[no-untyped-def]
        # django-import-export lets any staff member import unless told; an import adds
        # and changes registry rows, so it needs both permissions.
        return self.has_add_permission(request) and self.has_change_permission(request)


# The background worker's deliveries (django-tasks), in our words and the Jalali calendar.
admin.site.unregister(DBTaskResult)


@admin.register(DBTaskResult)
class TaskResultAdmin(JalaliDatesAdmin, DBTaskResultAdmin):
    """The list of queued and delivered messages; a failure names its error class.

    Rows lead nowhere: django-tasks' page per row is titled "DBTaskResult object (…)";
    the worker's log holds the tracebacks.
    """

    list_display = (  # type: ignore[assignment]
        *("task" if n == "task_name" else n for n in DBTaskResultAdmin.list_display),
        "exception_class_path",
    )
    list_display_links = None

    @admin.display(description=_("task name"))
    def task(self, obj: DBTaskResult) -> str:
        return obj.task_name


@admin.register(Letterhead)
class LetterheadAdmin(JalaliDatesAdmin):
    """The university's name, logo and address on every clearance certificate (one row)."""

    list_display = ["university_name", "address", "updated"]
    fields = ["university_name", "logo", "address"]

    def has_add_permission(self, request):  # type: ignore[no-untyped-def]
        return super().has_add_permission(request) and not Letterhead.objects.exists()
