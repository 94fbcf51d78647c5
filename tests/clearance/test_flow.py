"""The office chain over HTTP with real logins: approve, return, resubmit, skip IT."""

import pytest
from django.test import Client
from django.urls import reverse
from viewflow.workflow.models import Task
from viewflow.workflow.status import STATUS

from clearance.models import ClearanceRequest, Event
from tests.conftest import expert_for, login

CHAIN = [
    "education", "student_affairs", "cultural_deputy", "secretariat", "council", "nutrition",
    "dormitory", "it", "loan_fund", "welfare", "faculty_closure",
]


def open_task(req: ClearanceRequest) -> Task:
    return Task.objects.get(
        process_id=req.process_id, flow_task_type="HUMAN",
        status__in=[STATUS.NEW, STATUS.ASSIGNED],
    )


def approve_payload(office: str, *, dormitory: bool) -> dict[str, str]:
    payload = {"note": f"ok from {office}"}
    if office in {"nutrition", "dormitory", "loan_fund", "welfare"}:
        payload.update(debt_rials="0", settlement="")
    if office == "dormitory":
        payload["had_dormitory"] = "yes" if dormitory else "no"
    if office == "secretariat":
        payload.update(letter_number="", letter_date="1405/09/04")
    if office == "welfare":
        payload["form_registered"] = "on"
    return payload


def act(expert, req: ClearanceRequest, *, dormitory: bool) -> str:
    """Claim and approve the request's open task as this expert; return the office code."""
    client = login(Client(), expert)
    task = open_task(req)
    office = task.flow_task.name
    assert client.post(reverse("task_claim", args=[task.pk])).status_code == 302
    response = client.post(
        reverse("task_approve", args=[task.pk]), approve_payload(office, dormitory=dormitory)
    )
    assert response.status_code == 302, response.content.decode()[:2000]
    return office


@pytest.mark.django_db
@pytest.mark.parametrize("dormitory", [True, False])
def test_full_journey_through_every_office(submitted, experts, faculty, dormitory):
    visited = []
    while True:
        submitted.refresh_from_db()
        if submitted.status == ClearanceRequest.Status.CLEARED:
            break
        office = open_task(submitted).flow_task.name
        assert submitted.current_office.code == office
        visited.append(act(expert_for(experts, office, faculty), submitted, dormitory=dormitory))
    expected = CHAIN if dormitory else [o for o in CHAIN if o != "it"]
    assert visited == expected
    assert submitted.had_dormitory is dormitory
    assert submitted.letter_number
    approvals = Event.objects.filter(request=submitted, kind=Event.Kind.APPROVED)
    assert [e.office.code for e in approvals] == expected
    assert Event.objects.filter(request=submitted, kind=Event.Kind.CLEARED).count() == 1
