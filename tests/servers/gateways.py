"""Stand-ins for the outside world's servers, on loopback: an SMS gateway and a dead host.

``FakeKavenegar`` speaks Kavenegar's REST API over real HTTP (its request and answer formats,
https://kavenegar.com/rest.html) and records what it received; ``Blackhole`` accepts TCP
connections and never answers, like an SMTP server or a gateway that hangs.
"""

import json
import socket
import threading
from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import dataclass, field
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from typing import Any
from urllib.parse import parse_qs


@dataclass
class FakeKavenegar:
    url: str = ""
    # What it answers: Kavenegar's return status (200 = accepted) and message.
    status: int = 200
    message: str = "تایید شد"
    received: list[dict[str, Any]] = field(default_factory=list)

    def answer(self, path: str, form: dict[str, str]) -> tuple[int, dict[str, Any]]:
        self.received.append({"path": path, **form})
        body: dict[str, Any] = {"return": {"status": self.status, "message": self.message}}
        if self.status == 200:
            body["entries"] = [
                {
                    "messageid": 8792343 + len(self.received),
                    "message": form.get("message", ""),
                    "status": 1,
                    "statustext": "در صف ارسال",
                    "sender": form.get("sender", "10004346"),
                    "receptor": form.get("receptor", ""),
                    "date": 1356619709,
                    "cost": 120,
                }
            ]
        return self.status, body


@contextmanager
def fake_kavenegar() -> Iterator[FakeKavenegar]:
    """A Kavenegar look-alike on a free loopback port; ``.url`` is its API base (…/v1)."""
    gateway = FakeKavenegar()

    class Handler(BaseHTTPRequestHandler):
        def do_POST(self) -> None:
            length = int(self.headers.get("Content-Length") or 0)
            raw = self.rfile.read(length).decode()
            form = {name: values[0] for name, values in parse_qs(raw).items()}
            form["content_type"] = self.headers.get("Content-Type", "")
            status, body = gateway.answer(self.path, form)
            payload = json.dumps(body, ensure_ascii=False).encode()
            self.send_response(status)
            self.send_header("Content-Type", "application/json; charset=utf-8")
            self.send_header("Content-Length", str(len(payload)))
            self.end_headers()
            self.wfile.write(payload)

        def log_message(self, *args: Any) -> None:
            pass

    server = ThreadingHTTPServer(("127.0.0.1", 0), Handler)
    gateway.url = f"http://127.0.0.1:{server.server_address[1]}/v1"
    thread = threading.Thread(target=server.serve_forever, daemon=True)
    thread.start()
    try:
        yield gateway
    finally:
        server.shutdown()
        server.server_close()


@dataclass
class Blackhole:
    port: int = 0
    connections: int = 0


@contextmanager
def blackhole() -> Iterator[Blackhole]:
    """A host that accepts connections and then says nothing, ever."""
    hole = Blackhole()
    listener = socket.socket(socket.AF_INET, socket.SOCK_STREAM)
    listener.bind(("127.0.0.1", 0))
    listener.listen(16)
    listener.settimeout(0.2)
    hole.port = listener.getsockname()[1]
    held: list[socket.socket] = []
    stop = threading.Event()

    def accept() -> None:
        while not stop.is_set():
            try:
                conn, _ = listener.accept()
            except TimeoutError:
                continue
            except OSError:
                return
            hole.connections += 1
            held.append(conn)  # kept open and silent until the end

    thread = threading.Thread(target=accept, daemon=True)
    thread.start()
    try:
        yield hole
    finally:
        stop.set()
        thread.join(timeout=2)
        for conn in held:
            conn.close()
        listener.close()
