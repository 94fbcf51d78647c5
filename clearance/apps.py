from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class ClearanceConfig(AppConfig):
    name = "clearance"
    verbose_name = _("Student clearance")
    default_auto_field = "django.db.models.BigAutoField"

    def ready(self) -> None:
        from clearance import checks  # noqa: F401  (registers the start-up checks)
