"""A step no expert holds is shown to administrators, not left to wait (issue 10 §6)."""

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.urls import reverse

from accounts.models import Faculty, Role
from clearance.staffing import unstaffed_steps


@pytest.fixture
def two_faculties(experts, faculty, other_faculty) -> None:
    """Only the two faculties whose every office has an expert are active."""
    Faculty.objects.exclude(pk__in=[faculty.pk, other_faculty.pk]).update(is_active=False)


def test_every_step_staffed_means_no_notice(two_faculties, admin_client):
    assert unstaffed_steps() == []
    assert 'id="unstaffed-steps"' not in admin_client.get(reverse("admin:index")).content.decode()


def test_an_office_without_an_expert_shows_in_the_admin_and_the_reports(
    two_faculties, admin_client, other_faculty
):
    Role.objects.filter(office__code="secretariat", faculty=other_faculty).delete()
    Role.objects.filter(office__code="council").delete()

    with CaptureQueriesContext(connection) as queries:
        gaps = {faculty: [o.code for o in offices] for faculty, offices in unstaffed_steps()}

    assert gaps == {other_faculty: ["secretariat"], None: ["council"]}
    assert len(queries) == 3
    for url in (reverse("admin:index"), reverse("reports")):
        html = admin_client.get(url).content.decode()
        notice = html.split('id="unstaffed-steps"')[1][:2000]
        assert str(other_faculty) in notice and "دبیرخانه" in notice
        assert "ادارات دانشگاه" in notice and "شورای انضباطی" in notice
