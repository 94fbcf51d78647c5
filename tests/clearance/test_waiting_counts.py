"""The menu's waiting counts are kept a few seconds and shared by an office's experts; a
change made in this process shows at once, one made elsewhere within the kept time."""

import time

from django.db import connection
from django.test import Client
from django.test.utils import CaptureQueriesContext
from django.urls import reverse
from viewflow.workflow.models import Task
from viewflow.workflow.status import STATUS

from clearance import services
from clearance.demo import form_values
from tests.conftest import expert_for, login, open_task
from tests.factories import ExpertFactory


def menu(client: Client) -> tuple[dict[str, int], list[str]]:
    """The menu's counts on the expert's "my tasks" page, and the counting queries run."""
    with CaptureQueriesContext(connection) as queries:
        response = client.get(reverse("office_mine"))
    assert response.status_code == 200
    counting = [q["sql"] for q in queries if 'COUNT(*) AS "n" FROM "viewflow_task"' in q["sql"]]
    return {office.code: n for office, n in response.context["office_waiting"]}, counting


def changed_elsewhere(task: Task, **values) -> None:
    """Another server process changes the task: this process sees no save of its own."""
    Task.objects.filter(pk=task.pk).update(**values)


def two_waiting(faculty, student, other_student):
    for serial, who in enumerate((student, other_student), start=1):
        services.request_submit(student=who, data=form_values(serial=serial, faculty=faculty))


def test_the_experts_of_an_office_share_one_count(experts, faculty, student, other_student):
    two_waiting(faculty, student, other_student)
    first = login(Client(), expert_for(experts, "education", faculty))
    colleague = login(Client(), ExpertFactory(office="education", faculty=faculty))

    assert menu(first)[0]["education"] == 2
    counts, counting = menu(colleague)

    assert counts["education"] == 2
    assert counting == []  # the colleague's page read the kept number


def test_an_action_in_this_process_shows_at_once(experts, faculty, student, other_student):
    two_waiting(faculty, student, other_student)
    expert = expert_for(experts, "education", faculty)
    client = login(Client(), expert)
    assert menu(client)[0]["education"] == 2

    task = open_task(student.clearance_requests.get())
    services.task_claim(task=task, user=expert)
    counts, counting = menu(client)
    assert counts["education"] == 1 and len(counting) == 1

    services.task_release(task=Task.objects.get(pk=task.pk), user=expert)
    assert menu(client)[0]["education"] == 2


def test_a_resubmission_of_a_task_no_one_holds_shows_at_once(experts, faculty, student):
    """A supervisor took the returned request's task back: the task row does not change
    when the student resubmits, yet the task is waiting again."""
    services.request_submit(student=student, data=form_values(serial=1, faculty=faculty))
    req = student.clearance_requests.get()
    expert = expert_for(experts, "education", faculty)
    services.request_return(task=open_task(req), user=expert, reason="کد ملی را اصلاح کنید")
    supervisor = ExpertFactory(office="education", faculty=faculty, is_staff=True)
    services.task_release(task=open_task(req), user=supervisor)
    client = login(Client(), expert)
    assert open_task(req).status == STATUS.NEW
    assert menu(client)[0]["education"] == 0  # with the student, not waiting

    services.request_resubmit(clearance_request=req, student=student, data={}, note="اصلاح شد")

    assert menu(client)[0]["education"] == 1


def test_a_change_made_elsewhere_shows_within_the_kept_time(
    settings, experts, faculty, student, other_student
):
    settings.TASVIEH_WAITING_COUNT_SECONDS = 1
    two_waiting(faculty, student, other_student)
    client = login(Client(), expert_for(experts, "education", faculty))
    assert menu(client)[0]["education"] == 2

    changed_elsewhere(open_task(student.clearance_requests.get()), status=STATUS.ASSIGNED)
    assert menu(client)[0]["education"] == 2
    time.sleep(1.1)

    assert menu(client)[0]["education"] == 1


def test_zero_seconds_counts_on_every_page(settings, experts, faculty, student, other_student):
    settings.TASVIEH_WAITING_COUNT_SECONDS = 0
    two_waiting(faculty, student, other_student)
    client = login(Client(), expert_for(experts, "education", faculty))
    assert menu(client)[0]["education"] == 2

    changed_elsewhere(open_task(student.clearance_requests.get()), status=STATUS.ASSIGNED)
    counts, counting = menu(client)

    assert counts["education"] == 1 and len(counting) == 1


def test_a_lagging_count_never_hides_a_row_of_the_queue(experts, faculty, student, other_student):
    """The queue's total comes from the kept count; its rows always come from the database."""
    two_waiting(faculty, student, other_student)
    expert = expert_for(experts, "education", faculty)
    client = login(Client(), expert)
    task = open_task(student.clearance_requests.get())
    services.task_claim(task=task, user=expert)
    assert menu(client)[0]["education"] == 1  # kept: one waiting

    changed_elsewhere(task, status=STATUS.NEW, owner=None)  # released
    queue = client.get(reverse("office_queue"))

    assert queue.context["page"].paginator.count == 1  # the total lags …
    assert len(queue.context["rows"]) == 2  # … the rows do not
    assert f'href="/office/tasks/{task.pk}/"' in queue.content.decode()
