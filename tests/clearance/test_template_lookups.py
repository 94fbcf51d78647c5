"""The busiest pages look up no variable that is not there.

A template lookup that fails costs the page an exception chain and a ``dir()`` of the object
(tens of microseconds on a model instance): the request page once did it some sixty times,
for every value and every recorded decision. The pages now name what they show; these pins
keep them so.
"""

from collections import Counter

import pytest
from django.template import base
from django.test import Client
from django.urls import reverse

from tests.conftest import CHAIN, act, expert_for, login, open_task


@pytest.fixture
def missed(monkeypatch) -> Counter[str]:
    """The variables whose lookup failed while rendering, counted."""
    failed: Counter[str] = Counter()
    resolve = base.Variable._resolve_lookup

    def counted(self, context):  # type: ignore[no-untyped-def]
        try:
            return resolve(self, context)
        except base.VariableDoesNotExist:
            failed[self.var] += 1
            raise

    monkeypatch.setattr(base.Variable, "_resolve_lookup", counted)
    return failed


def test_the_request_task_and_list_pages_miss_no_lookup(
    submitted, student_client, experts, faculty, missed
):
    for _ in CHAIN[:-1]:  # every office records what it records, up to the faculty's closure
        act(
            expert_for(experts, open_task(submitted).flow_task.name, faculty),
            submitted,
            dormitory=True,
        )
    closing = expert_for(experts, "faculty_closure", faculty)
    welfare = login(Client(), expert_for(experts, "welfare", faculty))
    office = login(Client(), closing)
    pages = [
        (student_client, reverse("request_detail", args=[submitted.pk])),
        (student_client, reverse("request_list")),
        (office, reverse("office_queue")),
        (office, reverse("office_queue") + "?q=x&page=2"),
        (office, reverse("task_detail", args=[open_task(submitted).pk])),
        (welfare, reverse("office_handled")),
    ]
    missed.clear()

    for client, url in pages:
        assert client.get(url).status_code == 200, url

    assert not missed, missed
