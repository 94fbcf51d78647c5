from axes.apps import AppConfig as AxesAppConfig
from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _
from viewflow.workflow.apps import WorkflowConfig


class AccountsConfig(AppConfig):
    default = True  # this module also renames two third-party apps below
    name = "accounts"
    verbose_name = _("Accounts and roles")
    default_auto_field = "django.db.models.BigAutoField"

    def ready(self) -> None:
        from accounts import offices  # noqa: F401  (reads the offices once per web request)


class SignInAttemptsConfig(AxesAppConfig):
    """django-axes, named in our own (translated) words in the admin."""

    verbose_name = _("Sign-in attempts")


class WorkflowEngineConfig(WorkflowConfig):
    """viewflow's process and task tables, named in our own words in the admin."""

    verbose_name = _("Workflow engine")
