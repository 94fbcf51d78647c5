from django.contrib import admin
from django.contrib.auth.admin import UserAdmin as BaseUserAdmin
from django.contrib.auth.models import Group
from django.utils.translation import gettext_lazy as _

from accounts.admin_widgets import SafeAutocomplete
from accounts.models import Faculty, Office, Role, User
from persian.search import NormalizedSearch
from persian.templatetags.persian import jdatetime

# Access is granted by office roles, never by Django groups.
admin.site.unregister(Group)
admin.site.site_header = _("Tasvieh administration")
admin.site.site_title = _("Tasvieh")
admin.site.index_title = _("Clearance portal settings")


class RoleInline(SafeAutocomplete, admin.TabularInline):
    model = Role
    extra = 1
    autocomplete_fields = ["office", "faculty"]
    fields = ["office", "faculty", "source", "granted"]
    # Roles granted here are always manual; directory roles are managed by sign-in.
    readonly_fields = ["source", "granted"]

    @admin.display(description=_("granted at"))
    def granted(self, obj: Role) -> str:
        return jdatetime(obj.created)

    verbose_name = _("office role")
    verbose_name_plural = _("office roles")

    def get_queryset(self, request):  # type: ignore[no-untyped-def]
        return super().get_queryset(request).select_related("office", "faculty")


@admin.register(User)
class UserAdmin(NormalizedSearch, BaseUserAdmin):
    inlines = [RoleInline]
    list_display = ["username", "first_name", "last_name", "student_number", "is_staff"]
    search_fields = ["username", "first_name", "last_name", "email", "student_number"]
    # Access comes from office roles (below), not from Django groups or permissions.
    fieldsets = (
        (None, {"fields": ["username", "password"]}),
        (_("Personal info"), {"fields": ["first_name", "last_name", "email", "student_number"]}),
        (_("Permissions"), {"fields": ["is_active", "is_staff", "is_superuser"]}),
        (_("Important dates"), {"fields": ["last_login_jalali", "joined_jalali"]}),
    )
    readonly_fields = ["last_login_jalali", "joined_jalali"]

    @admin.display(description=_("last login"))
    def last_login_jalali(self, obj: User) -> str:
        return jdatetime(obj.last_login)

    @admin.display(description=_("date joined"))
    def joined_jalali(self, obj: User) -> str:
        return jdatetime(obj.date_joined)


@admin.register(Faculty)
class FacultyAdmin(NormalizedSearch, admin.ModelAdmin):
    list_display = ["name", "code", "letter_prefix", "letter_format", "is_active"]
    list_editable = ["is_active"]
    search_fields = ["name", "name_en", "code"]


@admin.register(Office)
class OfficeAdmin(NormalizedSearch, admin.ModelAdmin):
    list_display = ["order", "name", "code", "scope", "records_debt"]
    list_display_links = ["name"]
    list_editable = ["records_debt"]
    search_fields = ["name", "code"]
    readonly_fields = ["code", "scope", "order"]

    def has_add_permission(self, request):  # type: ignore[no-untyped-def]
        # Offices are the steps of the process; adding one needs a new flow node.
        return False

    def has_delete_permission(self, request, obj=None):  # type: ignore[no-untyped-def]
        return False


@admin.register(Role)
class RoleAdmin(SafeAutocomplete, NormalizedSearch, admin.ModelAdmin):
    list_display = ["user", "office", "faculty", "source", "granted"]
    list_filter = ["office", "faculty", "source"]
    search_fields = ["user__username", "user__first_name", "user__last_name"]
    autocomplete_fields = ["user", "office", "faculty"]
    list_select_related = ["user", "office", "faculty"]
    readonly_fields = ["source"]

    @admin.display(description=_("granted at"), ordering="created")
    def granted(self, obj: Role) -> str:
        return jdatetime(obj.created)
