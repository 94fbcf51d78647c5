"""Steps no one can act on: an office without any expert (for a faculty, where scoped)."""

from accounts.models import Faculty, Office, Role
from clearance.flows import office_steps


def unstaffed_steps() -> list[tuple[Faculty | None, list[Office]]]:
    """The offices of the chain that nobody holds a role for, by faculty (None: university).

    A request reaching one of them would wait silently; administrators are told instead.
    Three queries, whatever the number of faculties.
    """
    held = set(Role.objects.filter(user__is_active=True).values_list("office_id", "faculty_id"))
    held_offices = {office_id for office_id, _ in held}
    offices = Office.objects.in_bulk(field_name="code")
    faculties = list(Faculty.objects.filter(is_active=True))
    gaps: dict[Faculty | None, list[Office]] = {}
    for step in office_steps():
        office = offices.get(step.office_code)
        if office is None:  # the start-up check tasvieh.E001 reports it
            continue
        if not step.faculty_scoped:
            if office.pk not in held_offices:
                gaps.setdefault(None, []).append(office)
            continue
        for faculty in faculties:
            if (office.pk, faculty.pk) not in held:
                gaps.setdefault(faculty, []).append(office)
    return list(gaps.items())
