import csv
import io

from axes import admin as axes_admin
from axes.models import AccessAttempt, AccessFailureLog, AccessLog
from django.conf import settings
from django.contrib import admin, messages
from django.contrib.auth.admin import UserAdmin as BaseUserAdmin
from django.contrib.auth.models import Group
from django.core.exceptions import PermissionDenied
from django.db.models import Prefetch, QuerySet
from django.http import HttpRequest, HttpResponse
from django.shortcuts import redirect
from django.template.response import TemplateResponse
from django.urls import URLPattern, path, reverse
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy, ngettext

from accounts import roles
from accounts.admin_widgets import SafeAutocomplete
from accounts.forms import AdminPasswordForm, RoleGrantForm
from accounts.models import Faculty, Office, Role, User
from persian.jalali_admin import JalaliDatesAdmin
from persian.search import NormalizedSearch
from persian.templatetags.persian import jdatetime
from persian.text import local_digits

# Access is granted by office roles, never by Django groups.
admin.site.unregister(Group)
admin.site.site_header = gettext_lazy("Tasvieh administration")
admin.site.site_title = gettext_lazy("Tasvieh")
admin.site.index_title = gettext_lazy("Clearance portal settings")


class RoleInline(SafeAutocomplete, admin.TabularInline):
    model = Role
    extra = 1
    autocomplete_fields = ["office", "faculty"]
    fields = ["office", "faculty", "source", "created_jalali"]
    # Roles granted here are always manual; directory roles are managed by sign-in.
    readonly_fields = ["source", "created_jalali"]
    verbose_name = gettext_lazy("office role")
    verbose_name_plural = gettext_lazy("office roles")

    @admin.display(description=gettext_lazy("granted at"))
    def created_jalali(self, obj: Role) -> str:
        return jdatetime(obj.created)

    def get_queryset(self, request):  # type: ignore[no-untyped-def]
        return super().get_queryset(request).select_related("office", "faculty")


@admin.register(User)
class UserAdmin(NormalizedSearch, JalaliDatesAdmin, BaseUserAdmin):
    inlines = [RoleInline]
    list_display = ["username", "first_name", "last_name", "roles_shown", "is_staff"]
    list_filter = ["roles__office", "roles__faculty", "is_staff", "is_superuser", "is_active"]
    search_fields = ["username", "first_name", "last_name", "email", "student_number"]
    actions = ["grant_role"]
    change_password_form = AdminPasswordForm
    # Access comes from office roles (below), not from Django groups or permissions.
    fieldsets = (
        (None, {"fields": ["username", "password"]}),
        (
            gettext_lazy("Personal info"),
            {"fields": ["first_name", "last_name", "email", "student_number"]},
        ),
        (gettext_lazy("Permissions"), {"fields": ["is_active", "is_staff", "is_superuser"]}),
        (gettext_lazy("Important dates"), {"fields": ["last_login", "date_joined"]}),
    )
    readonly_fields = ["last_login", "date_joined"]

    def get_queryset(self, request: HttpRequest) -> QuerySet[User]:
        return (
            super()
            .get_queryset(request)
            .prefetch_related(
                Prefetch("roles", queryset=Role.objects.select_related("office", "faculty"))
            )
        )

    @admin.display(description=gettext_lazy("office roles"))
    def roles_shown(self, obj: User) -> str:
        return "، ".join(str(role) for role in obj.roles.all()) or "-"

    @admin.action(description=gettext_lazy("Grant an office role to the selected users"))
    def grant_role(self, request: HttpRequest, queryset: QuerySet[User]) -> HttpResponse:
        usernames = "\n".join(queryset.order_by("username").values_list("username", flat=True))
        return role_grant_view(request, usernames=usernames)


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
class RoleAdmin(SafeAutocomplete, NormalizedSearch, JalaliDatesAdmin):
    list_display = ["user", "office", "faculty", "source", "created"]
    list_filter = ["office", "faculty", "source"]
    search_fields = ["user__username", "user__first_name", "user__last_name"]
    autocomplete_fields = ["user", "office", "faculty"]
    list_select_related = ["user", "office", "faculty"]
    readonly_fields = ["source", "created"]

    def get_urls(self) -> list[URLPattern]:
        grant = path(
            "grant/", self.admin_site.admin_view(role_grant_view), name="accounts_role_grant"
        )
        return [grant, *super().get_urls()]


def role_grant_view(request: HttpRequest, *, usernames: str = "") -> HttpResponse:
    """Grant roles in bulk: the form, then a preview of every line, then all or nothing."""
    if not admin.site.is_registered(Role) or not request.user.has_perm("accounts.add_role"):
        raise PermissionDenied
    lines = None
    form = RoleGrantForm(initial={"usernames": usernames})
    if request.method == "POST" and "step" in request.POST:
        form = RoleGrantForm(request.POST, request.FILES)
        if form.is_valid():
            lines = roles.grant_lines_check(form.grant_lines)
            if request.POST["step"] == "confirm":
                try:
                    granted = roles.roles_grant(lines=form.grant_lines, by=_admin(request))
                except roles.GrantRefused as refused:
                    lines = refused.lines
                else:
                    count = len(granted)
                    messages.success(
                        request,
                        ngettext("%(n)s role granted.", "%(n)s roles granted.", count)
                        % {"n": local_digits(count)},
                    )
                    return redirect("admin:accounts_role_changelist")
    failing = [line for line in lines or [] if line.errors]
    context = {
        **admin.site.each_context(request),
        "title": _("Grant office roles"),
        "opts": Role._meta,
        "form": form,
        "lines": lines,
        "failing": failing,
        "new": sum(1 for line in lines or [] if not line.errors and not line.held),
        "lines_csv": _as_csv(lines) if lines and not failing else "",
        "action_url": reverse("admin:accounts_role_grant"),
    }
    return TemplateResponse(request, "admin/accounts/role/grant.html", context)


def _admin(request: HttpRequest) -> User:
    assert isinstance(request.user, User)
    return request.user


def _as_csv(lines: list[roles.GrantLine]) -> str:
    out = io.StringIO()
    csv.writer(out).writerows(line.as_csv for line in lines)
    return out.getvalue()


# --- django-axes' sign-in records, in our words and the Jalali calendar ---------------------


class SignInAttemptAdmin(JalaliDatesAdmin, axes_admin.AccessAttemptAdmin):
    @admin.display(description=gettext_lazy("status"))
    def status(self, obj: AccessAttempt) -> str:
        left = settings.AXES_FAILURE_LIMIT - obj.failures_since_start
        if left <= 0:
            return _("Locked out")
        return ngettext("%(n)s attempt left", "%(n)s attempts left", left) % {
            "n": local_digits(left)
        }


class SignInLogAdmin(JalaliDatesAdmin, axes_admin.AccessLogAdmin):
    # The log's own title carries a Gregorian time stamp: the list is all there is to see.
    list_display_links = None


class SignInFailureAdmin(JalaliDatesAdmin, axes_admin.AccessFailureLogAdmin):
    list_display_links = None


admin.site.register(AccessAttempt, SignInAttemptAdmin)
admin.site.register(AccessLog, SignInLogAdmin)
admin.site.register(AccessFailureLog, SignInFailureAdmin)
