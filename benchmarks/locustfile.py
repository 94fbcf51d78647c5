"""The load test's users: students following their request, experts working their queue.

Run by benchmarks/load.py (`make loadtest`), which starts gunicorn with the production
settings behind a simulated TLS proxy and hands over the seeded accounts in
``TASVIEH_LOAD_ACCOUNTS`` (a JSON file). Every expert's approval is real: it claims a task
from its queue and approves it with what the office records; when two experts of one office
pick the same task, one is told another claimed it (a 302 with a message, not an error),
so each task is approved once.
"""

import itertools
import json
import os
import random
import re
from typing import Any

from locust import FastHttpUser, between, task

with open(os.environ["TASVIEH_LOAD_ACCOUNTS"], encoding="utf-8") as accounts:
    ACCOUNTS = json.load(accounts)
HOST = ACCOUNTS["host"]
PASSWORD = ACCOUNTS["password"]
_students = iter(ACCOUNTS["students"])
_experts = itertools.cycle(ACCOUNTS["experts"])
_addresses = itertools.count(1)
TASK_LINK = re.compile(r'href="/office/tasks/(\d+)/"')
REQUEST_LINK = re.compile(r'href="/requests/(\d+)/"')


class PortalUser(FastHttpUser):
    """geventhttpclient, not requests: the load generator shares the server's two cores, so
    its own cost per request is kept low."""

    abstract = True
    wait_time = between(0.2, 1.0)

    def on_start(self) -> None:
        n = next(_addresses)
        # What the TLS proxy adds to every request (tests/deploy does the same).
        self.headers = {
            "Host": HOST,
            "X-Forwarded-Proto": "https",
            "X-Forwarded-For": f"10.{n // 65536 % 256}.{n // 256 % 256}.{n % 256}",
            "Origin": f"https://{HOST}",
            "Referer": f"https://{HOST}/",
        }
        self.sign_in()

    def sent(self) -> dict[str, str]:
        """The headers of one request. The server marks its cookies Secure and this hop is
        plain HTTP, as behind the proxy: the jar would not send them, so they go by hand."""
        cookies = "; ".join(f"{c.name}={c.value}" for c in self.client.cookiejar)
        return {**self.headers, "Cookie": cookies}

    def get(self, path: str, name: str) -> str:
        with self.client.get(path, name=name, headers=self.sent(), catch_response=True) as response:
            if response.status_code != 200:
                response.failure(f"{name}: {response.status_code}")
            return response.text or ""

    def post(self, path: str, data: dict[str, Any], name: str) -> None:
        token = next((c.value for c in self.client.cookiejar if c.name == "csrftoken"), "")
        with self.client.post(
            path,
            data={"csrfmiddlewaretoken": token, **data},
            name=name,
            headers=self.sent(),
            allow_redirects=False,
            catch_response=True,
        ) as response:
            if response.status_code != 302:
                response.failure(f"{name}: {response.status_code}")

    def sign_in(self) -> None:
        self.get("/login/", "login page")
        self.post("/login/", {"username": self.username, "password": PASSWORD}, "sign in")


class Student(PortalUser):
    weight = 3

    def on_start(self) -> None:
        self.username = next(_students)
        super().on_start()
        page = self.get("/requests/", "my requests")
        self.requests = REQUEST_LINK.findall(page) or [""]

    @task(3)
    def my_requests(self) -> None:
        self.get("/requests/", "my requests")

    @task(5)
    def request_page(self) -> None:
        if self.requests[0]:
            self.get(f"/requests/{random.choice(self.requests)}/", "request page")

    @task(1)
    def notifications(self) -> None:
        self.get("/notifications/", "notifications")


class Expert(PortalUser):
    weight = 2

    def on_start(self) -> None:
        self.username = next(_experts)
        super().on_start()

    @task(4)
    def queue(self) -> None:
        self.get("/office/", "queue")

    @task(1)
    def deep_page(self) -> None:
        self.get(f"/office/?page={random.randint(2, 20)}", "queue, deep page")

    @task(1)
    def handled(self) -> None:
        self.get("/office/handled/", "handled by me")

    @task(3)
    def approve_one(self) -> None:
        """Open a task of the queue, claim it and approve it with what the office records."""
        tasks = TASK_LINK.findall(self.get("/office/", "queue"))
        if not tasks:
            return
        pk = random.choice(tasks[:10])
        page = self.get(f"/office/tasks/{pk}/", "task page")
        self.post(f"/office/tasks/{pk}/claim/", {}, "claim")
        decision: dict[str, str] = {"note": ""}
        if 'name="debt_rials"' in page:
            decision.update(debt_rials="0", settlement="")
        if 'name="had_dormitory"' in page:
            decision["had_dormitory"] = random.choice(["yes", "no"])
        if 'name="form_registered"' in page:
            decision["form_registered"] = "on"
        if 'name="letter_number"' in page:
            decision.update(letter_number="", letter_date="")
        self.post(f"/office/tasks/{pk}/approve/", decision, "approve")
