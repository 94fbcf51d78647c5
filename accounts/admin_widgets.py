"""Admin autocomplete that survives a crafted value instead of answering 500."""

from collections.abc import Sequence
from typing import Any

from django.contrib.admin.widgets import AutocompleteSelect
from django.core.exceptions import ValidationError


class SafeAutocompleteSelect(AutocompleteSelect):
    """Django's autocomplete re-queries the posted value to redraw it; an id that is not
    a number (``ValueError``) is dropped here, and the form says the choice is invalid."""

    def optgroups(self, name: str, value: Sequence[str], attr: Any = None) -> Any:
        field = self.choices.field
        valid = []
        for choice in value:
            try:
                field.to_python(choice)
            except ValidationError:
                continue
            valid.append(choice)
        return super().optgroups(name, valid, attr)


class SafeAutocomplete:
    """Mix into a ModelAdmin or inline that has ``autocomplete_fields``."""

    def formfield_for_foreignkey(self, db_field: Any, request: Any, **kwargs: Any) -> Any:
        if db_field.name in self.get_autocomplete_fields(request):  # type: ignore[attr-defined]
            kwargs["widget"] = SafeAutocompleteSelect(
                db_field,
                self.admin_site,  # type: ignore[attr-defined]
                using=kwargs.get("using"),
            )
        return super().formfield_for_foreignkey(db_field, request, **kwargs)  # type: ignore[misc]
