"""Messages to people: in-app notifications, each e-mail/SMS delivery, and who wants which."""

from django.conf import settings
from django.db import models
from django.db.models import Q
from django.urls import reverse
from django.utils.translation import gettext_lazy as _

from accounts.models import Office
from clearance.models.requests import ClearanceRequest


class Notification(models.Model):
    """One line in a person's notification list (the bell); read when its page is opened."""

    class Kind(models.TextChoices):
        # To the student.
        RETURNED = "returned", _("request returned")
        MESSAGE = "message", _("message from an office")
        CLEARED = "cleared", _("clearance complete")
        MOVED = "moved", _("request moved to another faculty")
        # To the expert.
        REPLIED = "replied", _("the student replied")
        RESUBMITTED = "resubmitted", _("the student resubmitted")
        RELEASED = "released", _("task taken back by a supervisor")

    # The request waits for its student: "my requests" marks it until they have read it.
    STUDENT_TURN = (Kind.RETURNED, Kind.MESSAGE)
    # The student answered on a task the expert holds: the queue row and task page say so.
    EXPERT_TURN = (Kind.REPLIED, Kind.RESUBMITTED)

    recipient = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        on_delete=models.CASCADE,
        related_name="notifications",
        verbose_name=_("recipient"),
    )
    kind = models.CharField(_("event"), max_length=20, choices=Kind.choices)
    request = models.ForeignKey(
        ClearanceRequest,
        on_delete=models.PROTECT,
        related_name="notifications",
        verbose_name=_("request"),
    )
    task_id = models.BigIntegerField(
        _("task"), null=True, blank=True, help_text=_("Set for an expert: the link opens the task.")
    )
    office = models.ForeignKey(
        Office, on_delete=models.PROTECT, null=True, blank=True, verbose_name=_("office")
    )
    actor = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="+",
        verbose_name=_("by"),
    )
    excerpt = models.CharField(
        _("excerpt"),
        max_length=300,
        blank=True,
        help_text=_("The start of the message or reason, shown in the list and the banner."),
    )
    created = models.DateTimeField(_("at"), auto_now_add=True)
    read_at = models.DateTimeField(_("read at"), null=True, blank=True)

    class Meta:
        ordering = ["-created", "-pk"]
        verbose_name = _("notification")
        verbose_name_plural = _("notifications")
        indexes = [
            models.Index(fields=["recipient", "-created"], name="notification_list"),
            # The bell reads the latest unread rows, on every page: keep that index small.
            models.Index(
                fields=["recipient", "-created"],
                condition=Q(read_at__isnull=True),
                name="notification_unread_latest",
            ),
        ]

    def __str__(self) -> str:
        return f"{self.get_kind_display()} — {self.request_id}"

    def target_url(self) -> str:
        """The page this notification is about: the task for an expert, else the request."""
        if self.task_id is not None:
            return reverse("task_detail", args=[self.task_id])
        return reverse("request_detail", args=[self.request_id])


class Delivery(models.Model):
    """One e-mail or SMS to one person, with every attempt the worker made to send it."""

    class Channel(models.TextChoices):
        EMAIL = "email", _("e-mail")
        SMS = "sms", _("SMS")

    class Status(models.TextChoices):
        QUEUED = "queued", _("queued")
        RETRYING = "retrying", _("waiting to retry")
        SENT = "sent", _("sent")
        FAILED = "failed", _("failed")

    PENDING = (Status.QUEUED, Status.RETRYING)

    channel = models.CharField(_("channel"), max_length=10, choices=Channel.choices)
    recipient = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        on_delete=models.PROTECT,
        related_name="+",
        verbose_name=_("recipient"),
    )
    to = models.CharField(
        _("sent to"), max_length=254, help_text=_("The e-mail address or mobile number.")
    )
    kind = models.CharField(
        _("event"), max_length=20, help_text=_("The event it tells of, or 'digest'.")
    )
    notification = models.ForeignKey(
        Notification,
        on_delete=models.CASCADE,
        null=True,
        blank=True,
        related_name="deliveries",
        verbose_name=_("notification"),
    )
    subject = models.CharField(_("subject"), max_length=200, blank=True)
    body = models.TextField(_("text"))
    status = models.CharField(
        _("status"), max_length=10, choices=Status.choices, default=Status.QUEUED
    )
    attempts = models.PositiveSmallIntegerField(_("attempts"), default=0)
    last_error = models.TextField(_("last error"), blank=True)
    created = models.DateTimeField(_("queued at"), auto_now_add=True, db_index=True)
    next_attempt = models.DateTimeField(_("next attempt"), null=True, blank=True)
    sent_at = models.DateTimeField(_("sent at"), null=True, blank=True)
    reference = models.CharField(
        _("gateway reference"),
        max_length=100,
        blank=True,
        help_text=_("The SMS gateway's message id, for questions to its support."),
    )

    class Meta:
        ordering = ["-created", "-pk"]
        verbose_name = _("delivery")
        verbose_name_plural = _("deliveries")
        indexes = [
            # What the administrators look for: what has not gone out yet, or failed.
            models.Index(
                fields=["status", "created"],
                condition=~Q(status="sent"),
                name="delivery_not_sent",
            ),
        ]

    def __str__(self) -> str:
        return f"{self.get_channel_display()} → {self.to} ({self.get_status_display()})"


class NotificationPreference(models.Model):
    """Which channels besides the in-app list a person wants; no row means both."""

    user = models.OneToOneField(
        settings.AUTH_USER_MODEL,
        on_delete=models.CASCADE,
        related_name="notification_preference",
        verbose_name=_("user"),
    )
    sms = models.BooleanField(
        _("SMS"), default=True, help_text=_("Text messages to the mobile number on the request.")
    )
    email = models.BooleanField(
        _("e-mail"), default=True, help_text=_("E-mails to the address of the account.")
    )
    updated = models.DateTimeField(_("updated"), auto_now=True)

    class Meta:
        verbose_name = _("notification preference")
        verbose_name_plural = _("notification preferences")

    def __str__(self) -> str:
        return str(self.user)
