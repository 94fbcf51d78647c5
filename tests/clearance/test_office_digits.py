"""The experts' inputs show Persian digits too: the proposed letter number, its date, debts."""

import re

from django.test import Client
from django.urls import reverse

from clearance import services
from persian.text import persian_digits
from tests.conftest import approve_through_chain, expert_for, login, open_task


def approve_form_input(client: Client, task_pk: int, name: str) -> str:
    html = client.get(reverse("task_detail", args=[task_pk])).content.decode()
    form = re.search(r'<form[^>]*action="[^"]*/approve/".*?</form>', html, re.S).group(0)  # type: ignore[union-attr]
    return re.search(rf'<input[^>]*name="{name}"[^>]*>', form).group(0)  # type: ignore[union-attr]


def claimed_at(office, submitted, experts, faculty) -> tuple[Client, int]:
    approve_through_chain(submitted, experts, faculty, until=office)
    expert = expert_for(experts, office, faculty)
    task = open_task(submitted)
    services.task_claim(task=task, user=expert)
    return login(Client(), expert), task.pk


def test_the_secretariat_sees_its_proposed_number_and_date_in_persian_digits(
    submitted, experts, faculty
):
    client, task = claimed_at("secretariat", submitted, experts, faculty)
    number = approve_form_input(client, task, "letter_number")
    proposed = re.search(r'value="([^"]+)"', number).group(1)  # type: ignore[union-attr]
    expected = services.letter_number_propose(faculty=faculty)
    assert proposed == persian_digits(expected)
    assert not re.search(r"[0-9]", proposed) and 'data-digits="text"' in number
    date = approve_form_input(client, task, "letter_date")
    assert re.search(r'value="۱۴[۰-۹]{2}/[۰-۹]{2}/[۰-۹]{2}"', date)
    # Typed back in Persian digits, the proposed number is the one taken.
    response = client.post(
        reverse("task_approve", args=[task]),
        {"letter_number": proposed, "letter_number_proposed": expected, "letter_date": ""},
    )
    assert response.status_code == 302
    submitted.refresh_from_db()
    assert submitted.letter_number == expected


def test_a_money_office_types_its_debt_grouped_in_persian_digits(submitted, experts, faculty):
    client, task = claimed_at("nutrition", submitted, experts, faculty)
    debt = approve_form_input(client, task, "debt_rials")
    assert 'value="۰"' in debt and 'data-digits="amount"' in debt
    response = client.post(
        reverse("task_approve", args=[task]),
        {"debt_rials": "۲٬۵۰۰٬۰۰۰", "settlement": "پرداخت شد"},
    )
    assert response.status_code == 302
    assert submitted.events.get(kind="approved", office__code="nutrition").debt_rials == 2_500_000
