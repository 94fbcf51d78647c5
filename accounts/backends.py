"""Per-office, per-faculty permissions from office roles, for viewflow's task checks."""

from typing import Any

from django.contrib.auth.backends import ModelBackend

from accounts.models import Role, office_permission

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
            roles = Role.objects.filter(user=user_obj).values_list("office__code", "faculty__code")
            setattr(user_obj, _CACHE, {office_permission(o, f) for o, f in roles})
        return getattr(user_obj, _CACHE)

    def get_all_permissions(self, user_obj: Any, obj: Any = None) -> set[str]:
        return super().get_all_permissions(user_obj, obj) | self.get_office_permissions(user_obj)

    def has_perm(self, user_obj: Any, perm: str, obj: Any = None) -> bool:
        if perm.startswith("clearance.office."):
            return perm in self.get_office_permissions(user_obj)
        return super().has_perm(user_obj, perm, obj)
