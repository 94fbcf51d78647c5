"""Persian first (the page language is the user's explicit choice, else Persian); no NUL
in query parameters."""

from collections.abc import Callable
from typing import Any

from django.conf import settings
from django.http import HttpRequest, HttpResponse, QueryDict
from django.middleware.locale import LocaleMiddleware
from django.utils import translation


class PersianFirstLocaleMiddleware(LocaleMiddleware):
    """Like Django's, but ignore the browser's Accept-Language.

    Many students' phones and the university's desktops announce English; the portal still
    speaks Persian unless someone picks English in the footer (a cookie).
    """

    def process_request(self, request: HttpRequest) -> None:
        chosen = request.COOKIES.get(settings.LANGUAGE_COOKIE_NAME, "")
        supported = {code for code, _ in settings.LANGUAGES}
        language = chosen if chosen in supported else settings.LANGUAGE_CODE
        translation.activate(language)
        request.LANGUAGE_CODE = translation.get_language()


def strip_nul_parameters(get_response: Callable[[HttpRequest], HttpResponse]) -> Any:
    """No query parameter carries a NUL character past here.

    PostgreSQL refuses NUL in text, so a ``?status=%00`` reaching any filter (ours, the
    admin's, a library's) would be a 500; without the NULs it is just an odd value.
    """

    def middleware(request: HttpRequest) -> HttpResponse:
        query = request.META.get("QUERY_STRING", "")
        if "%00" in query or "\x00" in query:
            cleaned = QueryDict(mutable=True)
            for key, values in request.GET.lists():
                cleaned.setlist(key.replace("\x00", ""), [v.replace("\x00", "") for v in values])
            cleaned._mutable = False
            request.GET = cleaned  # type: ignore[assignment]
        return get_response(request)

    return middleware
