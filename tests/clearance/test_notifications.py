"""Who is told what, when: each event's in-app notification and queued e-mail/SMS.

Notifications and deliveries are written in the action's transaction, so a refused or
rolled-back action tells no one; nothing is sent inside a web request.
"""

import pytest
from django.core import mail
from django.db import connection, transaction
from django.test import Client
from django.test.utils import CaptureQueriesContext
from django.urls import reverse
from django_tasks_db.models import DBTaskResult
from hypothesis import HealthCheck, given, settings

from accounts.models import User
from clearance import services
from clearance.models import ClearanceRequest, Delivery, Event, FieldOfStudy, Notification
from tests.conftest import expert_for, login, open_task
from tests.factories import ExpertFactory
from tests.test_no_server_error import ODD

pytestmark = pytest.mark.django_db

RETURN_REASON = "کارنامه ناقص است؛ لطفاً نسخه مهر شده را بارگذاری کنید."


@pytest.fixture
def sara(student) -> User:
    student.email = "sara@student.example.ac.ir"
    student.save(update_fields=["email"])
    return student


def claimed(submitted, experts, faculty, office="education"):
    expert = expert_for(experts, office, faculty)
    task = open_task(submitted)
    services.task_claim(task=task, user=expert)
    return expert, task


def deliveries(**filters) -> list[tuple[str, str, str]]:
    rows = Delivery.objects.filter(**filters).order_by("channel")
    return list(rows.values_list("channel", "to", "status"))


def test_a_return_tells_the_student_in_app_by_email_and_sms_queued_not_sent(
    submitted, sara, experts, faculty, sms_outbox
):
    expert = expert_for(experts, "education", faculty)
    client = login(Client(), expert)
    task = open_task(submitted)
    client.post(reverse("task_claim", args=[task.pk]))

    response = client.post(reverse("task_return", args=[task.pk]), {"reason": RETURN_REASON})

    assert response.status_code == 302
    notification = Notification.objects.get()
    assert (notification.recipient, notification.kind) == (sara, "returned")
    assert notification.office.code == "education" and notification.actor == expert
    assert notification.excerpt == RETURN_REASON and notification.read_at is None
    assert deliveries() == [
        ("email", sara.email, "queued"),
        ("sms", submitted.mobile, "queued"),  # the mobile number on the request
    ]
    assert set(Delivery.objects.values_list("notification", flat=True)) == {notification.pk}
    # Queued for the worker, one task per delivery; nothing has left yet.
    assert DBTaskResult.objects.filter(status="READY").count() == 2
    assert mail.outbox == [] and sms_outbox == []


def test_an_office_message_tells_the_student_and_an_internal_note_does_not(
    submitted, sara, experts, faculty
):
    expert, task = claimed(submitted, experts, faculty)
    client = login(Client(), expert)

    client.post(reverse("task_comment", args=[task.pk]), {"body": "یادداشت", "internal": "on"})
    assert not Notification.objects.exists() and not Delivery.objects.exists()

    client.post(reverse("task_comment", args=[task.pk]), {"body": "رسید کلید خوابگاه را بفرستید"})
    notification = Notification.objects.get()
    assert notification.kind == "message" and notification.recipient == sara
    assert notification.excerpt == "رسید کلید خوابگاه را بفرستید"
    assert [channel for channel, *_ in deliveries()] == ["email", "sms"]


def test_the_cleared_request_tells_the_student(submitted, sara, experts, faculty):
    for office in ["education", "student_affairs", "cultural_deputy", "secretariat", "council"]:
        expert, task = claimed(submitted, experts, faculty, office)
        services.decision_record(task=task, user=expert, decision={"note": ""})
    for office in ["nutrition", "dormitory", "loan_fund", "welfare", "faculty_closure"]:
        expert, task = claimed(submitted, experts, faculty, office)
        services.decision_record(
            task=task,
            user=expert,
            decision={"debt_rials": 0, "had_dormitory": False, "form_registered": True},
        )

    (notification,) = Notification.objects.all()
    assert notification.kind == "cleared" and notification.recipient == sara
    assert len(deliveries(kind="cleared")) == 2


def moved(submitted, experts, faculty, other_faculty, *, reason: str = "دانشکده اشتباه"):
    field = FieldOfStudy.objects.filter(faculty=other_faculty, is_active=True).first()
    return services.request_faculty_change(
        clearance_request=submitted,
        user=expert_for(experts, "education", faculty),
        faculty=other_faculty,
        field_of_study=field,
        reason=reason,
    )


def test_a_move_to_another_faculty_tells_the_student(
    submitted, sara, experts, faculty, other_faculty
):
    moved(submitted, experts, faculty, other_faculty, reason="رشته در دانشکده پرستاری است")

    notification = Notification.objects.get()
    assert (notification.recipient, notification.kind) == (sara, "moved")
    assert notification.office.code == "education"
    assert notification.actor == expert_for(experts, "education", faculty)
    assert notification.excerpt == "رشته در دانشکده پرستاری است"
    email = Delivery.objects.get(channel="email")
    sms = Delivery.objects.get(channel="sms")
    assert email.subject == "درخواست تسویه حساب شما به دانشکده دیگری منتقل شد"
    for text in (email.body, sms.body):
        assert f"به {other_faculty.name} منتقل کرد" in text
        assert f"/requests/{submitted.pk}/" in text
    assert "رشته در دانشکده پرستاری است" in email.body
    assert submitted.national_code not in email.body + sms.body
    # The bell says what happened then, not where the request is now (it may move again).
    page = login(Client(), sara).get(reverse("notification_list")).content.decode()
    assert "درخواست شما را به دانشکده دیگری منتقل کرد" in page


def test_the_bell_lists_moves_without_a_query_per_row(
    submitted, sara, experts, faculty, other_faculty
):
    moved(submitted, experts, faculty, other_faculty)
    client = login(Client(), sara)
    with CaptureQueriesContext(connection) as one:
        client.get(reverse("notification_list"))
    Notification.objects.bulk_create(
        [Notification(recipient=sara, kind="moved", request=submitted) for _ in range(5)]
    )
    with CaptureQueriesContext(connection) as six:
        page = client.get(reverse("notification_list")).content.decode()

    assert page.count("درخواست شما را به دانشکده دیگری منتقل کرد") == 6
    assert len(six) == len(one)


def test_the_expert_holding_the_task_hears_of_a_reply_and_a_resubmission(
    submitted, student, experts, faculty
):
    expert, task = claimed(submitted, experts, faculty)

    services.comment_post(clearance_request=submitted, author=student, body="مدارک را فرستادم")
    replied = Notification.objects.get(recipient=expert)
    assert (replied.kind, replied.task_id) == ("replied", task.pk)
    assert replied.excerpt == "مدارک را فرستادم" and replied.office.code == "education"

    services.request_return(task=task, user=expert, reason=RETURN_REASON)
    services.request_resubmit(
        clearance_request=submitted, student=student, data={}, note="کارنامه پیوست شد"
    )
    resubmitted = Notification.objects.get(recipient=expert, kind="resubmitted")
    assert resubmitted.task_id == task.pk and resubmitted.excerpt == "کارنامه پیوست شد"
    # Experts are told in the portal only; e-mail and SMS are the student's.
    assert not Delivery.objects.exclude(recipient=student).exists()


def test_a_reply_on_an_unclaimed_task_tells_no_expert(submitted, student):
    services.comment_post(clearance_request=submitted, author=student, body="سلام")

    assert not Notification.objects.exists()


def test_a_supervisor_taking_a_task_back_tells_its_holder(submitted, experts, faculty):
    expert, task = claimed(submitted, experts, faculty)
    supervisor = ExpertFactory(office="education", faculty=faculty, is_staff=True)

    services.task_release(task=task, user=supervisor)

    released = Notification.objects.get()
    assert (released.recipient, released.kind, released.actor) == (expert, "released", supervisor)
    assert released.task_id == task.pk


def test_releasing_ones_own_task_tells_no_one(submitted, experts, faculty):
    expert, task = claimed(submitted, experts, faculty)

    services.task_release(task=task, user=expert)

    assert not Notification.objects.exists()


def test_a_refused_or_rolled_back_action_tells_no_one(submitted, sara, experts, faculty):
    expert = expert_for(experts, "education", faculty)
    task = open_task(submitted)
    services.task_claim(task=task, user=ExpertFactory(office="education", faculty=faculty))

    with pytest.raises(services.ActionRefused):  # a colleague holds the task
        services.request_return(task=task, user=expert, reason="کار همکار")
    with pytest.raises(RuntimeError), transaction.atomic():
        services.comment_post(
            clearance_request=submitted,
            author=expert,
            office=expert.roles.get().office,
            body="پیامی که هرگز نرسید",
        )
        raise RuntimeError("the page failed after the action")

    assert not Notification.objects.exists()
    # Nothing queued: the worker has nothing to send.
    assert not Delivery.objects.exists() and not DBTaskResult.objects.exists()


def test_students_choose_sms_and_email_and_the_bell_stays(submitted, sara, experts, faculty):
    expert, _ = claimed(submitted, experts, faculty)
    office = expert.roles.get().office

    services.notification_preference_set(user=sara, sms=False, email=True)
    services.comment_post(clearance_request=submitted, author=expert, office=office, body="یک")
    services.notification_preference_set(user=sara, sms=True, email=False)
    services.comment_post(clearance_request=submitted, author=expert, office=office, body="دو")
    services.notification_preference_set(user=sara, sms=False, email=False)
    services.comment_post(clearance_request=submitted, author=expert, office=office, body="سه")

    sent = [(n.excerpt, sorted(n.deliveries.values_list("channel", flat=True))) for n in
            Notification.objects.order_by("created")]  # fmt: skip
    assert sent == [("یک", ["email"]), ("دو", ["sms"]), ("سه", [])]


def test_no_email_address_means_no_email(submitted, student, experts, faculty):
    expert, task = claimed(submitted, experts, faculty)

    services.request_return(task=task, user=expert, reason=RETURN_REASON)

    assert deliveries() == [("sms", submitted.mobile, "queued")]


@pytest.mark.django_db
@settings(
    max_examples=40,
    deadline=None,
    suppress_health_check=[HealthCheck.function_scoped_fixture, HealthCheck.too_slow],
)
@given(reason=ODD)
def test_any_reason_for_a_move_is_refused_clearly_or_told_whole(
    submitted, sara, experts, faculty, other_faculty, reason
):
    """The reason an education expert types, whatever its characters, reaches the student as
    the timeline records it, or the page refuses it with a message: never a 500."""
    submitted.refresh_from_db()
    here, there = (
        (faculty, other_faculty) if submitted.faculty_id == faculty.pk else (other_faculty, faculty)
    )
    field = FieldOfStudy.objects.filter(faculty=there, is_active=True).first()
    client = login(Client(), expert_for(experts, "education", here))
    told = set(Notification.objects.filter(kind="moved").values_list("pk", flat=True))

    response = client.post(
        reverse("task_faculty_change", args=[open_task(submitted).pk]),
        {"faculty": there.pk, "field_of_study": field.pk, "reason": reason},
        follow=True,
    )

    new = Notification.objects.filter(kind="moved").exclude(pk__in=told)
    if response.status_code == 400:  # refused: the request stayed, and the form says why
        assert not new
        assert ClearanceRequest.objects.get(pk=submitted.pk).faculty_id == here.pk
        assert "invalid-feedback" in response.content.decode()
        return
    assert response.status_code == 200
    notification = new.get()
    note = Event.objects.filter(request=submitted, kind="moved").latest("pk").note
    assert note and notification.excerpt == note[:300] and "\x00" not in note
    email = Delivery.objects.get(notification=notification, channel="email")
    assert note in email.body


def test_a_move_lifts_the_your_turn_mark_of_a_return(
    submitted, sara, experts, faculty, other_faculty
):
    """A returned request that the education office moves waits for the new faculty's
    offices, not for its student: «my requests» no longer asks for a reply."""
    expert = expert_for(experts, "education", faculty)
    services.request_return(task=open_task(submitted), user=expert, reason=RETURN_REASON)
    client = login(Client(), sara)
    assert "your-turn" in client.get(reverse("request_list")).content.decode()

    moved(submitted, experts, faculty, other_faculty)

    assert "your-turn" not in client.get(reverse("request_list")).content.decode()
    unread = Notification.objects.filter(recipient=sara, read_at__isnull=True)
    assert list(unread.values_list("kind", flat=True)) == ["moved"]
