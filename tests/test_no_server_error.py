"""Nothing answers 500: every URL's GET parameters and every form, with odd Unicode.

The routes table must name every URL of the site (a new page without an entry fails
``test_every_url_is_fuzzed``); each is visited as the persona it is meant for.
"""

from collections.abc import Callable
from dataclasses import dataclass, field

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile
from django.test import Client
from django.urls import URLPattern, URLResolver, get_resolver, reverse
from hypothesis import HealthCheck, example, given, settings
from hypothesis import strategies as st

from accounts.models import User
from clearance import services
from clearance.demo import form_values, post_data
from clearance.forms import ClearanceRequestForm
from clearance.models import ClearanceRequest, Notification
from tests.conftest import PDF, attach_pdf, expert_for, open_task
from tests.factories import ClearanceRequestFactory

# Digits of every script, tatweel, NUL, huge numbers, 10 k characters …
ODD = st.one_of(
    st.text(max_size=30),
    st.sampled_from(
        [
            "",
            " ",
            "²",
            "¹²³",
            "００８４５７５９４８",
            "٠١٢٣",
            "۱۴۰۵/۰۹/۰۴",
            "१२३४",
            "߁߂߃",
            "ـــ",
            "ـ" * 4001,
            "\x00",
            "a\x00b",
            "9" * 25,
            "999999999",
            "-1",
            "1e9",
            "1.5",
            "x" * 10_000,
            "on",
            "yes",
            "<script>",
            "../../etc/passwd",
        ]
    ),
)
QUERY_PARAMS = ["type", "status", "faculty", "office", "q", "age", "page", "format", "code",
                "download", "next", "o", "p", "e", "_changelist_filters"]  # fmt: skip
FORM_FIELDS = [*ClearanceRequestForm.Meta.fields, "documents", "note", "body", "internal",
               "reason", "debt_rials", "settlement", "letter_number", "letter_number_proposed",
               "next", "letter_date", "had_dormitory", "form_registered", "task", "language",
               "username", "password", "sms", "email"]  # fmt: skip


@dataclass
class World:
    student: User
    expert: User
    admin: User
    request: ClearanceRequest
    task_pk: int
    document_pk: int
    notification_pk: int
    code: str = "ABCDEF0123456789"
    clients: dict[str, Client] = field(default_factory=dict)

    def client(self, persona: str) -> Client:
        if persona not in self.clients:
            client = Client(raise_request_exception=False)
            if persona != "anonymous":
                client.force_login(getattr(self, persona))
            self.clients[persona] = client
        return self.clients[persona]


@pytest.fixture
def world(db, student, experts, faculty) -> World:
    req = ClearanceRequestFactory(student=student, faculty=faculty, serial=1)
    expert = expert_for(experts, "education", faculty)
    task = open_task(req)
    services.task_claim(task=task, user=expert)
    services.comment_post(
        clearance_request=req, author=expert, office=expert.roles.get().office, body="سلام"
    )
    admin = User.objects.create_superuser("root", "root@example.ac.ir", "x")
    return World(
        student=student,
        expert=expert,
        admin=admin,
        request=req,
        task_pk=task.pk,
        document_pk=attach_pdf(req, by=student).pk,
        notification_pk=Notification.objects.get(recipient=student).pk,
    )


# URL name → (persona, path arguments). Every URL of clearance/urls.py is here.
Route = tuple[str, Callable[[World], list[object]]]
NONE: Callable[[World], list[object]] = lambda w: []  # noqa: E731
REQ: Callable[[World], list[object]] = lambda w: [w.request.pk]  # noqa: E731
TASK: Callable[[World], list[object]] = lambda w: [w.task_pk]  # noqa: E731
ROUTES: dict[str, Route] = {
    "home": ("student", NONE),
    "login": ("anonymous", NONE),
    "logout": ("student", NONE),
    "set_language": ("student", NONE),
    "request_list": ("student", NONE),
    "request_create": ("student", NONE),
    "request_detail": ("student", REQ),
    "request_edit": ("student", REQ),
    "request_cancel": ("student", REQ),
    "request_comment": ("student", REQ),
    "request_certificate": ("student", REQ),
    "document_download": ("student", lambda w: [w.document_pk]),
    "certificate_verify_form": ("anonymous", NONE),
    "certificate_verify": ("anonymous", lambda w: [w.code]),
    "office_queue": ("expert", NONE),
    "office_mine": ("expert", NONE),
    "office_handled": ("expert", NONE),
    "tasks_bulk_approve": ("expert", NONE),
    "task_detail": ("expert", TASK),
    "task_claim": ("expert", TASK),
    "task_release": ("expert", TASK),
    "task_approve": ("expert", TASK),
    "task_return": ("expert", TASK),
    "task_comment": ("expert", TASK),
    "task_faculty_change": ("expert", TASK),
    "reports": ("admin", NONE),
    "notification_list": ("student", NONE),
    "notification_open": ("student", lambda w: [w.notification_pk]),
    "notifications_read_all": ("student", NONE),
    "notification_settings": ("student", NONE),
}
# The admin pages an administrator works in, with their search, sort and page parameters.
ADMIN_PAGES = [
    "admin:index",
    "admin:clearance_clearancerequest_changelist",
    "admin:clearance_event_changelist",
    "admin:accounts_user_changelist",
    "admin:accounts_role_changelist",
    "admin:accounts_faculty_changelist",
    "admin:clearance_fieldofstudy_changelist",
    "admin:clearance_city_changelist",
    "admin:clearance_delivery_changelist",
    "admin:clearance_notification_changelist",
    "admin:clearance_studentrecord_changelist",
    "admin:clearance_studentrecord_import",
]


def _names(patterns: list[URLPattern | URLResolver], prefix: str = "") -> set[str]:
    names: set[str] = set()
    for pattern in patterns:
        if isinstance(pattern, URLResolver):
            if pattern.namespace != "admin":
                names |= _names(pattern.url_patterns, prefix)
        elif pattern.name:
            names.add(pattern.name)
    return names


def test_every_url_is_fuzzed():
    assert _names(get_resolver().url_patterns) == set(ROUTES)


def _odd_files(choice: int) -> dict[str, object]:
    """A real upload, an upload with the file input's "clear" box, or a bare "clear" box."""
    pdf = SimpleUploadedFile("a.pdf", PDF, content_type="application/pdf")
    return [{}, {"documents": pdf}, {"documents": pdf, "documents-clear": "on"},
            {"documents-clear": "on"}][choice]  # fmt: skip


FUZZ = settings(
    max_examples=160,
    deadline=None,
    suppress_health_check=[HealthCheck.function_scoped_fixture, HealthCheck.too_slow],
)


@pytest.mark.django_db
@FUZZ
@given(
    name=st.sampled_from(sorted(ROUTES)),
    params=st.dictionaries(st.sampled_from(QUERY_PARAMS), ODD, max_size=3),
    data=st.dictionaries(st.sampled_from(FORM_FIELDS), ODD, max_size=6),
    files=st.integers(0, 3),
    post=st.booleans(),
)
@example(name="tasks_bulk_approve", params={}, data={"task": "²"}, files=0, post=True)
@example(name="request_comment", params={}, data={"body": "ـــ"}, files=2, post=True)
@example(name="task_comment", params={}, data={"body": "ـــ"}, files=2, post=True)
@example(name="request_edit", params={}, data={}, files=2, post=True)
@example(name="request_create", params={}, data={}, files=2, post=True)
@example(name="login", params={}, data={"username": "a" * 300, "password": "x"}, files=0, post=True)
@example(name="office_queue", params={"age": "²", "format": "csv"}, data={}, files=0, post=False)
def test_no_page_or_form_answers_500(world, name, params, data, files, post):
    persona, arguments = ROUTES[name]
    url = reverse(name, args=arguments(world))
    client = world.client(persona)
    if post:
        baseline = post_data(form_values(serial=2, faculty=world.request.faculty))
        response = client.post(url, {**baseline, **data, **_odd_files(files)})
    else:
        response = client.get(url, params)

    assert response.status_code < 500, (name, params, data)
    if persona == "student" and name == "logout":
        world.clients.pop(persona)  # signed out: sign in again for the next example


@pytest.mark.django_db
@FUZZ
@given(
    name=st.sampled_from(ADMIN_PAGES),
    params=st.dictionaries(st.sampled_from([*QUERY_PARAMS, "status__exact", "faculty__id__exact",
                                            "kind__exact", "is_staff__exact"]), ODD, max_size=3),
)  # fmt: skip
@example(name="admin:clearance_clearancerequest_changelist", params={"q": "a\x00b"})
@example(name="admin:clearance_clearancerequest_changelist", params={"status": "\x00"})
@example(name="admin:accounts_user_changelist", params={"is_staff__exact": "1\x00"})
def test_no_admin_list_answers_500(world, name, params):
    response = world.client("admin").get(reverse(name), params)

    assert response.status_code < 500, (name, params)


@pytest.mark.django_db
def test_a_sign_in_with_a_very_long_username_is_a_plain_failure(client):
    for url in (reverse("login"), "/admin/login/"):
        response = client.post(url, {"username": "ع" * 300, "password": "x"})
        assert response.status_code == 200
        assert response.context["form"].errors


@pytest.mark.django_db
@settings(
    max_examples=40, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture]
)
@given(
    content=st.one_of(
        st.binary(max_size=300),
        st.lists(st.lists(ODD, min_size=1, max_size=4), max_size=4).map(
            lambda rows: "\n".join(",".join(row) for row in rows).encode("utf-8", "replace")
        ),
    ),
    header=st.sampled_from(["", "student_number,national_code,first_name,last_name\n",
                            "شماره دانشجویی,کد ملی,نام,نام خانوادگی,تاریخ تولد,دانشکده\n"]),
    fmt=st.sampled_from(["0", "1", "9", "²", ""]),
)  # fmt: skip
def test_any_registry_file_gets_a_preview_or_an_error_never_a_500(world, content, header, fmt):
    upload = SimpleUploadedFile("students.csv", header.encode() + content)
    response = world.client("admin").post(
        reverse("admin:clearance_studentrecord_import"),
        {"resource": "0", "format": fmt, "import_file": upload},
    )

    assert response.status_code < 500


ADMIN_FORMS = [
    "admin:accounts_faculty_add",
    "admin:accounts_role_add",
    "admin:accounts_user_add",
    "admin:clearance_fieldofstudy_add",
    "admin:clearance_city_add",
    "admin:clearance_requesttype_add",
    "admin:clearance_studentrecord_add",
    "admin:clearance_lettersequence_add",
]


@pytest.mark.django_db
@settings(
    max_examples=60, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture]
)
@given(name=st.sampled_from(ADMIN_FORMS), values=st.lists(ODD, min_size=12, max_size=12))
@example(name="admin:accounts_faculty_add", values=["{number.real.x}"] * 12)
@example(name="admin:accounts_role_add", values=["x²"] * 12)
@example(name="admin:accounts_user_add", values=["۹۸۱۰۰۱۰۱"] * 12)
def test_no_admin_form_answers_500(world, name, values):
    client = world.client("admin")
    form = client.get(reverse(name)).context["adminform"].form
    data = dict(zip(form.fields, values, strict=False))

    response = client.post(reverse(name), data)

    assert response.status_code < 500, (name, data)


@pytest.mark.django_db
@pytest.mark.parametrize("number", ["9" * 25, "9223372036854775808", "0"])
def test_a_huge_number_in_a_path_is_a_404(world, number):
    paths = [("/requests/{}/", "student"), ("/documents/{}/", "student"),
             ("/office/tasks/{}/", "expert"), ("/requests/{}/edit/", "student")]  # fmt: skip
    for path, persona in paths:
        assert world.client(persona).get(path.format(number)).status_code == 404
    assert world.client("anonymous").get("/verify/" + "²" * 300 + "/").status_code == 404
