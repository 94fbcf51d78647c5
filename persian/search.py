"""Admin search that follows the one digit rule: any digits, Arabic or Persian letters."""

from typing import Any

from persian.text import ascii_digits, normalize_text


class NormalizedSearch:
    """Mix into a ModelAdmin before it: «۹۸۱۰۰۰۰۱» finds 98100001, «علي» finds «علی»."""

    def get_search_results(self, request: Any, queryset: Any, search_term: str) -> Any:
        term = normalize_text(ascii_digits(search_term.replace("\x00", "")))
        return super().get_search_results(request, queryset, term)  # type: ignore[misc]
