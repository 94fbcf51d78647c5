from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class ClearanceConfig(AppConfig):
    name = "clearance"
    verbose_name = _("Student clearance")
    default_auto_field = "django.db.models.BigAutoField"

    def ready(self) -> None:
        # The start-up checks, and the receivers that drop the kept counts as tasks change.
        from clearance import checks, waiting  # noqa: F401
