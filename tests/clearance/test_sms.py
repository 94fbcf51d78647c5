"""The SMS backends: Kavenegar's HTTP API spoken for real, to a look-alike on loopback."""

import pytest

from clearance.checks import sms_gateway_configured
from clearance.notifications.sms import (
    ConsoleBackend,
    KavenegarBackend,
    MemoryBackend,
    Sms,
    SmsError,
    sms_backend,
)
from tests.servers.gateways import fake_kavenegar

TEXT = "تسویه حساب: اداره خوابگاه برای شما پیام فرستاد. https://tasvieh.example.ac.ir/requests/7/"


@pytest.fixture
def gateway(settings):
    with fake_kavenegar() as fake:
        settings.TASVIEH_SMS_BACKEND = "kavenegar"
        settings.TASVIEH_KAVENEGAR_URL = fake.url
        settings.TASVIEH_KAVENEGAR_API_KEY = "4F6B-7A2C/XYZ"
        settings.TASVIEH_KAVENEGAR_SENDER = "10004346"
        yield fake


def test_kavenegar_gets_the_number_the_persian_text_and_the_line_as_its_api_says(gateway):
    reference = sms_backend().send(to="09121234567", text=TEXT)

    (received,) = gateway.received
    assert received["path"] == "/v1/4F6B-7A2C%2FXYZ/sms/send.json"  # the key, URL-quoted
    assert received["receptor"] == "09121234567"
    assert received["message"] == TEXT
    assert received["sender"] == "10004346"
    assert received["content_type"].startswith("application/x-www-form-urlencoded")
    assert reference == "8792344"  # Kavenegar's messageid


def test_without_a_sender_kavenegar_uses_the_accounts_default_line(gateway, settings):
    settings.TASVIEH_KAVENEGAR_SENDER = ""

    KavenegarBackend().send(to="09121234567", text=TEXT)

    assert "sender" not in gateway.received[0]


@pytest.mark.parametrize(
    ("status", "message"),
    [
        (403, "کلید شناسایی معتبر نمی باشد"),
        (411, "دریافت کننده نامعتبر است"),
        (418, "اعتبار کافی نیست"),
    ],
)
def test_a_refusal_raises_with_kavenegars_status_and_reason(gateway, status, message):
    gateway.status, gateway.message = status, message

    with pytest.raises(SmsError) as refused:
        KavenegarBackend().send(to="09121234567", text=TEXT)

    assert str(refused.value) == f"Kavenegar refused the message ({status}): {message}"


def test_an_unreachable_gateway_raises_without_showing_the_api_key(settings):
    settings.TASVIEH_KAVENEGAR_URL = "http://127.0.0.1:9/v1"  # nothing listens
    settings.TASVIEH_KAVENEGAR_API_KEY = "SECRET-KEY"

    with pytest.raises(SmsError) as unreachable:
        KavenegarBackend().send(to="09121234567", text=TEXT)

    assert "could not be reached" in str(unreachable.value)
    assert "SECRET-KEY" not in str(unreachable.value)


def test_the_memory_backend_records_and_the_console_prints(settings, capsys, sms_outbox):
    settings.TASVIEH_SMS_BACKEND = "memory"
    assert sms_backend().send(to="09121234567", text=TEXT) == "memory-1"
    assert sms_outbox == [Sms(to="09121234567", text=TEXT)]
    assert MemoryBackend.outbox is sms_outbox

    settings.TASVIEH_SMS_BACKEND = "console"
    ConsoleBackend().send(to="09121234567", text=TEXT)
    assert f"SMS to 09121234567:\n{TEXT}" in capsys.readouterr().out


def test_start_up_fails_loudly_on_an_unknown_backend_or_a_missing_kavenegar_key(settings):
    settings.TASVIEH_SMS_BACKEND = "kavenegar"
    settings.TASVIEH_KAVENEGAR_API_KEY = ""
    assert [e.id for e in sms_gateway_configured()] == ["tasvieh.E004"]

    settings.TASVIEH_KAVENEGAR_API_KEY = "K3Y"
    assert sms_gateway_configured() == []

    settings.TASVIEH_SMS_BACKEND = "smsir"
    assert [e.id for e in sms_gateway_configured()] == ["tasvieh.E003"]
