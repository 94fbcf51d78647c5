"""Measure the busiest pages: SQL queries and median render time at growing row counts.

    python -m tests.servers.postgres .venv/bin/python benchmarks/pages.py

Prints, for each page, the query count and the median of 15 renders at 10 and at 200
waiting requests, and the ratio between the two medians (1.0 = does not grow with rows).
"""

import os
import statistics
import sys
import time
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parents[1]))
os.environ.setdefault("DJANGO_SETTINGS_MODULE", "clearance.settings")

import django

django.setup()

from django.conf import settings  # noqa: E402
from django.core.signals import request_finished, request_started  # noqa: E402
from django.db import close_old_connections, connection  # noqa: E402
from django.test import Client  # noqa: E402
from django.test.utils import setup_test_environment  # noqa: E402
from django.urls import reverse  # noqa: E402

RUNS = 15


def measure(client: Client, url: str) -> tuple[int, float]:
    executed: list[str] = []

    def count(execute, sql, params, many, context):  # type: ignore[no-untyped-def]
        executed.append(sql)
        return execute(sql, params, many, context)

    with connection.execute_wrapper(count):
        assert client.get(url).status_code == 200
    samples = []
    for _ in range(RUNS):
        start = time.perf_counter()
        client.get(url)
        samples.append(time.perf_counter() - start)
    return len(executed), statistics.median(samples)


def main() -> None:
    setup_test_environment()
    # As in Django's test runner: keep one connection so its queries can be counted.
    request_started.disconnect(close_old_connections)
    request_finished.disconnect(close_old_connections)
    settings.PASSWORD_HASHERS = ["django.contrib.auth.hashers.MD5PasswordHasher"]
    old_name = connection.creation.create_test_db(verbosity=0)
    try:
        from accounts.models import Faculty
        from clearance import services
        from clearance.demo import form_values, make_experts, make_user
        from clearance.models import ClearanceRequest

        faculty = Faculty.objects.get(code="medicine")
        experts = {u.username: u for u in make_experts([faculty])}
        expert = experts["education.medicine"]
        serial = 0

        def add(count: int) -> None:
            nonlocal serial
            for _ in range(count):
                serial += 1
                services.request_submit(
                    student=make_user(f"bench{serial}"),
                    data=form_values(serial=serial, faculty=faculty),
                )

        client = Client()
        client.force_login(expert)
        add(10)
        first = ClearanceRequest.objects.order_by("pk").first()
        task_id = first.process.task_set.get(flow_task_type="HUMAN").pk
        student_client = Client()
        student_client.force_login(first.student)
        pages = {
            "office queue": reverse("office_queue"),
            "task page": reverse("task_detail", args=[task_id]),
            "student request page": reverse("request_detail", args=[first.pk]),
        }
        small = {
            name: measure(student_client if "student" in name else client, url)
            for name, url in pages.items()
        }
        add(190)
        large = {
            name: measure(student_client if "student" in name else client, url)
            for name, url in pages.items()
        }
        print(
            f"{'page':<22}{'queries@10':>11}{'queries@200':>12}{'ms@10':>8}{'ms@200':>8}{'ratio':>7}"
        )
        for name in pages:
            (q1, t1), (q2, t2) = small[name], large[name]
            print(f"{name:<22}{q1:>11}{q2:>12}{t1 * 1000:>8.1f}{t2 * 1000:>8.1f}{t2 / t1:>7.2f}")
    finally:
        connection.creation.destroy_test_db(old_name, verbosity=0)


if __name__ == "__main__":
    main()
