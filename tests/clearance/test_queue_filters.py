"""The office lists' filters: each narrows the list; any odd value is ignored, never a 500."""

import pytest
from django.test import Client
from django.urls import reverse
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from tests.conftest import expert_for, login, open_task
from tests.factories import ClearanceRequestFactory

PAGES = ["office_queue", "office_mine", "office_handled"]
PARAMS = ["faculty", "office", "type", "q", "age", "page"]
ODD_TEXT = st.one_of(
    st.text(max_size=60),
    st.sampled_from(["²", "999999999", "9" * 25, "-1", "١٢", "０８", "ـــ", "\x00", "x" * 10_000]),
)


@pytest.mark.django_db
def test_each_filter_narrows_the_queue(experts, faculty, other_faculty):
    ours = ClearanceRequestFactory(faculty=faculty, serial=11)
    ClearanceRequestFactory(faculty=faculty, serial=12, request_type="withdrawal")
    client = login(Client(), expert_for(experts, "education", faculty))

    def shown(**params: str) -> set[int]:
        response = client.get(reverse("office_queue"), params)
        assert response.status_code == 200
        return {task.pk for task in response.context["page"]}

    everything = shown()
    assert len(everything) == 2
    assert shown(q=ours.national_code) == {open_task(ours).pk}
    assert shown(q="۹۸۱۰۰۰۱۱") == {open_task(ours).pk}  # student number in Persian digits
    assert shown(type="graduation") == {open_task(ours).pk}
    assert shown(faculty=other_faculty.code) == set()
    assert shown(office="nutrition") == set() and shown(office="education") == everything
    assert shown(age="3") == set() and shown(age="0") == everything
    assert shown(age="²") == everything  # not a number: ignored


@pytest.mark.django_db
@settings(
    max_examples=40, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture]
)
@given(page=st.sampled_from(PAGES), name=st.sampled_from(PARAMS), value=ODD_TEXT, csv=st.booleans())
def test_any_value_of_any_filter_is_a_page_not_a_500(experts, faculty, page, name, value, csv):
    client = login(Client(), expert_for(experts, "education", faculty))
    params = {name: value, **({"format": "csv"} if csv else {})}

    response = client.get(reverse(page), params)

    assert response.status_code == 200
    if csv:
        assert response["Content-Type"].startswith("text/csv")
        assert b"".join(response.streaming_content).startswith("\ufeff".encode())
