"""Granting office roles in bulk: read the lines (usernames or a CSV), check them, grant all.

An administrator gives ``username, office, faculty`` lines (a CSV file, or usernames with one
role for all); ``grant_lines_check`` says per line what would happen, and ``roles_grant`` grants
every new role in one transaction, or nothing when any line is wrong.
"""

import csv
import io
from dataclasses import dataclass, field

from django.contrib.admin.models import CHANGE, LogEntry
from django.db import transaction
from django.utils import translation
from django.utils.translation import gettext as _

from accounts.directory import normalize_username
from accounts.models import Faculty, Office, Role, User
from persian.text import local_digits, normalize_text

MAX_LINES = 2000
_HEADER = {"username", "نام کاربری"}


@dataclass
class GrantLine:
    """One line of a bulk grant: what was asked, what it names, and whether it can be granted."""

    number: int
    username: str
    office_name: str
    faculty_name: str
    user: User | None = None
    office: Office | None = None
    faculty: Faculty | None = None
    errors: list[str] = field(default_factory=list)
    held: bool = False

    @property
    def as_csv(self) -> list[str]:
        return [self.username, self.office_name, self.faculty_name]


class GrantRefused(Exception):
    def __init__(self, lines: list[GrantLine]) -> None:
        super().__init__(lines)
        self.lines = lines


def _clean(value: str) -> str:
    return normalize_text(value.replace("\x00", ""))[:200]


def grant_lines_read(text: str) -> list[GrantLine]:
    """The ``username, office, faculty`` lines of a CSV text (a header line is skipped)."""
    rows = csv.reader(io.StringIO(text.replace("\x00", "")))
    lines: list[GrantLine] = []
    try:
        for number, row in enumerate(rows, start=1):
            cells = [_clean(cell) for cell in row] + ["", "", ""]
            if not any(cells) or (number == 1 and cells[0].lower() in _HEADER):
                continue
            lines.append(GrantLine(number, normalize_username(cells[0]), cells[1], cells[2]))
            if len(lines) > MAX_LINES:
                break
    except csv.Error:
        lines.append(GrantLine(0, "", "", "", errors=[_("The file is not a readable CSV.")]))
    return lines


def grant_lines_for(
    *, usernames: str, office: Office | None, faculty: Faculty | None
) -> list[GrantLine]:
    """One line per username (separated by lines, commas or spaces), all for the same role."""
    names = usernames.replace("\x00", "").replace(",", " ").replace("،", " ").split()
    return [
        GrantLine(
            number,
            normalize_username(name)[:150],
            office.code if office else "",
            faculty.code if faculty else "",
        )
        for number, name in enumerate(dict.fromkeys(names), start=1)
    ]


def decode_upload(data: bytes) -> str | None:
    """The text of an uploaded CSV: UTF-8 (with or without BOM) or Windows-1256 (Excel)."""
    for encoding in ("utf-8-sig", "cp1256"):
        try:
            return data.decode(encoding)
        except UnicodeDecodeError:
            continue
    return None


def _by_code_or_name(rows: dict[str, Office] | dict[str, Faculty], value: str):  # type: ignore[no-untyped-def]
    return rows.get(value.lower()) or rows.get(value)


def grant_lines_check(lines: list[GrantLine]) -> list[GrantLine]:
    """Resolve each line's user, office and faculty and note what is wrong or already held."""
    if len(lines) > MAX_LINES:
        lines = lines[:MAX_LINES]
        lines[-1].errors.append(
            _("At most %(n)s lines at once; split the file.") % {"n": local_digits(MAX_LINES)}
        )
    users = User.objects.in_bulk([line.username for line in lines], field_name="username")
    offices = {o.code: o for o in Office.objects.all()} | {o.name: o for o in Office.objects.all()}
    faculties = {f.code: f for f in Faculty.objects.all()} | {
        f.name: f for f in Faculty.objects.all()
    }
    held = set(
        Role.objects.filter(user__in=users.values(), source=Role.Source.MANUAL).values_list(
            "user_id", "office_id", "faculty_id"
        )
    )
    seen: set[tuple[int, int, int | None]] = set()
    for line in lines:
        line.user = users.get(line.username)
        line.office = _by_code_or_name(offices, line.office_name)
        line.faculty = _by_code_or_name(faculties, line.faculty_name) if line.faculty_name else None
        if line.user is None:
            line.errors.append(_("No user with the username “%(name)s”.") % {"name": line.username})
        if line.office is None:
            line.errors.append(
                _("No office “%(name)s”.") % {"name": line.office_name}
                if line.office_name
                else _("Name the office.")
            )
        if line.faculty_name and line.faculty is None:
            line.errors.append(_("No faculty “%(name)s”.") % {"name": line.faculty_name})
        if line.office and line.office.is_faculty_office and line.faculty is None:
            line.errors.append(_("A faculty office role needs a faculty."))
        if line.office and not line.office.is_faculty_office and line.faculty is not None:
            line.errors.append(_("A university office role must not name a faculty."))
        if line.errors or line.user is None or line.office is None:
            continue
        key = (line.user.pk, line.office.pk, line.faculty.pk if line.faculty else None)
        line.held = key in held or key in seen
        seen.add(key)
    return lines


@transaction.atomic
def roles_grant(*, lines: list[GrantLine], by: User) -> list[Role]:
    """Grant every line's role that is not yet held; nothing at all if any line is wrong.

    Each user's new roles are recorded in that user's admin history, in the same transaction.
    """
    lines = grant_lines_check(lines)
    if not lines or any(line.errors for line in lines):
        raise GrantRefused(lines)
    granted: dict[User, list[Role]] = {}
    for line in lines:
        if line.held or line.user is None:
            continue
        role, created = Role.objects.get_or_create(
            user=line.user, office=line.office, faculty=line.faculty, source=Role.Source.MANUAL
        )
        if created:
            granted.setdefault(line.user, []).append(role)
    with translation.override(None):  # stored untranslated, shown in the reader's language
        name = str(Role._meta.verbose_name)
    for user, roles in granted.items():
        LogEntry.objects.log_actions(
            user_id=by.pk,
            queryset=[user],
            action_flag=CHANGE,
            change_message=[{"added": {"name": name, "object": str(role)}} for role in roles],
        )
    return [role for roles in granted.values() for role in roles]
