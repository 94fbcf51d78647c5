"""The bell: what a person has not read yet, in one query per page, shared by every part of it.

The menu's count, the «your turn» marks on "my requests" and on the office lists, and the
banners all read the same ``Unread`` summary, computed once per page and kept on the request.
It reads the latest ``LATEST`` unread notifications only: an expert who never opens the bell
gathers thousands, and the page must not read them all (the bell shows «۹۹+» past 99).
"""

from collections import Counter
from dataclasses import dataclass

from django.http import HttpRequest

from clearance.models import Notification

_CACHE = "_tasvieh_unread"
LATEST = 200


@dataclass(frozen=True)
class Unread:
    """Unread notifications, counted per (kind, request, task).

    ``truncated``: there are more than were read; ``kinds`` may then miss older ones.
    """

    rows: tuple[tuple[str, int, int | None, int], ...] = ()
    truncated: bool = False

    @property
    def count(self) -> int:
        return sum(n for *_, n in self.rows)

    @property
    def requests(self) -> frozenset[int]:
        """Requests that wait for their student: returned, or an office message unread."""
        return frozenset(r for kind, r, _, _ in self.rows if kind in Notification.STUDENT_TURN)

    @property
    def tasks(self) -> frozenset[int]:
        """Tasks on which the student answered the expert (a reply or a resubmission)."""
        return frozenset(
            t for kind, _, t, _ in self.rows if kind in Notification.EXPERT_TURN and t is not None
        )

    def kinds(self, *, request_id: int | None = None, task_id: int | None = None) -> set[str]:
        """What is unread about one request (the student's) or one task (the expert's)."""
        return {kind for kind, r, t, _ in self.rows if _matches(r, t, request_id, task_id)}

    def without(self, *, request_id: int | None = None, task_id: int | None = None) -> "Unread":
        return Unread(
            tuple(row for row in self.rows if not _matches(row[1], row[2], request_id, task_id)),
            self.truncated,
        )


def _matches(r: int, t: int | None, request_id: int | None, task_id: int | None) -> bool:
    if task_id is not None:
        return t == task_id
    return r == request_id and t is None


def unread(request: HttpRequest) -> Unread:
    """The signed-in person's unread summary: one query, then kept for the rest of the page."""
    cached = getattr(request, _CACHE, None)
    if cached is not None:
        return cached  # type: ignore[no-any-return]
    user = getattr(request, "user", None)
    summary = Unread()
    if user is not None and user.is_authenticated:
        latest = list(
            Notification.objects.filter(recipient=user, read_at__isnull=True)
            .order_by("-created")
            .values_list("kind", "request_id", "task_id")[: LATEST + 1]
        )
        counted = Counter(latest[:LATEST])
        summary = Unread(
            tuple((*key, n) for key, n in counted.items()), truncated=len(latest) > LATEST
        )
    setattr(request, _CACHE, summary)
    return summary


def forget(
    request: HttpRequest, *, request_id: int | None = None, task_id: int | None = None
) -> None:
    """The page has just marked these read: the menu's count follows without a new query."""
    setattr(request, _CACHE, unread(request).without(request_id=request_id, task_id=task_id))
