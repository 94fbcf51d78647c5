from django.contrib import admin
from django.urls import include, path

from accounts import views as account_views
from clearance import views

urlpatterns = [
    path("", views.home, name="home"),
    path("login/", account_views.LoginView.as_view(), name="login"),
    path("logout/", account_views.LogoutView.as_view(), name="logout"),
    path("i18n/", include("django.conf.urls.i18n")),
    path("requests/", views.request_list, name="request_list"),
    path("requests/new/", views.request_create, name="request_create"),
    path("requests/<int:pk>/", views.request_detail, name="request_detail"),
    path("requests/<int:pk>/edit/", views.request_edit, name="request_edit"),
    path("requests/<int:pk>/cancel/", views.request_cancel, name="request_cancel"),
    path("requests/<int:pk>/comment/", views.request_comment, name="request_comment"),
    path("requests/<int:pk>/certificate/", views.request_certificate, name="request_certificate"),
    path("documents/<int:pk>/", views.document_download, name="document_download"),
    path("verify/", views.certificate_verify, name="certificate_verify_form"),
    path("verify/<str:code>/", views.certificate_verify, name="certificate_verify"),
    path("office/", views.office_queue, name="office_queue"),
    path("office/mine/", views.office_mine, name="office_mine"),
    path("office/handled/", views.office_handled, name="office_handled"),
    path("office/tasks/approve/", views.tasks_bulk_approve, name="tasks_bulk_approve"),
    path("office/tasks/<int:pk>/", views.task_detail, name="task_detail"),
    path("office/tasks/<int:pk>/claim/", views.task_claim, name="task_claim"),
    path("office/tasks/<int:pk>/release/", views.task_release, name="task_release"),
    path("office/tasks/<int:pk>/approve/", views.task_approve, name="task_approve"),
    path("office/tasks/<int:pk>/return/", views.task_return, name="task_return"),
    path("office/tasks/<int:pk>/comment/", views.task_comment, name="task_comment"),
    path("reports/", views.reports, name="reports"),
    path("admin/", admin.site.urls),
]
