"""Sign-in backends: local accounts with per-office permissions, and the directory."""

from typing import Any

from django.contrib.auth.backends import ModelBackend
from django_auth_ldap.backend import LDAPBackend, ldap_error, populate_user

from accounts import directory, tables
from accounts.models import Faculty, Office, Role, office_permission

_CACHE = "_office_perm_cache"


class OfficeRoleBackend(ModelBackend):
    """Authenticate local accounts and grant one permission string per office role.

    The strings are per faculty, so viewflow's queue (which matches
    ``owner_permission__in=user.get_all_permissions()``) never widens past a role.
    """

    def get_office_permissions(self, user_obj: Any) -> set[str]:
        if not user_obj.is_active or user_obj.is_anonymous:
            return set()
        if not hasattr(user_obj, _CACHE):
            setattr(user_obj, _CACHE, _role_permissions(user_obj))
        return getattr(user_obj, _CACHE)

    def get_all_permissions(self, user_obj: Any, obj: Any = None) -> set[str]:
        return super().get_all_permissions(user_obj, obj) | self.get_office_permissions(user_obj)

    def has_perm(self, user_obj: Any, perm: str, obj: Any = None) -> bool:
        if perm.startswith("clearance.office."):
            return perm in self.get_office_permissions(user_obj)
        return super().has_perm(user_obj, perm, obj)


def _role_permissions(user: Any) -> set[str]:
    """The user's roles, named with the offices' and faculties' codes from the tables'
    copies (every page asks: no join, and no sort — Role's ordering by office and faculty
    would join both); a role on a row added this instant reads the codes."""
    mine = Role.objects.filter(user=user).order_by()
    roles = list(mine.values_list("office_id", "faculty_id"))
    offices, faculties = tables.rows(Office), tables.rows(Faculty)
    if all(o in offices and (f is None or f in faculties) for o, f in roles):
        return {
            office_permission(offices[o].code, faculties[f].code if f is not None else None)
            for o, f in roles
        }
    codes = mine.values_list("office__code", "faculty__code")
    return {office_permission(o, f) for o, f in codes}


class DirectoryBackend(LDAPBackend):
    """Sign in against the university directory; office roles and flags follow its groups.

    Settings come from ``clearance.settings.directory`` (TASVIEH_LDAP_* variables).
    """

    def authenticate(
        self, request: Any, username: str | None = None, password: str | None = None, **kwargs: Any
    ) -> Any:
        if username is not None:
            # Also for sign-ins that do not come through our login form (the admin's).
            username = directory.normalize_username(username)
        return super().authenticate(request, username=username, password=password, **kwargs)

    def authenticate_ldap_user(self, ldap_user: Any, password: str) -> Any:
        user = super().authenticate_ldap_user(ldap_user, password)
        if user is not None:
            # The groups were loaded (and cached) by directory.user_populate.
            groups = set(ldap_user.group_dns) if directory.role_map_setting() else set()
            directory.directory_roles_sync(user=user, group_dns=groups)
        return user


populate_user.connect(
    directory.user_populate, sender=DirectoryBackend, dispatch_uid="tasvieh.directory.populate"
)
ldap_error.connect(
    directory.mark_unavailable, sender=DirectoryBackend, dispatch_uid="tasvieh.directory.error"
)
