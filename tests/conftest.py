"""Shared fixtures: personas (a student, office experts) and a submitted request."""

import struct
import zlib

import pytest
from django.core.cache import cache
from django.core.files.uploadedfile import SimpleUploadedFile
from django.core.management import call_command
from django.db import connection
from django.test import Client
from django.test.utils import CaptureQueriesContext
from django.urls import reverse
from viewflow.workflow.models import Task
from viewflow.workflow.status import STATUS

from accounts import tables
from accounts.models import Faculty, Office, User
from clearance import services
from clearance.demo import DEMO_PASSWORD, expert_username, make_experts
from clearance.forms import REFERENCES
from clearance.models import ClearanceRequest, Document
from clearance.notifications.sms import MemoryBackend, Sms
from tests.factories import ClearanceRequestFactory, StudentFactory


def pytest_addoption(parser: pytest.Parser) -> None:
    parser.addoption(
        "--screenshots",
        action="store_true",
        default=False,
        help="write the README screenshots to docs/screenshots/ (see `make screenshots`)",
    )


PDF = b"%PDF-1.4\n1 0 obj<<>>endobj\ntrailer<<>>\n%%EOF\n"
PNG = bytes.fromhex("89504e470d0a1a0a0000000d4948445200000001000000010806000000") + b"\0" * 40


def png_image(size: int = 64, rgb: tuple[int, int, int] = (11, 61, 107)) -> bytes:
    """A real PNG (a square of one colour, a light ring around it), e.g. a letterhead logo."""

    def chunk(kind: bytes, data: bytes) -> bytes:
        body = kind + data
        return struct.pack(">I", len(data)) + body + struct.pack(">I", zlib.crc32(body))

    rows = b""
    for y in range(size):
        rows += b"\0" + b"".join(
            bytes(rgb if min(x, y, size - 1 - x, size - 1 - y) > 3 else (230, 236, 244))
            for x in range(size)
        )
    header = struct.pack(">IIBBBBB", size, size, 8, 2, 0, 0, 0)
    return (
        b"\x89PNG\r\n\x1a\n"
        + chunk(b"IHDR", header)
        + chunk(b"IDAT", zlib.compress(rows))
        + chunk(b"IEND", b"")
    )


def upload(name: str, content: bytes) -> SimpleUploadedFile:
    """A file as a browser would post it (the name and declared type prove nothing)."""
    return SimpleUploadedFile(name, content, content_type="application/octet-stream")


def attach_pdf(clearance_request: ClearanceRequest, *, by: User) -> Document:
    """Store a small PDF on the request, as the student's upload would."""
    return Document.objects.create(
        request=clearance_request,
        uploaded_by=by,
        file=upload("a.pdf", PDF),
        original_name="a.pdf",
        content_type="application/pdf",
        size=len(PDF),
    )


# The offices in the order a request with a dormitory passes them (DESIGN §3).
CHAIN = [
    "education",
    "student_affairs",
    "cultural_deputy",
    "secretariat",
    "council",
    "nutrition",
    "dormitory",
    "it",
    "loan_fund",
    "welfare",
    "faculty_closure",
]


@pytest.fixture(autouse=True)
def _fast_and_private(settings, tmp_path):
    """Hash passwords cheaply and keep uploads in a per-test folder."""
    settings.PASSWORD_HASHERS = ["django.contrib.auth.hashers.MD5PasswordHasher"]
    settings.STORAGES = {
        **settings.STORAGES,
        "default": {
            "BACKEND": "django.core.files.storage.FileSystemStorage",
            "OPTIONS": {"location": tmp_path / "media"},
        },
    }


@pytest.fixture(autouse=True)
def _fresh_tables():
    """Each test reads the small tables and counts anew: the last one's rows were rolled
    back."""
    tables.clear()
    cache.clear()
    yield
    tables.clear()
    cache.clear()


@pytest.fixture(autouse=True)
def sms_outbox(settings) -> list[Sms]:
    """Text messages go to the in-memory gateway; the list is what it received."""
    settings.TASVIEH_SMS_BACKEND = "memory"
    MemoryBackend.outbox.clear()
    return MemoryBackend.outbox


@pytest.fixture
def faculty(db) -> Faculty:
    return Faculty.objects.get(code="medicine")


@pytest.fixture
def other_faculty(db) -> Faculty:
    return Faculty.objects.get(code="nursing_midwifery")


@pytest.fixture
def experts(db, faculty, other_faculty) -> dict[str, User]:
    """Every office's expert, for two faculties, keyed by username (e.g. 'education.medicine')."""
    return {user.username: user for user in make_experts([faculty, other_faculty])}


@pytest.fixture
def student(db) -> User:
    return StudentFactory(
        username="student1", first_name="سارا", last_name="احمدی", student_number="98100001"
    )


@pytest.fixture
def other_student(db) -> User:
    return StudentFactory(username="student2", first_name="رضا", last_name="کریمی")


def login(client: Client, user: User) -> Client:
    """Sign in through the real login page, as a browser would."""
    response = client.post(reverse("login"), {"username": user.username, "password": DEMO_PASSWORD})
    assert response.status_code == 302, response.content.decode()[:500]
    return client


@pytest.fixture
def student_client(client, student) -> Client:
    return login(client, student)


def expert_for(experts: dict[str, User], office_code: str, faculty: Faculty) -> User:
    office = Office.objects.get(code=office_code)
    return experts[expert_username(office, faculty if office.is_faculty_office else None)]


@pytest.fixture
def submitted(db, student, faculty) -> ClearanceRequest:
    return ClearanceRequestFactory(student=student, faculty=faculty, serial=1)


# --- helpers shared by test modules -----------------------------------------------------


def open_task(req: ClearanceRequest) -> Task:
    return Task.objects.get(
        process_id=req.process_id,
        flow_task_type="HUMAN",
        status__in=[STATUS.NEW, STATUS.ASSIGNED],
    )


def approve_payload(office: str, *, dormitory: bool) -> dict[str, str]:
    payload = {"note": f"ok from {office}"}
    if office in {"nutrition", "dormitory", "loan_fund", "welfare"}:
        payload.update(debt_rials="0", settlement="")
    if office == "dormitory":
        payload["had_dormitory"] = "yes" if dormitory else "no"
    if office == "secretariat":
        payload.update(letter_number="", letter_date="1405/09/04")
    if office == "welfare":
        payload["form_registered"] = "on"
    return payload


def act(expert, req: ClearanceRequest, *, dormitory: bool) -> str:
    """Claim and approve the request's open task as this expert; return the office code."""
    client = login(Client(), expert)
    task = open_task(req)
    office = task.flow_task.name
    assert client.post(reverse("task_claim", args=[task.pk])).status_code == 302
    response = client.post(
        reverse("task_approve", args=[task.pk]), approve_payload(office, dormitory=dormitory)
    )
    assert response.status_code == 302, response.content.decode()[:2000]
    return office


def run_worker() -> None:
    """Deliver everything queued, as the background worker does, then stop."""
    call_command("db_worker", batch=True, no_startup_delay=True, verbosity=0)


def warm_tables() -> None:
    """Read the small tables' copies (accounts.tables) as a running server already has."""
    form_lists = [ClearanceRequest._meta.get_field(name).related_model for name in REFERENCES]
    for model in (Office, Faculty, *form_lists):
        tables.rows(model)


def queries(client: Client, url: str) -> int:
    """The queries one page costs in a running server (its tables' copies already read)."""
    warm_tables()
    with CaptureQueriesContext(connection) as ctx:
        assert client.get(url).status_code == 200
    return len(ctx.captured_queries)


def approve_through_chain(
    req: ClearanceRequest,
    experts: dict[str, User],
    faculty: Faculty,
    *,
    until: str | None = None,
    debts: dict[str, tuple[int, str]] | None = None,
) -> ClearanceRequest:
    """Each office claims and approves in turn (money offices record ``debts[office]``, else
    none), up to the office ``until`` (left waiting) or to the faculty's closure."""
    debts = debts or {}
    while req.status == ClearanceRequest.Status.IN_PROGRESS:
        task = open_task(req)
        office = task.flow_task.name
        if office == until:
            break
        expert = expert_for(experts, office, faculty)
        services.task_claim(task=task, user=expert)
        debt, settlement = debts.get(office, (0, ""))
        decision = {"note": "", "debt_rials": debt, "settlement": settlement}
        decision.update(had_dormitory=False, form_registered=True)
        services.decision_record(task=open_task(req), user=expert, decision=decision)
        req.refresh_from_db()
    return req
