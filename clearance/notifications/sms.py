"""Text messages through a pluggable gateway: console (demo), memory (tests), Kavenegar.

``TASVIEH_SMS_BACKEND`` names the backend; each has ``send(to=…, text=…)``, which returns the
gateway's message id or raises ``SmsError`` — the worker records it and tries again later.
"""

import json
import sys
from dataclasses import dataclass
from typing import ClassVar, Protocol
from urllib.error import HTTPError, URLError
from urllib.parse import quote, urlencode
from urllib.request import Request, urlopen

from django.conf import settings
from django.utils.module_loading import import_string


class SmsError(Exception):
    """The gateway refused the message or could not be reached."""


class SmsBackend(Protocol):
    def send(self, *, to: str, text: str) -> str: ...


@dataclass(frozen=True)
class Sms:
    to: str
    text: str


class ConsoleBackend:
    """Print each message (the demo: nothing leaves the machine)."""

    def send(self, *, to: str, text: str) -> str:
        sys.stdout.write(f"SMS to {to}:\n{text}\n{'-' * 40}\n")
        sys.stdout.flush()
        return ""


class MemoryBackend:
    """Keep each message in ``MemoryBackend.outbox`` (tests read it, like ``mail.outbox``)."""

    outbox: ClassVar[list[Sms]] = []

    def send(self, *, to: str, text: str) -> str:
        self.outbox.append(Sms(to=to, text=text))
        return f"memory-{len(self.outbox)}"


class KavenegarBackend:
    """Kavenegar's REST API: ``POST {url}/{api key}/sms/send.json`` with receptor and message.

    Kavenegar answers ``{"return": {"status": 200, "message": …}, "entries": [{"messageid":
    …}]}``; any other status (e.g. 403 wrong key, 411 bad number, 418 no credit) is an error,
    sent with the same HTTP status.
    """

    def __init__(self) -> None:
        self.url = settings.TASVIEH_KAVENEGAR_URL.rstrip("/")
        self.api_key = settings.TASVIEH_KAVENEGAR_API_KEY
        self.sender = settings.TASVIEH_KAVENEGAR_SENDER
        self.timeout = settings.TASVIEH_SMS_TIMEOUT

    def send(self, *, to: str, text: str) -> str:
        fields = {"receptor": to, "message": text}
        if self.sender:
            fields["sender"] = self.sender
        request = Request(
            f"{self.url}/{quote(self.api_key, safe='')}/sms/send.json",
            data=urlencode(fields).encode(),
            headers={
                "Accept": "application/json",
                "Content-Type": "application/x-www-form-urlencoded; charset=utf-8",
            },
        )
        try:
            with urlopen(request, timeout=self.timeout) as response:
                body = response.read()
        except HTTPError as refused:
            body = refused.read()  # Kavenegar explains its refusals in the JSON body
        except (URLError, OSError) as exc:
            # Never the URL: it holds the API key.
            reason = getattr(exc, "reason", exc)
            raise SmsError(f"Kavenegar could not be reached: {reason}") from None
        try:
            answer = json.loads(body)
            status, message = answer["return"]["status"], answer["return"].get("message", "")
        except (ValueError, KeyError, TypeError):
            raise SmsError(f"Kavenegar answered something unexpected: {body[:200]!r}") from None
        if status != 200:
            raise SmsError(f"Kavenegar refused the message ({status}): {message}")
        entries = answer.get("entries") or [{}]
        return str(entries[0].get("messageid", ""))


BACKENDS: dict[str, type] = {
    "console": ConsoleBackend,
    "memory": MemoryBackend,
    "kavenegar": KavenegarBackend,
}


def backend_class() -> type:
    """The configured backend's class: a short name above, or a dotted path to a class."""
    name = settings.TASVIEH_SMS_BACKEND
    return BACKENDS.get(name) or import_string(name)  # type: ignore[no-any-return]


def sms_backend() -> SmsBackend:
    return backend_class()()  # type: ignore[no-any-return]
