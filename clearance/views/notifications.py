"""Everyone's notifications: the list behind the bell, opening one, the channel settings."""

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.paginator import Paginator
from django.http import HttpRequest, HttpResponse
from django.shortcuts import get_object_or_404, redirect, render
from django.utils.translation import gettext as _
from django.views.decorators.http import require_POST

from clearance import services
from clearance.forms import NotificationPreferenceForm
from clearance.models import ClearanceRequest, Notification
from clearance.notifications.events import preference_of
from clearance.views.common import current_user, perform

PAGE_SIZE = 25


@login_required
def notification_list(request: HttpRequest) -> HttpResponse:
    """Newest first, unread ones marked; each opens its request or task."""
    notifications = (
        Notification.objects.filter(recipient=current_user(request))
        .select_related("office", "actor", "request")
        .order_by("-created", "-pk")
    )
    page = Paginator(notifications, PAGE_SIZE).get_page(request.GET.get("page"))
    return render(request, "clearance/notification_list.html", {"page": page})


@login_required
def notification_open(request: HttpRequest, pk: int) -> HttpResponse:
    """Mark one notification read and go to its page."""
    user = current_user(request)
    notification = get_object_or_404(Notification, pk=pk, recipient=user)
    if notification.read_at is None:
        services.notifications_read(user=user, pk=notification.pk)
    return redirect(notification.target_url())


@login_required
@require_POST
def notifications_read_all(request: HttpRequest) -> HttpResponse:
    user = current_user(request)
    perform(
        request,
        lambda: services.notifications_read(user=user),
        _("Every notification is marked read."),
    )
    return redirect("notification_list")


@login_required
def notification_settings(request: HttpRequest) -> HttpResponse:
    user = current_user(request)
    latest = ClearanceRequest.objects.filter(student=user).order_by("-created").first()
    preference = preference_of(user)
    addresses = {"mobile": latest.mobile if latest else "", "email": user.email}
    if request.method == "POST":
        form = NotificationPreferenceForm(request.POST, **addresses)
        if form.is_valid():
            perform(
                request,
                lambda: services.notification_preference_set(
                    user=user, sms=form.cleaned_data["sms"], email=form.cleaned_data["email"]
                ),
                _("Your notification settings were saved."),
            )
            return redirect("notification_settings")
        messages.error(request, _("Please correct the errors below."))
    else:
        form = NotificationPreferenceForm(
            initial={"sms": preference.sms, "email": preference.email}, **addresses
        )
    return render(request, "clearance/notification_settings.html", {"form": form})
