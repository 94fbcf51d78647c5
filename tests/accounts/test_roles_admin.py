"""Administrators grant office roles in Django admin; a faculty office role needs a faculty."""

import pytest
from django.test import Client
from django.urls import reverse

from accounts.models import Office, Role
from clearance.demo import make_user
from tests.conftest import login


@pytest.fixture
def admin_client(db) -> Client:
    admin = make_user("root", is_staff=True, is_superuser=True)
    return login(Client(), admin)


def role_payload(user, office, faculty) -> dict[str, str]:
    return {
        "user": str(user.pk),
        "office": str(office.pk),
        "faculty": str(faculty.pk) if faculty else "",
        "source": "manual",
    }


def test_admin_grants_a_faculty_role(admin_client, faculty):
    expert = make_user("new.expert")
    office = Office.objects.get(code="education")
    response = admin_client.post(
        reverse("admin:accounts_role_add"), role_payload(expert, office, faculty)
    )
    assert response.status_code == 302
    role = Role.objects.get(user=expert)
    assert role.permission == f"clearance.office.education.{faculty.code}"
    assert expert.has_perm(role.permission)


@pytest.mark.parametrize(("office_code", "with_faculty"), [("education", False), ("council", True)])
def test_scope_rules_are_enforced_in_admin(admin_client, faculty, office_code, with_faculty):
    expert = make_user("new.expert")
    office = Office.objects.get(code=office_code)
    response = admin_client.post(
        reverse("admin:accounts_role_add"),
        role_payload(expert, office, faculty if with_faculty else None),
    )
    assert response.status_code == 200
    assert "faculty" in response.context["adminform"].form.errors
    assert not Role.objects.filter(user=expert).exists()


def test_role_screen_and_user_page_render_in_persian(admin_client, experts):
    user = experts["education.medicine"]
    page = admin_client.get(reverse("admin:accounts_user_change", args=[user.pk]))
    assert page.status_code == 200
    html = page.content.decode()
    assert 'dir="rtl"' in html and "roles-" in html
    assert admin_client.get(reverse("admin:accounts_role_changelist")).status_code == 200
    assert (
        admin_client.get(reverse("admin:clearance_clearancerequest_changelist")).status_code == 200
    )


def test_offices_cannot_be_added_or_deleted(admin_client):
    assert admin_client.get(reverse("admin:accounts_office_add")).status_code == 403
    office = Office.objects.get(code="it")
    assert (
        admin_client.post(
            reverse("admin:accounts_office_delete", args=[office.pk]), {"post": "yes"}
        ).status_code
        == 403
    )
    assert Office.objects.filter(code="it").exists()
