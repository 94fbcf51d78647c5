from django.contrib import admin
from django.urls import include, path

from accounts import views as account_views
from clearance.views import notifications, office, public, student

urlpatterns = [
    path("", student.home, name="home"),
    path("login/", account_views.LoginView.as_view(), name="login"),
    path("logout/", account_views.LogoutView.as_view(), name="logout"),
    path("i18n/", include("django.conf.urls.i18n")),
    path("requests/", student.request_list, name="request_list"),
    path("requests/new/", student.request_create, name="request_create"),
    path("requests/<int:pk>/", student.request_detail, name="request_detail"),
    path("requests/<int:pk>/edit/", student.request_edit, name="request_edit"),
    path("requests/<int:pk>/cancel/", student.request_cancel, name="request_cancel"),
    path("requests/<int:pk>/comment/", student.request_comment, name="request_comment"),
    path("requests/<int:pk>/certificate/", student.request_certificate, name="request_certificate"),
    path("documents/<int:pk>/", student.document_download, name="document_download"),
    path("notifications/", notifications.notification_list, name="notification_list"),
    path("notifications/<int:pk>/", notifications.notification_open, name="notification_open"),
    path(
        "notifications/read/", notifications.notifications_read_all, name="notifications_read_all"
    ),
    path(
        "notifications/settings/",
        notifications.notification_settings,
        name="notification_settings",
    ),
    path("verify/", public.certificate_verify, name="certificate_verify_form"),
    path("verify/<str:code>/", public.certificate_verify, name="certificate_verify"),
    path("office/", office.office_queue, name="office_queue"),
    path("office/mine/", office.office_mine, name="office_mine"),
    path("office/handled/", office.office_handled, name="office_handled"),
    path("office/tasks/approve/", office.tasks_bulk_approve, name="tasks_bulk_approve"),
    path("office/tasks/<int:pk>/", office.task_detail, name="task_detail"),
    path("office/tasks/<int:pk>/claim/", office.task_claim, name="task_claim"),
    path("office/tasks/<int:pk>/release/", office.task_release, name="task_release"),
    path("office/tasks/<int:pk>/approve/", office.task_approve, name="task_approve"),
    path("office/tasks/<int:pk>/return/", office.task_return, name="task_return"),
    path("office/tasks/<int:pk>/comment/", office.task_comment, name="task_comment"),
    path("office/tasks/<int:pk>/faculty/", office.task_faculty_change, name="task_faculty_change"),
    path("reports/", office.reports, name="reports"),
    path("admin/", admin.site.urls),
]
