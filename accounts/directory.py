"""The university directory: usernames, group → role map, and what a sign-in brings along.

The role map (``TASVIEH_LDAP_ROLE_MAP``) lists entries ``<group DN>=<target>``, separated
by ``;`` or new lines; the target is an office code, ``office:faculty`` for a faculty
office, ``staff`` (may open the admin) or ``superuser``. A group may appear in several
entries. At every directory sign-in the person's directory roles are replaced by those
their groups (nested ones too) map to; roles granted in admin are never touched.
"""

import logging
from collections.abc import Callable
from dataclasses import dataclass
from typing import TYPE_CHECKING, Any

import ldap
import ldap.dn
from django.conf import settings
from django.core.exceptions import ImproperlyConfigured
from django.db import transaction
from django.http import HttpRequest
from django_auth_ldap.config import LDAPGroupType

from persian.text import ascii_digits, normalize_text

if TYPE_CHECKING:
    from accounts.models import User

logger = logging.getLogger(__name__)

FLAGS = ("staff", "superuser")
_UNAVAILABLE = "tasvieh_directory_unavailable"


@dataclass(frozen=True)
class RoleGrant:
    """One entry of the role map: members of ``group_dn`` get an office role or a flag."""

    group_dn: str
    office: str = ""
    faculty: str = ""
    flag: str = ""

    def __str__(self) -> str:
        target = self.flag or (f"{self.office}:{self.faculty}" if self.faculty else self.office)
        return f"{self.group_dn}={target}"


def normalize_dn(dn: str) -> str:
    """Spell a DN one way (no spaces after commas, lower case) so that DNs compare equal."""
    return str(ldap.dn.dn2str(ldap.dn.str2dn(dn.strip()))).lower()


def parse_role_map(text: str, *, name: str = "TASVIEH_LDAP_ROLE_MAP") -> tuple[RoleGrant, ...]:
    """Read the role map; a malformed entry stops the start-up with its position."""
    grants = []
    lines = [line for line in text.splitlines() if not line.strip().startswith("#")]
    entries = [entry.strip() for line in lines for entry in line.split(";")]
    for number, entry in enumerate((e for e in entries if e), 1):
        group, _, target = entry.rpartition("=")
        target = target.strip().lower()
        try:
            group_dn = normalize_dn(group)
        except ldap.DECODING_ERROR:
            group_dn = ""
        if not group_dn or "=" not in group_dn:
            raise ImproperlyConfigured(
                f"{name}, entry {number} ({entry!r}): expected <group DN>=<office[:faculty]"
                f"|staff|superuser>, e.g. CN=Tasvieh-Education-Medicine,OU=Groups,DC=example,"
                f"DC=ac,DC=ir=education:medicine"
            )
        if target in FLAGS:
            grants.append(RoleGrant(group_dn, flag=target))
            continue
        office, _, faculty = target.partition(":")
        if not _is_code(office) or (faculty and not _is_code(faculty)):
            raise ImproperlyConfigured(
                f"{name}, entry {number} ({entry!r}): {target!r} is not an office code, "
                f"office:faculty, staff or superuser"
            )
        grants.append(RoleGrant(group_dn, office=office, faculty=faculty))
    return tuple(grants)


def role_map_setting() -> tuple[RoleGrant, ...]:
    """The parsed map in settings.TASVIEH_LDAP_ROLE_MAP (see clearance.settings.directory)."""
    return tuple(getattr(settings, "TASVIEH_LDAP_ROLE_MAP", ()))


def _is_code(value: str) -> bool:
    return bool(value) and all(c.isascii() and (c.isalnum() or c in "_-") for c in value)


def normalize_username(value: str) -> str:
    """Lower-case, ASCII digits, no ``DOMAIN\\`` prefix or ``@domain`` suffix of our domain."""
    username = ascii_digits(value).strip().lower()
    if getattr(settings, "TASVIEH_LDAP_ENABLED", False):
        username = username.rpartition("\\")[2]
        suffix = "@" + getattr(settings, "TASVIEH_LDAP_UPN_DOMAIN", "")
        if len(suffix) > 1 and username.endswith(suffix):
            username = username[: -len(suffix)]
    return username


# --- the directory not answering ---------------------------------------------------------


def mark_unavailable(sender: Any, **kwargs: Any) -> None:
    """Remember on the request that the directory failed (django_auth_ldap's ldap_error)."""
    request = kwargs.get("request")
    if request is not None:  # django-auth-ldap has already logged the error
        setattr(request, _UNAVAILABLE, True)


def is_unavailable(request: HttpRequest | None) -> bool:
    return bool(getattr(request, _UNAVAILABLE, False))


def axes_username(request: HttpRequest, credentials: dict[str, Any] | None) -> str:
    """Give django-axes the normalised username, so case or digits cannot dodge the limit."""
    raw = (credentials or {}).get("username") or request.POST.get("username") or ""
    # No account has a longer name (User.username); axes stores at most 255 characters.
    return normalize_username(str(raw))[:150]


def attempt_not_counted(request: HttpRequest, credentials: dict[str, Any] | None) -> bool:
    """Tell django-axes not to count a sign-in that failed because the directory was down."""
    return is_unavailable(request)


# --- what a directory sign-in brings along -----------------------------------------------


class MemberOfGroupType(LDAPGroupType):
    """Groups from the person's own ``memberOf`` values: no group search, direct groups only."""

    def user_groups(self, ldap_user: Any, group_search: Any) -> list[tuple[str, dict[str, Any]]]:
        values = (ldap_user.attrs or {}).get("memberOf", [])
        return [(dn.lower(), {}) for dn in values]


def user_populate(sender: Any, user: "User", ldap_user: Any, **kwargs: Any) -> None:
    """Tidy the directory's values and set the staff flags, just before the user is saved."""
    tidy: dict[str, Callable[[str], str]] = {
        "first_name": normalize_text,
        "last_name": normalize_text,
        "email": str.strip,
        "student_number": lambda value: ascii_digits(value).strip(),
    }
    for field, clean in tidy.items():
        max_length = getattr(user._meta.get_field(field), "max_length", None)
        setattr(user, field, clean(str(getattr(user, field) or ""))[:max_length])
    role_map = role_map_setting()
    if not role_map:
        return
    # Loading the groups here keeps a directory error inside django-auth-ldap's handling
    # (the sign-in fails with the "not answering" message) and caches them for the roles.
    group_dns = {normalize_dn(dn) for dn in ldap_user.group_dns}
    flags = {g.flag for g in role_map if g.flag and g.group_dn in group_dns}
    # The directory owns a flag only when the map mentions it; otherwise admin's choice stays.
    if any(g.flag == "superuser" for g in role_map):
        user.is_superuser = "superuser" in flags
    if any(g.flag for g in role_map):
        user.is_staff = bool(flags)


@transaction.atomic
def directory_roles_sync(*, user: "User", group_dns: set[str]) -> None:
    """Make the person's directory roles match their groups; leave roles granted in admin."""
    from accounts.models import Faculty, Office, Role

    group_dns = {normalize_dn(dn) for dn in group_dns}
    grants = [g for g in role_map_setting() if g.office and g.group_dn in group_dns]
    offices = {o.code: o for o in Office.objects.filter(code__in={g.office for g in grants})}
    faculties = {
        f.code: f for f in Faculty.objects.filter(code__in={g.faculty for g in grants if g.faculty})
    }
    wanted: set[tuple[int, int | None]] = set()
    for grant in grants:
        office = offices.get(grant.office)
        faculty = faculties.get(grant.faculty) if grant.faculty else None
        if office is None or (grant.faculty and faculty is None):
            logger.error("role map entry %s names an unknown office or faculty", grant)
        elif office.is_faculty_office != bool(faculty):
            logger.error(
                "role map entry %s: %s",
                grant,
                "a faculty office needs :faculty"
                if office.is_faculty_office
                else "a university office takes no faculty",
            )
        else:
            wanted.add((office.pk, faculty.pk if faculty else None))

    # Two sign-ins of one person at once must not both add the same role.
    type(user).objects.select_for_update().filter(pk=user.pk).exists()
    current = {
        (office_id, faculty_id): pk
        for pk, office_id, faculty_id in Role.objects.filter(
            user=user, source=Role.Source.DIRECTORY
        ).values_list("pk", "office_id", "faculty_id")
    }
    stale = [pk for key, pk in current.items() if key not in wanted]
    if stale:
        Role.objects.filter(pk__in=stale).delete()
    Role.objects.bulk_create(
        Role(user=user, office_id=office_id, faculty_id=faculty_id, source=Role.Source.DIRECTORY)
        for office_id, faculty_id in wanted - current.keys()
    )
    if stale or wanted - current.keys():
        logger.info(
            "directory roles of %s: %d added, %d removed",
            user.username,
            len(wanted - current.keys()),
            len(stale),
        )
