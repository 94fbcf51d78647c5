"""Seed the demo: an admin, students, an expert per office role, requests at several steps."""

from typing import Any

from django.core.management.base import BaseCommand
from django.db import transaction
from viewflow.workflow.models import Task
from viewflow.workflow.status import STATUS

from accounts.models import Faculty, User
from clearance import services
from clearance.demo import DEMO_PASSWORD, form_values, make_experts, make_student, make_user
from clearance.models import ClearanceRequest

# (student username, offices the request has passed, return at the last one?)
STORIES = [
    ("student1", [], False),
    ("student2", ["education", "student_affairs"], False),
    ("student3", ["education", "student_affairs", "cultural_deputy"], True),
    (
        "student4",
        ["education", "student_affairs", "cultural_deputy", "secretariat", "council", "nutrition"],
        False,
    ),
]


class Command(BaseCommand):
    help = "Create demo users and requests (idempotent) and print the demo logins."

    def handle(self, *args: Any, **options: Any) -> None:
        with transaction.atomic():
            admin = make_user("admin", first_name="مدیر", last_name="سامانه")
            admin.is_staff = admin.is_superuser = True
            admin.save(update_fields=["is_staff", "is_superuser"])
            experts = {u.username: u for u in make_experts()}
            medicine = Faculty.objects.get(code="medicine")
            for serial, (username, passed, returned) in enumerate(STORIES, start=1):
                student = make_student(serial, username)
                if ClearanceRequest.objects.filter(student=student).exists():
                    continue
                request = services.request_submit(
                    student=student, data=form_values(serial=serial, faculty=medicine)
                )
                for office in passed:
                    expert = experts.get(f"{office}.medicine") or experts[office]
                    task = Task.objects.get(
                        process_id=request.process_id, status=STATUS.NEW, flow_task_type="HUMAN"
                    )
                    services.task_claim(task=task, user=expert)
                    if returned and office == passed[-1]:
                        services.request_return(
                            task=task,
                            user=expert,
                            reason="تصویر کارت ملی خوانا نیست؛ لطفاً دوباره بارگذاری کنید.",
                        )
                        break
                    services.decision_record(
                        task=task,
                        user=expert,
                        decision={
                            "note": "بررسی شد.",
                            "debt_rials": 0,
                            "had_dormitory": False,
                            "form_registered": True,
                        },
                    )
        self._print_logins()

    def _print_logins(self) -> None:
        rows = [
            ("admin", "administrator (Django admin)"),
            ("student1 … student4", "students with requests at different steps"),
            ("student5", "a student with no request yet"),
            ("education.medicine", "education office, School of Medicine"),
            ("student_affairs.medicine", "student affairs, School of Medicine"),
            ("cultural_deputy.medicine", "cultural deputy, School of Medicine"),
            ("secretariat.medicine", "secretariat, School of Medicine"),
            ("council / nutrition / dormitory / it / loan_fund / welfare", "university offices"),
            ("faculty_closure.medicine", "faculty closure, School of Medicine"),
            ("<office>.<faculty code>", "the same for every other faculty"),
        ]
        make_student(5)
        self.stdout.write(self.style.SUCCESS("\nTasvieh demo on http://127.0.0.1:8000/"))
        self.stdout.write(f"Every demo account's password: {DEMO_PASSWORD}\n")
        for username, what in rows:
            self.stdout.write(f"  {username:<60} {what}")
        self.stdout.write(f"  ({User.objects.count()} accounts in all)\n")
