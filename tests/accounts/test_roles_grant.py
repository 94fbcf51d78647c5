"""Administrators grant office roles in bulk: several users, or a CSV; previewed, all or nothing."""

import pytest
from django.contrib.admin.models import LogEntry
from django.core.files.uploadedfile import SimpleUploadedFile
from django.test import Client
from django.urls import reverse
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from accounts.models import Office, Role
from clearance.demo import make_user
from tests.conftest import login

GRANT = "admin:accounts_role_grant"


@pytest.fixture
def admin_client(db) -> Client:
    return login(Client(), make_user("root", is_staff=True, is_superuser=True))


@pytest.fixture
def people(db):
    return [make_user(name) for name in ("ali", "sara", "reza")]


def csv_upload(text: str, encoding: str = "utf-8") -> SimpleUploadedFile:
    return SimpleUploadedFile("roles.csv", text.encode(encoding), content_type="text/csv")


def preview(client: Client, **data):
    response = client.post(reverse(GRANT), {"step": "preview", **data})
    assert response.status_code == 200
    return response


def confirm(client: Client, lines: str):
    return client.post(reverse(GRANT), {"step": "confirm", "lines": lines})


def test_several_selected_users_get_one_role(admin_client, people, faculty):
    education = Office.objects.get(code="education")
    # The users list's action opens the grant page with the selected usernames.
    action = admin_client.post(
        reverse("admin:accounts_user_changelist"),
        {"action": "grant_role", "_selected_action": [str(p.pk) for p in people[:2]]},
    )
    assert action.status_code == 200
    assert action.context["form"].initial["usernames"] == "ali\nsara"

    shown = preview(
        admin_client, usernames="ali\nsara", office=str(education.pk), faculty=str(faculty.pk)
    )
    assert [line.username for line in shown.context["lines"]] == ["ali", "sara"]
    assert not shown.context["failing"] and shown.context["new"] == 2
    assert not Role.objects.filter(user__in=people).exists()  # a preview grants nothing

    done = confirm(admin_client, shown.context["lines_csv"])
    assert done.status_code == 302
    granted = Role.objects.filter(user__in=people)
    assert {(r.user.username, r.office.code, r.faculty) for r in granted} == {
        ("ali", "education", faculty),
        ("sara", "education", faculty),
    }
    assert all(r.source == Role.Source.MANUAL for r in granted)
    assert people[0].has_perm(f"clearance.office.education.{faculty.code}")
    # Each user's history tells who granted which role.
    entry = LogEntry.objects.get(object_id=str(people[0].pk))
    assert entry.user.username == "root" and str(granted.first()) in entry.get_change_message()

    # Confirming twice (a double click) grants nothing more.
    assert confirm(admin_client, shown.context["lines_csv"]).status_code == 302
    assert granted.count() == 2


def test_a_csv_of_roles_with_codes_names_a_header_and_windows_encoding(
    admin_client, people, faculty
):
    Role.objects.create(user=people[2], office=Office.objects.get(code="council"))
    # The nutrition office by its name, with the Arabic yeh that Windows-1256 writes.
    text = (
        f"username,office,faculty\nALI,education,{faculty.code}\nsara,اداره تغذيه,\nreza,council,\n"
    )
    shown = preview(admin_client, csv_file=csv_upload(text, "cp1256"))
    lines = shown.context["lines"]
    assert [(line.username, line.office.code, line.held) for line in lines] == [
        ("ali", "education", False),
        ("sara", "nutrition", False),
        ("reza", "council", True),  # already held: nothing changes
    ]
    assert shown.context["new"] == 2
    confirm(admin_client, shown.context["lines_csv"])
    assert Role.objects.filter(user__in=people).count() == 3


def test_one_wrong_line_grants_nothing(admin_client, people, faculty):
    text = (
        f"ali,education,{faculty.code}\n"
        "nobody,nutrition,\n"
        "sara,education,\n"
        f"reza,council,{faculty.code}\n"
        "reza,library,\n"
    )
    shown = preview(admin_client, csv_file=csv_upload(text))
    errors = {line.number: line.errors for line in shown.context["failing"]}
    assert set(errors) == {2, 3, 4, 5}
    assert "nobody" in errors[2][0]
    html = shown.content.decode()
    assert 'id="grant-confirm"' not in html and "هیچ نقشی اعطا نشد" in html
    # Posting the lines anyway (a tampered form) still grants nothing, not even line 1.
    again = confirm(admin_client, text)
    assert again.status_code == 200 and again.context["failing"]
    assert not Role.objects.filter(user__in=people).exists()


def test_only_administrators_grant_roles(client, people, experts):
    staff = make_user("helper", is_staff=True)  # staff without the permission to add roles
    assert login(Client(), staff).get(reverse(GRANT)).status_code == 403
    expert = login(Client(), experts["nutrition"])
    response = expert.post(reverse(GRANT), {"step": "confirm", "lines": "ali,council,"})
    assert response.status_code == 302 and "/login/" in response["Location"]
    assert not Role.objects.filter(user__in=people).exists()


def test_bad_input_is_a_message(admin_client, people):
    assert "form" in preview(admin_client).context  # nothing given
    assert preview(admin_client).context["form"].errors
    noise = SimpleUploadedFile("x.csv", b"\xff\xfe\x00\x81\x8d" * 10, content_type="text/csv")
    assert preview(admin_client, csv_file=noise).context["failing"]
    big = csv_upload("ali,council,\n" * 100_000)
    assert preview(admin_client, csv_file=big).context["form"].errors
    no_office = preview(admin_client, usernames="ali")
    assert "office" in no_office.context["form"].errors


ODD = st.one_of(
    st.text(max_size=300),
    st.sampled_from(["\x00", "ـــ", "۱۲۳", "０８", "a" * 10_000, '"unterminated', "a,b,c,d,e"]),
)


@pytest.mark.django_db
@settings(
    max_examples=30, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture]
)
@given(
    usernames=ODD, lines=ODD, upload=ODD, office=ODD, step=st.sampled_from(["preview", "confirm"])
)
def test_any_input_is_a_page_never_a_500(admin_client, usernames, lines, upload, office, step):
    data = {"step": step, "usernames": usernames, "lines": lines, "office": office}
    if upload:
        data["csv_file"] = csv_upload(upload)
    response = admin_client.post(reverse(GRANT), data)
    assert response.status_code in (200, 302)
    assert not Role.objects.filter(user__username__in=["ali", "sara"]).exists()
