"""The sign-in throttle: per username and address, per address, per username (issue 10 §7)."""

import pytest
from django.test import Client
from django.urls import reverse

from clearance.demo import DEMO_PASSWORD
from tests.factories import StudentFactory


@pytest.fixture(autouse=True)
def _small_limits(settings):
    settings.AXES_FAILURE_LIMIT = 3
    settings.TASVIEH_LOGIN_ADDRESS_FAILURE_LIMIT = 6
    settings.TASVIEH_LOGIN_USERNAME_FAILURE_LIMIT = 4


def sign_in(username: str, password: str, *, address: str) -> int:
    client = Client(REMOTE_ADDR=address)
    return client.post(reverse("login"), {"username": username, "password": password}).status_code


@pytest.mark.django_db
def test_password_spraying_from_one_address_is_paused_across_usernames():
    real = StudentFactory()
    for n in range(5):  # one guess per username: no single account reaches its limit
        assert sign_in(f"sprayed{n}", "Winter2026", address="127.0.0.9") == 200
    assert sign_in(real.username, DEMO_PASSWORD, address="127.0.0.9") == 302  # 5 < 6

    assert sign_in("sprayed5", "Winter2026", address="127.0.0.9") == 429
    assert sign_in(real.username, DEMO_PASSWORD, address="127.0.0.9") == 429
    assert sign_in(real.username, DEMO_PASSWORD, address="127.0.0.10") == 302


@pytest.mark.django_db
def test_one_username_guessed_from_many_addresses_is_paused():
    victim = StudentFactory()
    for n in range(3):  # each address stays below its per-username-and-address limit
        assert sign_in(victim.username, "guess", address=f"127.0.1.{n}") == 200

    assert sign_in(victim.username, "guess", address="127.0.1.3") == 429  # the fourth
    assert sign_in(victim.username, DEMO_PASSWORD, address="127.0.1.51") == 429


@pytest.mark.django_db
def test_one_username_from_one_address_keeps_its_own_smaller_limit():
    person = StudentFactory()
    for _ in range(2):
        assert sign_in(person.username, "guess", address="127.0.2.1") == 200
    assert sign_in(person.username, "guess", address="127.0.2.1") == 429
    # Three failures in all are below the per-username limit: another address still works.
    assert sign_in(person.username, DEMO_PASSWORD, address="127.0.2.2") == 302
