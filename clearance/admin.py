from django.contrib import admin
from django.utils.translation import gettext_lazy as _
from django_tasks_db.admin import DBTaskResultAdmin
from django_tasks_db.models import DBTaskResult
from import_export.admin import ImportMixin
from import_export.formats.base_formats import XLSX

# viewflow's own Process and Task pages could delete tasks and edit their status or
# owner_permission, rewriting the history; requests, their timelines and the office
# queues show all of it. Import them first so that they can be taken out.
from viewflow.workflow import admin as workflow_admin

from accounts.admin_widgets import SafeAutocomplete
from clearance.models import (
    City,
    ClearanceRequest,
    Comment,
    DegreeLevel,
    Document,
    EducationStatus,
    Event,
    FieldOfStudy,
    Gender,
    LetterSequence,
    MaritalStatus,
    Province,
    RequestType,
    StudentRecord,
)
from clearance.registry import RegistryCSV, StudentRecordResource
from persian.jalali_admin import JalaliDatesAdmin
from persian.search import NormalizedSearch

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
