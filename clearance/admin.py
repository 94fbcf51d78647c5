from django.contrib import admin
from django.utils.translation import gettext_lazy as _
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
from persian.search import NormalizedSearch
from persian.templatetags.persian import jdatetime

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


class ReadOnlyAdmin(admin.ModelAdmin):
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
        "pk",
        "full_name",
        "student_number",
        "faculty",
        "request_type",
        "status",
        "current_office",
        "created_jalali",
    ]
    list_filter = ["status", "request_type", "faculty", "current_office"]
    search_fields = ["full_name", "student_number", "national_code", "letter_number"]
    list_select_related = ["faculty", "request_type", "current_office"]
    inlines = [EventInline]

    @admin.display(description=_("created"), ordering="created")
    def created_jalali(self, obj: ClearanceRequest) -> str:
        return jdatetime(obj.created)


@admin.register(Event)
class EventAdmin(ReadOnlyAdmin):
    list_display = ["request", "kind", "office", "actor", "at_jalali", "ip_address"]
    list_filter = ["kind", "office"]
    list_select_related = ["request", "office", "actor"]

    @admin.display(description=_("at"), ordering="created")
    def at_jalali(self, obj: Event) -> str:
        return jdatetime(obj.created)


admin.site.register(Comment, ReadOnlyAdmin)
admin.site.register(Document, ReadOnlyAdmin)


@admin.register(LetterSequence)
class LetterSequenceAdmin(admin.ModelAdmin):
    list_display = ["faculty", "year", "last_number"]
    list_filter = ["faculty", "year"]


@admin.register(StudentRecord)
class StudentRecordAdmin(SafeAutocomplete, NormalizedSearch, ImportMixin, admin.ModelAdmin):
    """The education system's export, imported with a preview and an error per row."""

    resource_classes = [StudentRecordResource]
    import_formats = [RegistryCSV, XLSX]
    list_display = ["student_number", "national_code", "first_name", "last_name", "faculty"]
    list_filter = ["faculty", "degree"]
    search_fields = ["student_number", "national_code", "first_name", "last_name"]
    list_select_related = ["faculty"]
    autocomplete_fields = ["field_of_study"]
    readonly_fields = ["imported_jalali"]
    exclude = ["imported"]

    @admin.display(description=_("last imported"))
    def imported_jalali(self, obj: StudentRecord) -> str:
        return jdatetime(obj.imported)
