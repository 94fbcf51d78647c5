"""A request's thread: the messages between the student and the offices, and the documents
attached to the request or to a message. Like the history, nothing here is edited or deleted."""

import uuid
from pathlib import PurePath

from django.conf import settings
from django.db import models
from django.utils.translation import gettext_lazy as _

from accounts.models import Office
from clearance.models.requests import (
    ClearanceRequest,
    ImmutableQuerySet,
    Undeletable,
    refuse_update,
)


class Comment(Undeletable):
    request = models.ForeignKey(
        ClearanceRequest,
        on_delete=models.PROTECT,
        related_name="comments",
        verbose_name=_("request"),
    )
    author = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        on_delete=models.PROTECT,
        related_name="+",
        verbose_name=_("author"),
    )
    office = models.ForeignKey(
        Office,
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        verbose_name=_("office"),
        help_text=_("The office the author wrote for; empty for the student."),
    )
    body = models.TextField(_("text"), max_length=4000)
    internal = models.BooleanField(
        _("internal note"), default=False, help_text=_("Staff only; never shown to the student.")
    )
    created = models.DateTimeField(_("at"), auto_now_add=True, db_index=True)

    objects = ImmutableQuerySet.as_manager()

    class Meta:
        ordering = ["created", "pk"]
        verbose_name = _("comment")
        verbose_name_plural = _("comments")

    def __str__(self) -> str:
        return self.body[:60]

    def save(self, *args, **kwargs) -> None:  # type: ignore[no-untyped-def]
        refuse_update(self)
        super().save(*args, **kwargs)


def document_path(instance: "Document", filename: str) -> str:
    """Store under a random name: the original name is kept only in the database."""
    suffix = PurePath(filename).suffix.lower()[:8]
    return f"documents/{instance.request_id}/{uuid.uuid4().hex}{suffix}"


class Document(Undeletable):
    request = models.ForeignKey(
        ClearanceRequest,
        on_delete=models.PROTECT,
        related_name="documents",
        verbose_name=_("request"),
    )
    comment = models.ForeignKey(
        Comment,
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="documents",
        verbose_name=_("comment"),
    )
    uploaded_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+", verbose_name=_("by")
    )
    file = models.FileField(_("file"), upload_to=document_path, max_length=200)
    original_name = models.CharField(_("file name"), max_length=200)
    content_type = models.CharField(_("content type"), max_length=60)
    size = models.PositiveIntegerField(_("size (bytes)"))
    created = models.DateTimeField(_("uploaded at"), auto_now_add=True)

    objects = ImmutableQuerySet.as_manager()

    class Meta:
        ordering = ["created", "pk"]
        verbose_name = _("document")
        verbose_name_plural = _("documents")

    def __str__(self) -> str:
        return self.original_name

    def save(self, *args, **kwargs) -> None:  # type: ignore[no-untyped-def]
        refuse_update(self)
        super().save(*args, **kwargs)
