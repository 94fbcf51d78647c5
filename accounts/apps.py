from axes.apps import AppConfig as AxesAppConfig
from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _
from django_tasks_db.apps import TasksAppConfig
from viewflow.workflow.apps import WorkflowConfig


class AccountsConfig(AppConfig):
    default = True  # this module also renames three third-party apps below
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


class BackgroundTasksConfig(TasksAppConfig):
    """django-tasks' database of queued messages and their deliveries, in our words."""

    verbose_name = _("Background deliveries")  # type: ignore[assignment]
