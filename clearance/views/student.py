"""The student's pages: my requests, the form, the request page, documents, certificate."""

from typing import Any

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.http import FileResponse, Http404, HttpRequest, HttpResponse, HttpResponseBase
from django.shortcuts import get_object_or_404, redirect, render
from django.urls import reverse
from django.utils.translation import gettext as _
from django.views.decorators.http import require_POST

from accounts import tables
from clearance import access, services
from clearance.certificates import certificate_pdf
from clearance.fields import field_options
from clearance.forms import (
    ClearanceRequestForm,
    CommentForm,
)
from clearance.models import ClearanceRequest, Document, Notification, RequestType
from clearance.network import client_ip
from clearance.registry import record_for
from clearance.views.common import (
    current_user,
    latest_message,
    notifications_seen,
    param,
    perform,
    posted_note,
    request_detail_context,
)


@login_required
def home(request: HttpRequest) -> HttpResponse:
    """Experts start at their queue, administrators (who filed no request) at the reports."""
    user = current_user(request)
    if access.is_officer(user):
        return redirect("office_queue")
    if user.is_staff and not ClearanceRequest.objects.filter(student=user).exists():
        return redirect("reports")
    return redirect("request_list")


def _has_open(request: HttpRequest, rows: list[ClearanceRequest], *, filtered: bool) -> bool:
    """Whether the student has an open request: the unfiltered list shows them all."""
    if not filtered:
        return any(row.is_open for row in rows)
    return ClearanceRequest.objects.filter(
        student=current_user(request), status__in=ClearanceRequest.OPEN_STATUSES
    ).exists()


@login_required
def request_list(request: HttpRequest) -> HttpResponse:
    requests = ClearanceRequest.objects.filter(student=current_user(request)).order_by("-created")
    type_code = param(request, "type")
    status = param(request, "status")
    if type_code:
        requests = requests.filter(request_type__code=type_code)
    if status in ClearanceRequest.Status.values:
        requests = requests.filter(status=status)
    rows = list(requests)
    for row in rows:
        tables.attach(row, *access.REQUEST_ROW_RELATED)
    return render(
        request,
        "clearance/request_list.html",
        {
            "requests": rows,
            "request_types": tables.active(RequestType),
            "statuses": ClearanceRequest.Status.choices,
            "selected_type": type_code,
            "selected_status": status,
            "has_open": _has_open(request, rows, filtered=bool(type_code or status)),
        },
    )


@login_required
def request_create(request: HttpRequest) -> HttpResponse:
    user = current_user(request)
    existing = ClearanceRequest.objects.filter(
        student=user, status__in=ClearanceRequest.OPEN_STATUSES
    ).first()
    if existing:
        messages.info(request, _("You already have an open request; here it is."))
        return redirect("request_detail", pk=existing.pk)
    record = record_for(user)
    if request.method == "POST":
        form = ClearanceRequestForm(request.POST, request.FILES, registry=record)
        if form.is_valid():
            created = perform(
                request,
                lambda: services.request_submit(
                    student=user,
                    data=form.request_values(),
                    documents=form.cleaned_data["documents"],
                    ip=client_ip(request),
                ),
                _("Your request was created and sent to the education office."),
            )
            if created is None:
                return redirect("request_list")
            return redirect("request_detail", pk=created.pk)
    else:
        initial: dict[str, Any] = {"student_number": user.student_number}
        if user.get_full_name():
            initial["full_name"] = user.get_full_name()
        type_code = param(request, "type")
        if type_code:
            initial["request_type"] = RequestType.objects.filter(code=type_code).first()
        form = ClearanceRequestForm(initial=initial, registry=record)
    return render(
        request,
        "clearance/request_form.html",
        {"form": form, "field_options": field_options(), "editing": False},
    )


@login_required
def request_detail(request: HttpRequest, pk: int) -> HttpResponse:
    clearance_request = access.request_for_student(pk=pk, user=current_user(request))
    return _render_request(request, clearance_request, CommentForm())


def _render_request(
    request: HttpRequest,
    clearance_request: ClearanceRequest,
    comment_form: CommentForm,
    *,
    status: int = 200,
) -> HttpResponse:
    """The request page; it opens with the office's unread message when there is one."""
    unread = notifications_seen(request, request_id=clearance_request.pk)
    detail = request_detail_context(clearance_request, staff=False)
    office_message = None
    if Notification.Kind.MESSAGE in unread and clearance_request.is_open:
        office_message = latest_message(detail, from_office=True)
    return render(
        request,
        "clearance/request_detail.html",
        {
            "req": clearance_request,
            "detail": detail,
            "comment_form": comment_form,
            "office_message": office_message,
        },
        status=status,
    )


@login_required
def request_edit(request: HttpRequest, pk: int) -> HttpResponse:
    user = current_user(request)
    clearance_request = access.request_for_student(pk=pk, user=user)
    if clearance_request.status != ClearanceRequest.Status.RETURNED:
        messages.error(request, _("Only a returned request can be corrected and resubmitted."))
        return redirect("request_detail", pk=pk)
    record = record_for(user)
    if request.method == "POST":
        form = ClearanceRequestForm(
            request.POST, request.FILES, instance=clearance_request, registry=record
        )
        if form.is_valid():
            data = form.request_values()
            perform(
                request,
                lambda: services.request_resubmit(
                    clearance_request=clearance_request,
                    student=user,
                    data=data,
                    note=posted_note(request),
                    documents=form.cleaned_data["documents"],
                    ip=client_ip(request),
                ),
                _("Your request was resubmitted to the same office."),
            )
            return redirect("request_detail", pk=pk)
        # The form re-renders with the unsaved edits; the stored request stays untouched.
        clearance_request.refresh_from_db()
    else:
        form = ClearanceRequestForm(instance=clearance_request, registry=record)
    return render(
        request,
        "clearance/request_form.html",
        {
            "form": form,
            "field_options": field_options(),
            "editing": True,
            "req": clearance_request,
        },
    )


@login_required
@require_POST
def request_cancel(request: HttpRequest, pk: int) -> HttpResponse:
    user = current_user(request)
    clearance_request = access.request_for_student(pk=pk, user=user)
    perform(
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
    user = current_user(request)
    clearance_request = access.request_for_student(pk=pk, user=user)
    form = CommentForm(request.POST, request.FILES)
    if form.is_valid():
        perform(
            request,
            lambda: services.comment_post(
                clearance_request=clearance_request,
                author=user,
                body=form.cleaned_data["body"],
                documents=form.cleaned_data["documents"],
            ),
            _("Your message was sent."),
        )
        return redirect(reverse("request_detail", args=[pk]) + "#comments")
    return _render_request(request, clearance_request, form, status=400)


@login_required
def document_download(request: HttpRequest, pk: int) -> HttpResponseBase:
    document = get_object_or_404(Document.objects.select_related("comment"), pk=pk)
    user = current_user(request)
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
    clearance_request = access.request_for_student(pk=pk, user=current_user(request))
    if clearance_request.status != ClearanceRequest.Status.CLEARED:
        raise Http404
    verify_url = request.build_absolute_uri(
        reverse("certificate_verify", args=[clearance_request.certificate_code])
    )
    pdf = certificate_pdf(clearance_request=clearance_request, verify_url=verify_url)
    response = HttpResponse(pdf, content_type="application/pdf")
    response["Content-Disposition"] = f'attachment; filename="clearance-{clearance_request.pk}.pdf"'
    return response
