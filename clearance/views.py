"""Pages of the student and the office expert; each view parses, calls one action, redirects."""

import csv
import datetime as dt
from collections.abc import Callable
from typing import Any

from django.conf import settings
from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.paginator import Paginator
from django.db.models import Prefetch, Q, QuerySet
from django.http import FileResponse, Http404, HttpRequest, HttpResponse, HttpResponseBase
from django.shortcuts import get_object_or_404, redirect, render
from django.urls import reverse
from django.utils import timezone
from django.utils.http import url_has_allowed_host_and_scheme
from django.utils.translation import gettext as _
from django.utils.translation import ngettext
from django.views.decorators.http import require_POST
from viewflow.workflow.models import Task
from viewflow.workflow.status import STATUS

from accounts.models import Faculty, User
from clearance import access, services
from clearance import reports as report_figures
from clearance.certificates import certificate_pdf
from clearance.decisions import decision_parts
from clearance.flows import ClearanceFlow
from clearance.forms import (
    ApproveForm,
    ClearanceRequestForm,
    CommentForm,
    ReturnForm,
    StaffCommentForm,
)
from clearance.models import ClearanceRequest, Comment, Document, Event, FieldOfStudy, RequestType
from clearance.network import client_ip
from persian.text import format_jalali, local_digits, normalize_letters


def _param(request: HttpRequest, name: str) -> str:
    """A query parameter as clean text: PostgreSQL refuses NUL characters."""
    return request.GET.get(name, "").replace("\x00", "").strip()


def _posted_note(request: HttpRequest) -> str:
    """An optional free-text note posted beside a form: no NULs, at most 2000 characters."""
    return normalize_letters(request.POST.get("note", "").replace("\x00", "")).strip()[:2000]


def _user(request: HttpRequest) -> User:
    assert isinstance(request.user, User)
    return request.user


def _perform(request: HttpRequest, action: Callable[[], object], success: str) -> bool:
    """Run one action; tell the user it worked, or why it was refused."""
    try:
        action()
    except services.ActionRefused as refused:
        messages.error(request, refused.message)
        return False
    messages.success(request, success)
    return True


@login_required
def home(request: HttpRequest) -> HttpResponse:
    if access.is_officer(_user(request)):
        return redirect("office_queue")
    return redirect("request_list")


# --- the student's pages -------------------------------------------------------------


@login_required
def request_list(request: HttpRequest) -> HttpResponse:
    requests = (
        ClearanceRequest.objects.filter(student=_user(request))
        .select_related("request_type", "current_office", "faculty")
        .order_by("-created")
    )
    type_code = _param(request, "type")
    status = _param(request, "status")
    if type_code:
        requests = requests.filter(request_type__code=type_code)
    if status in ClearanceRequest.Status.values:
        requests = requests.filter(status=status)
    return render(
        request,
        "clearance/request_list.html",
        {
            "requests": requests,
            "request_types": RequestType.objects.filter(is_active=True),
            "statuses": ClearanceRequest.Status.choices,
            "selected_type": type_code,
            "selected_status": status,
            "has_open": ClearanceRequest.objects.filter(
                student=_user(request), status__in=ClearanceRequest.OPEN_STATUSES
            ).exists(),
        },
    )


def _field_options() -> list[dict[str, Any]]:
    rows = FieldOfStudy.objects.filter(is_active=True).values("pk", "faculty_id", "degree_id")
    return [dict(row) for row in rows]


@login_required
def request_create(request: HttpRequest) -> HttpResponse:
    user = _user(request)
    existing = ClearanceRequest.objects.filter(
        student=user, status__in=ClearanceRequest.OPEN_STATUSES
    ).first()
    if existing:
        messages.info(request, _("You already have an open request; here it is."))
        return redirect("request_detail", pk=existing.pk)
    if request.method == "POST":
        form = ClearanceRequestForm(request.POST, request.FILES)
        if form.is_valid():
            data = form.request_values()
            try:
                created = services.request_submit(
                    student=user,
                    data=data,
                    documents=form.cleaned_data["documents"],
                    ip=client_ip(request),
                )
            except services.ActionRefused as refused:
                messages.error(request, refused.message)
                return redirect("request_list")
            messages.success(
                request, _("Your request was created and sent to the education office.")
            )
            return redirect("request_detail", pk=created.pk)
    else:
        initial: dict[str, Any] = {"student_number": user.student_number}
        if user.get_full_name():
            initial["full_name"] = user.get_full_name()
        type_code = _param(request, "type")
        if type_code:
            initial["request_type"] = RequestType.objects.filter(code=type_code).first()
        form = ClearanceRequestForm(initial=initial)
    return render(
        request,
        "clearance/request_form.html",
        {"form": form, "field_options": _field_options(), "editing": False},
    )


def _timeline(clearance_request: ClearanceRequest, *, staff: bool) -> QuerySet[Event]:
    events = clearance_request.events.select_related("office", "actor")
    if not staff:
        events = events.exclude(kind__in=[Event.Kind.CLAIMED, Event.Kind.RELEASED])
    return events


def _thread(clearance_request: ClearanceRequest, *, staff: bool) -> QuerySet[Comment]:
    comments = clearance_request.comments.select_related("author", "office").prefetch_related(
        "documents"
    )
    return comments if staff else comments.filter(internal=False)


@login_required
def request_detail(request: HttpRequest, pk: int) -> HttpResponse:
    clearance_request = access.request_for_student(pk=pk, user=_user(request))
    return render(
        request,
        "clearance/request_detail.html",
        {
            "req": clearance_request,
            "detail": _request_detail_context(clearance_request, staff=False),
            "comment_form": CommentForm(),
        },
    )


def _request_detail_context(clearance_request: ClearanceRequest, *, staff: bool) -> dict[str, Any]:
    full = ClearanceRequest.objects.select_related(
        "request_type",
        "place_of_issue__province",
        "marital_status",
        "gender",
        "education_status",
        "faculty",
        "field_of_study",
        "degree",
        "current_office",
    ).get(pk=clearance_request.pk)
    return {
        "values": [
            (getattr(full._meta.get_field(name), "verbose_name", name), _display(full, name))
            for name in ClearanceRequestForm.Meta.fields
        ],
        "timeline": _timeline(clearance_request, staff=staff),
        "steps": access.chain_steps(full),
        "comments": _thread(clearance_request, staff=staff),
        "documents": clearance_request.documents.filter(comment__isnull=True).select_related(
            "uploaded_by"
        ),
    }


def _display(obj: ClearanceRequest, name: str) -> Any:
    display = getattr(obj, f"get_{name}_display", None)
    return display() if display else getattr(obj, name)


@login_required
def request_edit(request: HttpRequest, pk: int) -> HttpResponse:
    user = _user(request)
    clearance_request = access.request_for_student(pk=pk, user=user)
    if clearance_request.status != ClearanceRequest.Status.RETURNED:
        messages.error(request, _("Only a returned request can be corrected and resubmitted."))
        return redirect("request_detail", pk=pk)
    if request.method == "POST":
        form = ClearanceRequestForm(request.POST, request.FILES, instance=clearance_request)
        if form.is_valid():
            data = form.request_values()
            _perform(
                request,
                lambda: services.request_resubmit(
                    clearance_request=clearance_request,
                    student=user,
                    data=data,
                    note=_posted_note(request),
                    documents=form.cleaned_data["documents"],
                    ip=client_ip(request),
                ),
                _("Your request was resubmitted to the same office."),
            )
            return redirect("request_detail", pk=pk)
        # The form re-renders with the unsaved edits; the stored request stays untouched.
        clearance_request.refresh_from_db()
    else:
        form = ClearanceRequestForm(instance=clearance_request)
    return render(
        request,
        "clearance/request_form.html",
        {
            "form": form,
            "field_options": _field_options(),
            "editing": True,
            "req": clearance_request,
        },
    )


@login_required
@require_POST
def request_cancel(request: HttpRequest, pk: int) -> HttpResponse:
    user = _user(request)
    clearance_request = access.request_for_student(pk=pk, user=user)
    _perform(
        request,
        lambda: services.request_cancel(
            clearance_request=clearance_request, student=user, ip=client_ip(request)
        ),
        _("Your request was cancelled."),
    )
    return redirect("request_detail", pk=pk)


@login_required
@require_POST
def request_comment(request: HttpRequest, pk: int) -> HttpResponse:
    user = _user(request)
    clearance_request = access.request_for_student(pk=pk, user=user)
    form = CommentForm(request.POST, request.FILES)
    if form.is_valid():
        services.comment_post(
            clearance_request=clearance_request,
            author=user,
            body=form.cleaned_data["body"],
            documents=form.cleaned_data["documents"],
        )
        messages.success(request, _("Your message was sent."))
        return redirect(reverse("request_detail", args=[pk]) + "#comments")
    return render(
        request,
        "clearance/request_detail.html",
        {
            "req": clearance_request,
            "detail": _request_detail_context(clearance_request, staff=False),
            "comment_form": form,
        },
        status=400,
    )


@login_required
def document_download(request: HttpRequest, pk: int) -> HttpResponseBase:
    document = get_object_or_404(Document.objects.select_related("comment"), pk=pk)
    user = _user(request)
    clearance_request = access.request_for_viewer(pk=document.request_id, user=user)
    staff = clearance_request.student_id != user.pk
    if document.comment_id and document.comment.internal and not staff:  # type: ignore[union-attr]
        raise Http404
    response = FileResponse(
        document.file.open("rb"),
        content_type=document.content_type,
        as_attachment=request.GET.get("download") == "1",
        filename=document.original_name,
    )
    response["X-Content-Type-Options"] = "nosniff"
    response["Content-Security-Policy"] = (
        "default-src 'none'; img-src 'self'; style-src 'unsafe-inline'"
    )
    return response


@login_required
def request_certificate(request: HttpRequest, pk: int) -> HttpResponse:
    clearance_request = access.request_for_student(pk=pk, user=_user(request))
    if clearance_request.status != ClearanceRequest.Status.CLEARED:
        raise Http404
    verify_url = request.build_absolute_uri(
        reverse("certificate_verify", args=[clearance_request.certificate_code])
    )
    pdf = certificate_pdf(clearance_request=clearance_request, verify_url=verify_url)
    response = HttpResponse(pdf, content_type="application/pdf")
    response["Content-Disposition"] = f'attachment; filename="clearance-{clearance_request.pk}.pdf"'
    return response


def certificate_verify(request: HttpRequest, code: str = "") -> HttpResponse:
    """Public: anyone holding a certificate can check it is genuine (no login)."""
    code = (code or _param(request, "code")).replace("\x00", "").strip().upper()
    found = None
    if code:
        found = (
            ClearanceRequest.objects.filter(
                certificate_code=code, status=ClearanceRequest.Status.CLEARED
            )
            .select_related("faculty", "request_type")
            .first()
        )
    return render(
        request,
        "clearance/verify.html",
        {"code": code, "found": found},
        status=404 if code and found is None else 200,
    )


@login_required
def reports(request: HttpRequest) -> HttpResponse:
    """Where requests wait and how long offices take (administrators only)."""
    if not _user(request).is_staff:
        raise Http404
    return render(
        request,
        "clearance/reports.html",
        {
            "statuses": [
                (ClearanceRequest.Status(s).label, n)
                for s, n in report_figures.status_counts().items()
            ],
            "offices": report_figures.office_figures(),
        },
    )


# --- the office expert's pages ----------------------------------------------------------


def _officer(request: HttpRequest) -> User:
    user = _user(request)
    if not access.is_officer(user):
        raise Http404
    return user


def _task_rows(tasks: QuerySet[Task]) -> QuerySet[Task]:
    return tasks.select_related("owner", "process").prefetch_related(
        Prefetch(
            "process__clearance_request",
            queryset=ClearanceRequest.objects.select_related(
                "faculty", "request_type", "current_office"
            ),
        )
    )


def _filter_tasks(request: HttpRequest, tasks: QuerySet[Task]) -> QuerySet[Task]:
    faculty = _param(request, "faculty")
    office = _param(request, "office")
    type_code = _param(request, "type")
    q = _param(request, "q")
    age = _param(request, "age")
    if faculty:
        tasks = tasks.filter(process__clearance_request__faculty__code=faculty)
    node = ClearanceFlow.instance.node(office, no_obsolete=True) if office else None
    if node is not None:
        tasks = tasks.filter(flow_task=node)
    if type_code:
        tasks = tasks.filter(process__clearance_request__request_type__code=type_code)
    if q:
        from persian.text import ascii_digits, normalize_text

        q = normalize_text(ascii_digits(q))
        tasks = tasks.filter(
            Q(process__clearance_request__student_number=q)
            | Q(process__clearance_request__national_code=q)
            | Q(process__clearance_request__full_name__icontains=q)
        )
    if age.isdigit():
        tasks = tasks.filter(created__lte=timezone.now() - dt.timedelta(days=int(age)))
    return tasks


def _tasks_csv(tasks: QuerySet[Task], *, tab: str) -> HttpResponse:
    """The filtered list as CSV for Excel (UTF-8 with BOM, Jalali dates)."""
    response = HttpResponse(content_type="text/csv; charset=utf-8")
    response["Content-Disposition"] = f'attachment; filename="tasvieh-{tab}.csv"'
    response.write("\ufeff")
    writer = csv.writer(response)
    header = [
        _("No."),
        _("Student"),
        _("Student number"),
        _("National code"),
        _("Faculty"),
        _("Request type"),
        _("Office"),
        _("Waiting since"),
        _("Status"),
    ]
    writer.writerow(header)
    for task in _task_rows(tasks):
        req = task.process.clearance_request
        writer.writerow(
            [
                req.pk,
                req.full_name,
                req.student_number,
                req.national_code,
                req.faculty,
                req.request_type,
                task.flow_task.task_title,
                format_jalali(task.created, with_time=True),
                req.get_status_display(),
            ]
        )
    return response


def _task_list(
    request: HttpRequest, tasks: QuerySet[Task], *, tab: str, title: str
) -> HttpResponse:
    tasks = _filter_tasks(request, tasks)
    if request.GET.get("format") == "csv":
        return _tasks_csv(tasks, tab=tab)
    page = Paginator(_task_rows(tasks), settings.TASVIEH_QUEUE_PAGE_SIZE).get_page(
        request.GET.get("page")
    )
    query = request.GET.copy()
    query.pop("page", None)
    return render(
        request,
        "office/task_list.html",
        {
            "page": page,
            "tab": tab,
            "title": title,
            "faculties": Faculty.objects.filter(is_active=True),
            "request_types": RequestType.objects.filter(is_active=True),
            "filters": request.GET,
            "query": query.urlencode(),
        },
    )


@login_required
def office_queue(request: HttpRequest) -> HttpResponse:
    user = _officer(request)
    return _task_list(
        request,
        access.queue_for_officer(user).order_by("created"),
        tab="queue",
        title=_("Waiting for my offices"),
    )


@login_required
def office_mine(request: HttpRequest) -> HttpResponse:
    user = _officer(request)
    tasks = access.tasks_for_officer(user).filter(owner=user, status=STATUS.ASSIGNED)
    return _task_list(request, tasks.order_by("created"), tab="mine", title=_("My tasks"))


@login_required
def office_handled(request: HttpRequest) -> HttpResponse:
    user = _officer(request)
    tasks = access.tasks_for_officer(user).filter(owner=user, status=STATUS.DONE)
    return _task_list(request, tasks.order_by("-finished"), tab="handled", title=_("Handled by me"))


@login_required
@require_POST
def tasks_bulk_approve(request: HttpRequest) -> HttpResponse:
    user = _officer(request)
    ids = [int(pk) for pk in request.POST.getlist("task") if pk.isdigit()]
    back = request.POST.get("next") or reverse("office_queue")
    if not url_has_allowed_host_and_scheme(back, allowed_hosts={request.get_host()}):
        back = reverse("office_queue")
    if not ids:
        messages.error(request, _("Select at least one task."))
        return redirect(back)
    # Only tasks the expert's roles cover; anything else is silently out of reach.
    tasks = access.tasks_for_officer(user).filter(pk__in=ids).order_by("created")
    approved, refused = services.tasks_bulk_approve(
        tasks=tasks, user=user, note=_posted_note(request), ip=client_ip(request)
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
    user = _officer(request)
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
    clearance_request = ClearanceRequest.objects.select_related("faculty").get(
        process_id=task.process_id
    )
    office = services.office_of(task)
    forms = forms or {}
    context = {
        "task": task,
        "req": clearance_request,
        "office": office,
        "detail": _request_detail_context(clearance_request, staff=True),
        "approve_form": forms.get("approve")
        or ApproveForm(
            parts=decision_parts(task.flow_task.decision, office),
            clearance_request=clearance_request,
        ),
        "return_form": forms.get("return") or ReturnForm(),
        "comment_form": forms.get("comment") or StaffCommentForm(),
        "is_owner": task.owner_id == user.pk,
        "can_take_back": task.owner_id not in (None, user.pk) and user.is_staff,
        "is_open": task.status in services.OPEN_TASK_STATUSES,
    }
    return render(request, "office/task_detail.html", context, status=status)


def _task_action(request: HttpRequest, pk: int) -> tuple[User, Task]:
    user = _officer(request)
    return user, access.task_for_officer(pk=pk, user=user)


@login_required
@require_POST
def task_claim(request: HttpRequest, pk: int) -> HttpResponse:
    user, task = _task_action(request, pk)
    _perform(
        request,
        lambda: services.task_claim(task=task, user=user, ip=client_ip(request)),
        _("The task is yours now."),
    )
    return redirect("task_detail", pk=pk)


@login_required
@require_POST
def task_release(request: HttpRequest, pk: int) -> HttpResponse:
    user, task = _task_action(request, pk)
    released = _perform(
        request,
        lambda: services.task_release(task=task, user=user, ip=client_ip(request)),
        _("The task is back in the office queue."),
    )
    return redirect("office_queue") if released else redirect("task_detail", pk=pk)


@login_required
@require_POST
def task_approve(request: HttpRequest, pk: int) -> HttpResponse:
    user, task = _task_action(request, pk)
    parts = decision_parts(task.flow_task.decision, services.office_of(task))
    form = ApproveForm(request.POST, parts=parts)
    if not form.is_valid():
        messages.error(request, _("Please correct the errors below."))
        return _render_task(request, task, user, forms={"approve": form}, status=400)
    approved = _perform(
        request,
        lambda: services.decision_record(
            task=task, user=user, decision=form.cleaned_data, ip=client_ip(request)
        ),
        _("Approved; the request moved to the next office."),
    )
    return redirect("office_mine") if approved else redirect("task_detail", pk=pk)


@login_required
@require_POST
def task_return(request: HttpRequest, pk: int) -> HttpResponse:
    user, task = _task_action(request, pk)
    form = ReturnForm(request.POST)
    if not form.is_valid():
        messages.error(request, _("Please correct the errors below."))
        return _render_task(request, task, user, forms={"return": form}, status=400)
    _perform(
        request,
        lambda: services.request_return(
            task=task, user=user, reason=form.cleaned_data["reason"], ip=client_ip(request)
        ),
        _("The request was returned to the student."),
    )
    return redirect("task_detail", pk=pk)


@login_required
@require_POST
def task_comment(request: HttpRequest, pk: int) -> HttpResponse:
    user, task = _task_action(request, pk)
    form = StaffCommentForm(request.POST, request.FILES)
    if not form.is_valid():
        return _render_task(request, task, user, forms={"comment": form}, status=400)
    clearance_request = ClearanceRequest.objects.get(process_id=task.process_id)
    services.comment_post(
        clearance_request=clearance_request,
        author=user,
        body=form.cleaned_data["body"],
        internal=form.cleaned_data["internal"],
        office=services.office_of(task),
        documents=form.cleaned_data["documents"],
    )
    messages.success(
        request,
        _("Your note was saved.")
        if form.cleaned_data["internal"]
        else _("Your message was sent to the student."),
    )
    return redirect(reverse("task_detail", args=[pk]) + "#comments")
