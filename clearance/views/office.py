"""The office expert's pages: queues, a task and its actions; the administrators' reports."""

from typing import Any

from django.conf import settings
from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.db.models import QuerySet
from django.http import Http404, HttpRequest, HttpResponse, HttpResponseBase
from django.shortcuts import redirect, render
from django.urls import reverse
from django.utils.http import url_has_allowed_host_and_scheme
from django.utils.translation import gettext as _
from django.utils.translation import ngettext
from django.views.decorators.http import require_POST
from viewflow.workflow.models import Task
from viewflow.workflow.status import STATUS

from accounts import tables
from accounts.models import Faculty, User
from clearance import access, services, tasklists
from clearance import reports as report_figures
from clearance.decisions import decision_parts
from clearance.exceptions import ActionRefused
from clearance.exports import tasks_csv
from clearance.filters import TaskFilter
from clearance.forms import (
    ApproveForm,
    FacultyChangeForm,
    ReturnForm,
    StaffCommentForm,
)
from clearance.models import ClearanceRequest, Event, Notification, RequestType
from clearance.network import client_ip
from clearance.registry import registry_state
from clearance.services.common import refuse_unless_workable
from clearance.services.faculty import may_change_faculty
from clearance.staffing import unstaffed_steps
from clearance.views.common import (
    current_user,
    latest_message,
    latest_resubmission,
    notifications_seen,
    officer,
    param,
    perform,
    posted_note,
    request_detail_context,
)
from persian.text import format_jalali, local_digits, parse_int


@login_required
def reports(request: HttpRequest) -> HttpResponse:
    """Where requests wait, what offices decided and what is overdue (administrators only)."""
    if not current_user(request).is_staff:
        raise Http404
    faculties = list(Faculty.objects.filter(is_active=True))
    form = report_figures.ReportFilterForm(request.GET, faculties=faculties)
    if form.is_valid():
        data = form.cleaned_data
        # The form shows the range the figures are for, also when none was typed.
        shown = {name: local_digits(format_jalali(data[name])) for name in ("start", "end")}
        form = report_figures.ReportFilterForm(
            initial={**shown, "faculty": request.GET.get("faculty", "")}, faculties=faculties
        )
    else:  # the figures of the default range, and the form says why
        defaults = report_figures.ReportFilterForm({}, faculties=faculties)
        defaults.is_valid()
        data = defaults.cleaned_data
    figures = report_figures.report(faculty=data["faculty"], start=data["start"], end=data["end"])
    if request.GET.get("format") == "csv":
        return report_figures.report_csv(figures, faculty=data["faculty"])
    query = request.GET.copy()
    query.pop("format", None)
    return render(
        request,
        "clearance/reports.html",
        {
            "form": form,
            "report": figures,
            "chart": report_figures.chart_data(figures),
            "gaps": unstaffed_steps(faculties=faculties),
            "query": query.urlencode(),
        },
    )


# "Handled by me" counts (and pages through) this many of the latest; the rest by search.
HANDLED_COUNTED = 1000


def _task_rows(tasks: QuerySet[Task]) -> QuerySet[Task]:
    return tasks.select_related("owner", "process").prefetch_related("process__clearance_request")


def _task_list(
    request: HttpRequest, tasks: QuerySet[Task], *, tab: str, title: str
) -> HttpResponseBase:
    """One of the expert's lists; each row with the student's last resubmission of the task
    (or, for what the expert handled, their decision)."""
    user = current_user(request)
    filters = TaskFilter(request.GET, queryset=tasks)
    tasks = filters.qs
    if request.GET.get("format") == "csv":
        return tasks_csv(tasks, tab=tab)
    size = settings.TASVIEH_QUEUE_PAGE_SIZE
    paginator = tasklists.Pages(_task_rows(tasks), size)
    if tab == "handled":
        paginator = tasklists.CappedPaginator(_task_rows(tasks), size, cap=HANDLED_COUNTED)
    elif tab == "queue":
        # The menu counted the queue per office already: count once per page, not twice.
        known = filters.count_from_offices(
            {office.code: n for office, n in access.waiting_counts(user)}
        )
        if known is not None:
            paginator.count = known
    page = paginator.get_page(request.GET.get("page"))
    query = request.GET.copy()
    query.pop("page", None)
    shown = Event.Kind.APPROVED if tab == "handled" else Event.Kind.RESUBMITTED
    return render(
        request,
        "office/task_list.html",
        {
            "page": page,
            "rows": tasklists.with_events(page.object_list, shown),
            "bulk": tasklists.bulk_approval(user, office_code=param(request, "office")),
            "tab": tab,
            "title": title,
            "faculties": access.officer_faculties(user),
            "request_types": tables.active(RequestType),
            # Every filter named (blank if not given): the form never looks up a missing key.
            "filters": {name: request.GET.get(name, "") for name in filters.filters},
            "query": query.urlencode(),
        },
    )


@login_required
def office_queue(request: HttpRequest) -> HttpResponseBase:
    user = officer(request)
    return _task_list(
        request,
        access.queue_for_officer(user).order_by("created"),
        tab="queue",
        title=_("Waiting for my offices"),
    )


@login_required
def office_mine(request: HttpRequest) -> HttpResponseBase:
    user = officer(request)
    tasks = access.tasks_for_officer(user).filter(owner=user, status=STATUS.ASSIGNED)
    return _task_list(request, tasks.order_by("created"), tab="mine", title=_("My tasks"))


@login_required
def office_handled(request: HttpRequest) -> HttpResponseBase:
    user = officer(request)
    tasks = access.tasks_for_officer(user).filter(owner=user, status=STATUS.DONE)
    return _task_list(request, tasks.order_by("-finished"), tab="handled", title=_("Handled by me"))


@login_required
@require_POST
def tasks_bulk_approve(request: HttpRequest) -> HttpResponse:
    user = officer(request)
    ids = [pk for pk in map(parse_int, request.POST.getlist("task")) if pk is not None]
    back = request.POST.get("next") or reverse("office_queue")
    if not url_has_allowed_host_and_scheme(back, allowed_hosts={request.get_host()}):
        back = reverse("office_queue")
    if not ids:
        messages.error(request, _("Select at least one task."))
        return redirect(back)
    # Only tasks the expert's roles cover; anything else is silently out of reach.
    tasks = access.tasks_for_officer(user).filter(pk__in=ids).order_by("created")
    approved, refused = services.tasks_bulk_approve(
        tasks=tasks, user=user, note=posted_note(request), ip=client_ip(request)
    )
    if approved:
        messages.success(
            request,
            ngettext("%(n)s request approved.", "%(n)s requests approved.", approved)
            % {"n": local_digits(approved)},
        )
    for reason in refused:
        messages.error(request, reason)
    return redirect(back)


@login_required
def task_detail(request: HttpRequest, pk: int) -> HttpResponse:
    user = officer(request)
    task = access.task_for_officer(pk=pk, user=user)
    return _render_task(request, task, user)


def _render_task(
    request: HttpRequest,
    task: Task,
    user: User,
    *,
    forms: dict[str, Any] | None = None,
    status: int = 200,
) -> HttpResponse:
    clearance_request: ClearanceRequest = task.process.clearance_request
    office = services.office_of(task)
    forms = forms or {}
    detail = request_detail_context(clearance_request, staff=True)
    can_move = may_change_faculty(clearance_request, user)
    context = {
        "task": task,
        "req": clearance_request,
        "office": office,
        "detail": detail,
        "student_answer": _student_answer(request, task, detail),
        "approve_form": forms.get("approve")
        or ApproveForm(
            parts=decision_parts(task.flow_task.decision, office),
            clearance_request=clearance_request,
        ),
        "return_form": forms.get("return") or ReturnForm(),
        "comment_form": forms.get("comment") or StaffCommentForm(),
        "faculty_form": forms.get("faculty")
        or (FacultyChangeForm(clearance_request=clearance_request) if can_move else None),
        "can_move": can_move,
        "own_request": clearance_request.student_id == user.pk,
        "registry": registry_state(clearance_request),
        "is_owner": task.owner_id == user.pk,
        # Approving or returning a free task claims it (services.tasks._workable_by).
        "can_decide": task.owner_id in (None, user.pk),
        "can_take_back": task.owner_id not in (None, user.pk) and user.is_staff,
        "is_open": task.status in services.OPEN_TASK_STATUSES,
    }
    return render(request, "office/task_detail.html", context, status=status)


def _student_answer(request: HttpRequest, task: Task, detail: dict[str, Any]) -> dict[str, Any]:
    """What the student sent on this task that the expert has not read yet (for the banner)."""
    unread = notifications_seen(request, task_id=task.pk)
    answer: dict[str, Any] = {"resubmission": None, "message": None}  # both named: no lookup fails
    if Notification.Kind.RESUBMITTED in unread:
        answer["resubmission"] = latest_resubmission(detail)
    elif Notification.Kind.REPLIED in unread:
        answer["message"] = latest_message(detail, from_office=False)
    return answer


def _task_action(request: HttpRequest, pk: int) -> tuple[User, Task]:
    user = officer(request)
    return user, access.task_for_officer(pk=pk, user=user)


def _gone(request: HttpRequest, task: Task, user: User) -> HttpResponse | None:
    """A decision posted from a page that is out of date (a colleague has claimed or decided
    the task since): say so, rather than what the form lacks. The action's own check, under
    the lock, stays the last word."""
    try:
        refuse_unless_workable(task, user, need_owner=task.owner_id is not None)
    except ActionRefused as refused:
        messages.error(request, str(refused))
        return redirect("task_detail", pk=task.pk)
    return None


@login_required
@require_POST
def task_claim(request: HttpRequest, pk: int) -> HttpResponse:
    user, task = _task_action(request, pk)
    perform(
        request,
        lambda: services.task_claim(task=task, user=user, ip=client_ip(request)),
        _("The task is yours now."),
    )
    return redirect("task_detail", pk=pk)


@login_required
@require_POST
def task_release(request: HttpRequest, pk: int) -> HttpResponse:
    user, task = _task_action(request, pk)
    released = perform(
        request,
        lambda: services.task_release(task=task, user=user, ip=client_ip(request)),
        _("The task is back in the office queue."),
    )
    return redirect("office_queue") if released is not None else redirect("task_detail", pk=pk)


def _approved(clearance_request: ClearanceRequest) -> str:
    if clearance_request.status == ClearanceRequest.Status.CLEARED:
        return _("Approved; the request is cleared and the student can download the certificate.")
    return _("Approved; the request moved to %(office)s.") % {
        "office": clearance_request.current_office
    }


def _next_task(user: User, done: Task) -> HttpResponse:
    """After a decision, the next task waiting in the expert's queue (or the queue itself)."""
    following = access.next_task_for_officer(user, after=done)
    if following is None:
        return redirect("office_queue")
    return redirect("task_detail", pk=following.pk)


@login_required
@require_POST
def task_approve(request: HttpRequest, pk: int) -> HttpResponse:
    user, task = _task_action(request, pk)
    parts = decision_parts(task.flow_task.decision, services.office_of(task))
    form = ApproveForm(request.POST, parts=parts)
    if not form.is_valid():
        return _gone(request, task, user) or _render_task(
            request, task, user, forms={"approve": form}, status=400
        )
    approved = perform(
        request,
        lambda: services.decision_record(
            task=task, user=user, decision=form.cleaned_data, ip=client_ip(request)
        ),
        _approved,
    )
    return _next_task(user, task) if approved is not None else redirect("task_detail", pk=pk)


@login_required
@require_POST
def task_return(request: HttpRequest, pk: int) -> HttpResponse:
    user, task = _task_action(request, pk)
    form = ReturnForm(request.POST)
    if not form.is_valid():
        return _gone(request, task, user) or _render_task(
            request, task, user, forms={"return": form}, status=400
        )
    returned = perform(
        request,
        lambda: services.request_return(
            task=task, user=user, reason=form.cleaned_data["reason"], ip=client_ip(request)
        ),
        _("The request was returned to the student."),
    )
    return _next_task(user, task) if returned is not None else redirect("task_detail", pk=pk)


@login_required
@require_POST
def task_comment(request: HttpRequest, pk: int) -> HttpResponse:
    user, task = _task_action(request, pk)
    form = StaffCommentForm(request.POST, request.FILES)
    if not form.is_valid():
        return _render_task(request, task, user, forms={"comment": form}, status=400)
    clearance_request = ClearanceRequest.objects.get(process_id=task.process_id)
    perform(
        request,
        lambda: services.comment_post(
            clearance_request=clearance_request,
            author=user,
            body=form.cleaned_data["body"],
            internal=form.cleaned_data["internal"],
            office=services.office_of(task),
            documents=form.cleaned_data["documents"],
        ),
        _("Your note was saved.")
        if form.cleaned_data["internal"]
        else _("Your message was sent to the student."),
    )
    return redirect(reverse("task_detail", args=[pk]) + "#comments")


@login_required
@require_POST
def task_faculty_change(request: HttpRequest, pk: int) -> HttpResponse:
    user, task = _task_action(request, pk)
    clearance_request = ClearanceRequest.objects.select_related("faculty").get(
        process_id=task.process_id
    )
    form = FacultyChangeForm(request.POST, clearance_request=clearance_request)
    if not form.is_valid():
        messages.error(request, _("Please correct the errors below."))
        return _render_task(request, task, user, forms={"faculty": form}, status=400)
    perform(
        request,
        lambda: services.request_faculty_change(
            clearance_request=clearance_request,
            user=user,
            faculty=form.cleaned_data["faculty"],
            field_of_study=form.cleaned_data["field_of_study"],
            reason=form.cleaned_data["reason"],
            ip=client_ip(request),
        ),
        _("The request moved to %(faculty)s; its education office has it now.")
        % {"faculty": form.cleaned_data["faculty"]},
    )
    return redirect("task_detail", pk=pk)
