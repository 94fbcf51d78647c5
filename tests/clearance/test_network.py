"""The client's address in the history, directly and behind the reverse proxy."""

from django.test import Client
from django.urls import reverse

from clearance.models import Event
from tests.conftest import login


def test_address_is_recorded_directly(student, submitted):
    client = login(Client(REMOTE_ADDR="192.0.2.10"), student)
    client.post(reverse("request_cancel", args=[submitted.pk]))
    assert (
        Event.objects.get(request=submitted, kind=Event.Kind.CANCELLED).ip_address == "192.0.2.10"
    )


def test_behind_the_proxy_only_its_own_hop_is_trusted(student, submitted, settings):
    settings.TASVIEH_BEHIND_PROXY = True
    client = login(Client(REMOTE_ADDR="10.0.0.2"), student)
    client.post(
        reverse("request_cancel", args=[submitted.pk]),
        HTTP_X_FORWARDED_FOR="203.0.113.66, 198.51.100.7",  # first hop forged by the client
    )
    event = Event.objects.get(request=submitted, kind=Event.Kind.CANCELLED)
    assert event.ip_address == "198.51.100.7"
