"""Production as deployed: gunicorn with the real settings, reached as if through the proxy.

Each server is a subprocess with a clean environment that holds only what an operator would
set; it shares pytest-django's test database, so tests marked
``django_db(transaction=True, serialized_rollback=True)`` see what the servers write and the
servers see what the tests create.
"""

import http.client
import os
import secrets
import signal
import socket
import subprocess
import threading
import time
import urllib.parse
from collections.abc import Callable, Iterator
from dataclasses import dataclass, field
from http.cookies import SimpleCookie
from pathlib import Path

import pytest
from django.contrib.auth.hashers import PBKDF2PasswordHasher
from django.db import connection

ROOT = Path(__file__).resolve().parents[2]
VENV_BIN = ROOT / ".venv" / "bin"
HOST = "tasvieh.example.ac.ir"
ORIGIN = f"https://{HOST}"
START_TIMEOUT = 20  # seconds for a server to answer its first request
REQUEST_TIMEOUT = 30


class QuickPBKDF2Hasher(PBKDF2PasswordHasher):
    """Django's PBKDF2 with few rounds: the servers still verify it (the count is in the hash)."""

    iterations = 1000


@pytest.fixture(autouse=True)
def _hashes_the_servers_accept(settings):
    # The shared fixtures hash with MD5, which production settings do not accept.
    settings.PASSWORD_HASHERS = ["tests.deploy.conftest.QuickPBKDF2Hasher"]


def clean_env(**extra: str) -> dict[str, str]:
    """What an operator's service unit would give: no TASVIEH_* leaking from the test run."""
    home = os.environ.get("HOME", str(ROOT))
    return {"PATH": os.environ["PATH"], "HOME": home, "LANG": "C.UTF-8", **extra}


@pytest.fixture(scope="session")
def collected_static(tmp_path_factory: pytest.TempPathFactory) -> Path:
    """Run `collectstatic` once, as the deployment does, into a scratch STATIC_ROOT."""
    static_root = tmp_path_factory.mktemp("static")
    result = subprocess.run(
        [str(VENV_BIN / "python"), "manage.py", "collectstatic", "--noinput"],
        cwd=ROOT,
        env=clean_env(TASVIEH_STATIC_ROOT=str(static_root), TASVIEH_COLLECTED_STATIC="1"),
        capture_output=True,
        text=True,
        timeout=300,
        check=False,
    )
    assert result.returncode == 0, result.stdout + result.stderr
    return static_root


def shared_database_url() -> str:
    """pytest-django's test database as a DATABASE_URL (a socket directory is URL-quoted)."""
    db = connection.settings_dict
    if connection.vendor != "postgresql":
        pytest.skip("app servers can only share a PostgreSQL test database")
    host = urllib.parse.quote(db["HOST"], safe="") if db["HOST"] else "localhost"
    user = urllib.parse.quote(db["USER"] or "", safe="")
    if db["PASSWORD"]:
        user += ":" + urllib.parse.quote(db["PASSWORD"], safe="")
    port = f":{db['PORT']}" if db["PORT"] else ""
    return f"postgres://{user}@{host}{port}/{urllib.parse.quote(db['NAME'], safe='')}"


def free_port() -> int:
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        return probe.getsockname()[1]


@dataclass
class AppServer:
    process: subprocess.Popen[bytes]
    base: str
    log: Path

    def wait_until_answering(self) -> None:
        deadline = time.monotonic() + START_TIMEOUT
        while time.monotonic() < deadline:
            if self.process.poll() is not None:
                break
            probe = http.client.HTTPConnection(urllib.parse.urlsplit(self.base).netloc, timeout=2)
            try:
                probe.request("GET", "/healthz")
                probe.getresponse().read()
                return
            except OSError:
                time.sleep(0.1)
            finally:
                probe.close()
        self.stop()
        pytest.fail(f"gunicorn at {self.base} did not answer:\n{self.log.read_text()}")

    def stop(self) -> None:
        if self.process.poll() is None:
            self.process.send_signal(signal.SIGTERM)
            try:
                self.process.wait(timeout=15)
            except subprocess.TimeoutExpired:
                os.killpg(self.process.pid, signal.SIGKILL)  # its own group: master and workers
                self.process.wait(timeout=5)


@pytest.fixture
def gunicorn(
    transactional_db: None, collected_static: Path, tmp_path: Path
) -> Iterator[Callable[[], str]]:
    """Start gunicorn app servers on the test database; each call returns one's base URL.

    Servers of one test share the secret key, as the servers behind one proxy do. They stop
    before the test database is flushed; their logs are printed, which pytest shows when a
    test fails.
    """
    env = clean_env(
        DATABASE_URL=shared_database_url(),
        TASVIEH_SECRET_KEY=secrets.token_urlsafe(50),
        TASVIEH_HTTPS="1",
        TASVIEH_BEHIND_PROXY="1",
        TASVIEH_COLLECTED_STATIC="1",
        TASVIEH_STATIC_ROOT=str(collected_static),
        TASVIEH_ALLOWED_HOSTS=HOST,
        TASVIEH_CSRF_TRUSTED_ORIGINS=ORIGIN,
        TASVIEH_MEDIA_ROOT=str(tmp_path / "media"),
    )
    servers: list[AppServer] = []

    def start() -> str:
        port = free_port()
        log = tmp_path / f"gunicorn-{port}.log"
        bind = f"127.0.0.1:{port}"
        command = ["clearance.wsgi", "--workers", "2", "--bind", bind, "--access-logfile", "-"]
        with log.open("wb") as out:
            process = subprocess.Popen(
                [str(VENV_BIN / "gunicorn"), *command],
                cwd=ROOT,
                env=env,
                stdout=out,
                stderr=subprocess.STDOUT,
                start_new_session=True,
            )
        server = AppServer(process=process, base=f"http://{bind}", log=log)
        servers.append(server)
        server.wait_until_answering()
        return server.base

    yield start
    for server in servers:
        server.stop()
        print(f"--- gunicorn at {server.base} ---\n{server.log.read_text()}")


@dataclass
class Response:
    status: int
    headers: http.client.HTTPMessage
    content: bytes

    @property
    def text(self) -> str:
        return self.content.decode("utf-8", errors="replace")

    @property
    def location(self) -> str:
        return self.headers.get("Location", "")

    def header(self, name: str) -> str:
        return self.headers.get(name, "")

    def set_cookie(self, name: str) -> str:
        """The raw Set-Cookie header for one cookie, attributes included."""
        found = [c for c in self.headers.get_all("Set-Cookie", []) if c.startswith(f"{name}=")]
        return found[-1] if found else ""

    def alerts(self) -> list[str]:
        """The kinds of django message the page shows."""
        html = self.text
        errors = html.count('class="alert alert-danger"')
        return ["error"] * errors + ["success"] * html.count('class="alert alert-success"')


@dataclass
class ProxiedClient:
    """A browser reaching one app server through the TLS-terminating proxy.

    Every request carries the Host, X-Forwarded-Proto and X-Forwarded-For the proxy adds.
    Cookies are kept by hand: the server marks them Secure, and this hop is plain HTTP.
    One client per thread; `on()` gives another thread the same browser.
    """

    base: str
    ip: str = "203.0.113.7"
    cookies: dict[str, str] = field(default_factory=dict)

    @property
    def netloc(self) -> str:
        """The app server's own address, as a load balancer would reach it."""
        return urllib.parse.urlsplit(self.base).netloc

    def on(self, base: str) -> "ProxiedClient":
        """The same browser (same cookies) sent to another app server."""
        return ProxiedClient(base=base, ip=self.ip, cookies=dict(self.cookies))

    def request(
        self,
        method: str,
        path: str,
        *,
        form: dict[str, str] | None = None,
        https: bool = True,
        headers: dict[str, str] | None = None,
    ) -> Response:
        sent = {"Host": HOST, "X-Forwarded-For": self.ip, **(headers or {})}
        if https:
            sent["X-Forwarded-Proto"] = "https"
        body = None
        if form is not None:
            form = {"csrfmiddlewaretoken": self.cookies.get("csrftoken", ""), **form}
            body = urllib.parse.urlencode(form).encode()
            sent["Content-Type"] = "application/x-www-form-urlencoded"
            # HTTPS requests must show where the form came from (CSRF Origin/Referer checks).
            sent.update(Origin=ORIGIN, Referer=ORIGIN + path)
        if self.cookies:
            sent["Cookie"] = "; ".join(f"{k}={v}" for k, v in self.cookies.items())
        conn = http.client.HTTPConnection(self.netloc, timeout=REQUEST_TIMEOUT)
        try:
            conn.request(method, path, body=body, headers=sent)
            raw = conn.getresponse()
            response = Response(raw.status, raw.headers, raw.read())
        finally:
            conn.close()
        self._keep_cookies(response)
        return response

    def _keep_cookies(self, response: Response) -> None:
        for header in response.headers.get_all("Set-Cookie", []):
            for name, morsel in SimpleCookie(header).items():
                if morsel["max-age"] == "0":
                    self.cookies.pop(name, None)
                else:
                    self.cookies[name] = morsel.value

    def get(
        self, path: str, *, https: bool = True, headers: dict[str, str] | None = None
    ) -> Response:
        return self.request("GET", path, https=https, headers=headers)

    def post(self, path: str, form: dict[str, str] | None = None) -> Response:
        return self.request("POST", path, form=form or {})

    def follow(self, response: Response) -> Response:
        """GET the page a redirect points to (a path on the same site)."""
        assert response.status in (301, 302), (response.status, response.text[:500])
        target = urllib.parse.urlsplit(response.location)
        return self.get(target.path + (f"?{target.query}" if target.query else ""))

    def sign_in(self, username: str, password: str) -> Response:
        """Open the login page (for the CSRF cookie), then post the form."""
        page = self.get("/login/")
        assert page.status == 200, page.text[:500]
        assert "csrftoken" in self.cookies, page.headers
        return self.post("/login/", {"username": username, "password": password})


def at_once(*calls: Callable[[], Response]) -> list[Response]:
    """Run the calls in threads released together by a barrier; return their responses."""
    barrier = threading.Barrier(len(calls))
    results: list[Response | BaseException | None] = [None] * len(calls)

    def run(i: int, call: Callable[[], Response]) -> None:
        barrier.wait(timeout=REQUEST_TIMEOUT)
        try:
            results[i] = call()
        except BaseException as exc:  # reported below, in the test's thread
            results[i] = exc

    threads = [threading.Thread(target=run, args=(i, c)) for i, c in enumerate(calls)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join(timeout=2 * REQUEST_TIMEOUT)
    for result in results:
        if not isinstance(result, Response):
            raise AssertionError(f"a concurrent request did not complete: {result!r}")
    return results  # type: ignore[return-value]
