"""`make loadtest SIZE=100k`: locust, headless and bounded, against gunicorn with the
production settings on a seeded PostgreSQL; requests/s, p50/p95/p99 and errors at 10, 50
and 100 users, and where the time goes (py-spy samples of the gunicorn workers).

    python -m benchmarks.load --database-url URL [--users 10,50,100] [--seconds 60]
                              [--workers 4] [--profile-at 50]

Without ``--database-url`` a throwaway PostgreSQL is started and seeded with ``--size``
requests first (as `make bench`). Writes ``benchmarks/results/load-<size>.md`` and ``.json``.
"""

import argparse
import csv
import json
import os
import secrets
import signal
import socket
import subprocess
import sys
import tempfile
import time
import urllib.request
from collections import Counter
from pathlib import Path
from typing import Any

ROOT = Path(__file__).resolve().parents[1]
BIN = ROOT / ".venv" / "bin"
HOST = "tasvieh.example.ac.ir"


def main(argv: list[str]) -> int:
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument("--size", default="100k")
    parser.add_argument("--database-url", default=os.environ.get("BENCH_DATABASE_URL", ""))
    parser.add_argument("--users", default="10,50,100")
    parser.add_argument("--seconds", type=int, default=60)
    parser.add_argument("--workers", type=int, default=4)
    parser.add_argument("--profile-at", type=int, default=50, help="users; 0: no profile")
    args = parser.parse_args(argv)
    sys.path.insert(0, str(ROOT))
    if args.database_url:
        return run(args, args.database_url)
    from tests.servers.common import scratch_dir
    from tests.servers.postgres import start_server

    with scratch_dir("tasvieh-load-") as workdir:
        os.chmod(workdir, 0o755)
        server, url = start_server(workdir)
        try:
            seeded = subprocess.call(
                [sys.executable, "-m", "benchmarks.run", "--size", args.size, "--seed-only",
                 "--database-url", url]
            )  # fmt: skip
            return seeded or run(args, url)
        finally:
            server.cleanup()


def run(args: argparse.Namespace, database_url: str) -> int:
    os.environ["DATABASE_URL"] = database_url
    os.environ.setdefault("DJANGO_SETTINGS_MODULE", "clearance.settings")
    import django

    django.setup()
    from benchmarks.run import vacuum

    vacuum()  # as autovacuum keeps a real database (an earlier run's writes)
    scratch = Path(tempfile.mkdtemp(prefix="tasvieh-loadrun-"))
    accounts = scratch / "accounts.json"
    signing_in = load_accounts()
    accounts.write_text(json.dumps(signing_in), encoding="utf-8")
    quick_passwords([*signing_in["students"], *signing_in["experts"]])
    approved_before = approvals()
    server, base = start_gunicorn(database_url, scratch, args.workers)
    result: dict[str, Any] = {"size": args.size, "workers": args.workers, "runs": []}
    try:
        for users in [int(n) for n in args.users.split(",")]:
            print(f"[load] {users} users for {args.seconds} s …", flush=True)
            profile = users == args.profile_at
            result["runs"].append(
                locust(base, users, args.seconds, scratch, accounts, server if profile else None)
            )
    finally:
        server.send_signal(signal.SIGTERM)
        server.wait(timeout=30)
    result["approved"] = approvals() - approved_before
    result["approved_twice"] = approved_twice()
    write(result)
    return 0


def load_accounts() -> dict[str, Any]:
    """Students who have a request, and every expert of a university office and of the
    education office (shared by roles: several experts work one queue)."""
    from accounts.models import Role
    from clearance.demo import DEMO_PASSWORD
    from clearance.models import ClearanceRequest

    students = list(
        ClearanceRequest.objects.filter(student__username__startswith="student")
        .order_by("?")
        .values_list("student__username", flat=True)[:2000]
    )
    offices = ["education", "council", "nutrition", "dormitory", "it", "loan_fund", "welfare"]
    experts = sorted(
        set(
            Role.objects.exclude(user__username__startswith="bench")
            .filter(office__code__in=offices)
            .values_list("user__username", flat=True)
        )
    )
    return {"host": HOST, "password": DEMO_PASSWORD, "students": students, "experts": experts}


def quick_passwords(usernames: list[str]) -> None:
    """The seeding's cheap hash again for these accounts (an earlier run without
    benchmarks/settings.py may have re-hashed them at production rounds)."""
    from django.contrib.auth.hashers import make_password

    from accounts.models import User
    from benchmarks.hashers import QuickPBKDF2Hasher
    from clearance.demo import DEMO_PASSWORD

    encoded = make_password(DEMO_PASSWORD, hasher=QuickPBKDF2Hasher())
    User.objects.filter(username__in=usernames).update(password=encoded)


def approvals() -> int:
    from clearance.models import Event

    return Event.objects.filter(kind=Event.Kind.APPROVED).count()


def approved_twice() -> int:
    """Tasks with more than one approval (there must be none)."""
    from django.db.models import Count

    from clearance.models import Event

    return (
        Event.objects.filter(kind=Event.Kind.APPROVED, task_id__isnull=False)
        .values("task_id")
        .annotate(n=Count("*"))
        .filter(n__gt=1)
        .count()
    )


def free_port() -> int:
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        return int(probe.getsockname()[1])


def start_gunicorn(database_url: str, scratch: Path, workers: int) -> tuple[Any, str]:
    """gunicorn as docs/deploy.md runs it: production settings, collected static files."""
    env = {
        "PATH": os.environ["PATH"],
        "HOME": os.environ.get("HOME", str(ROOT)),
        "LANG": "C.UTF-8",
        "DATABASE_URL": database_url,
        "DJANGO_SETTINGS_MODULE": "benchmarks.settings",
        "TASVIEH_SECRET_KEY": secrets.token_urlsafe(50),
        "TASVIEH_HTTPS": "1",
        "TASVIEH_BEHIND_PROXY": "1",
        "TASVIEH_COLLECTED_STATIC": "1",
        "TASVIEH_STATIC_ROOT": str(scratch / "static"),
        "TASVIEH_ALLOWED_HOSTS": HOST,
        "TASVIEH_CSRF_TRUSTED_ORIGINS": f"https://{HOST}",
        "TASVIEH_MEDIA_ROOT": str(scratch / "media"),
    }
    subprocess.run(
        [str(BIN / "python"), "manage.py", "collectstatic", "--noinput", "-v0"],
        cwd=ROOT, env=env, check=True, timeout=900,
    )  # fmt: skip
    bind = f"127.0.0.1:{free_port()}"
    log = (scratch / "gunicorn.log").open("wb")
    server = subprocess.Popen(
        [str(BIN / "gunicorn"), "clearance.wsgi", "--workers", str(workers), "--bind", bind],
        cwd=ROOT, env=env, stdout=log, stderr=subprocess.STDOUT, start_new_session=True,
    )  # fmt: skip
    base = f"http://{bind}"
    for _ in range(200):
        try:
            urllib.request.urlopen(f"{base}/healthz", timeout=2).read()
            return server, base
        except OSError:
            time.sleep(0.2)
    raise SystemExit(f"gunicorn did not start: {(scratch / 'gunicorn.log').read_text()}")


def locust(
    base: str, users: int, seconds: int, scratch: Path, accounts: Path, profile: Any
) -> dict[str, Any]:
    prefix = scratch / f"u{users}"
    env = {**os.environ, "TASVIEH_LOAD_ACCOUNTS": str(accounts)}
    load_before = uptime()
    command = [
        str(BIN / "locust"), "-f", str(ROOT / "benchmarks" / "locustfile.py"), "--headless",
        "-u", str(users), "-r", str(max(users // 5, 1)), "--run-time", f"{seconds}s",
        "--host", base, "--csv", str(prefix), "--only-summary", "--loglevel", "WARNING",
    ]  # fmt: skip
    runner = subprocess.Popen(command, cwd=ROOT, env=env)
    samples = sample_workers(profile, seconds) if profile is not None else None
    runner.wait(timeout=seconds + 120)
    rows = list(csv.DictReader((prefix.parent / f"{prefix.name}_stats.csv").open()))
    total = next(r for r in rows if r["Name"] == "Aggregated")
    run = {
        "users": users,
        "seconds": seconds,
        "requests": int(total["Request Count"]),
        "failures": int(total["Failure Count"]),
        "rps": round(float(total["Requests/s"]), 1),
        "p50": int(float(total["50%"])),
        "p95": int(float(total["95%"])),
        "p99": int(float(total["99%"])),
        "load_before": load_before,
        "load_after": uptime(),
        "pages": [_page(r) for r in rows if r["Name"] != "Aggregated"],
    }
    failures = prefix.parent / f"{prefix.name}_failures.csv"
    if failures.exists():
        run["failure_kinds"] = [dict(r) for r in csv.DictReader(failures.open())][:10]
    if samples is not None:
        run["profile"] = samples
    return run


def _page(row: dict[str, str]) -> dict[str, Any]:
    return {
        "name": row["Name"],
        "requests": int(row["Request Count"]),
        "p50": int(float(row["50%"])),
        "p95": int(float(row["95%"])),
        "failures": int(row["Failure Count"]),
    }


def sample_workers(server: Any, seconds: int) -> dict[str, Any]:
    """py-spy samples of every gunicorn worker while the load runs: where the time goes."""
    time.sleep(min(10, seconds // 4))  # past the ramp-up
    workers = subprocess.run(
        ["pgrep", "-P", str(server.pid)], capture_output=True, text=True, check=False
    ).stdout.split()
    duration = max(seconds // 2, 5)
    outputs = []
    spies = []
    for pid in workers:
        out = Path(tempfile.mkstemp(suffix=".txt")[1])
        outputs.append(out)
        spies.append(subprocess.Popen(
            [str(BIN / "py-spy"), "record", "--pid", pid, "--duration", str(duration),
             "--format", "raw", "--output", str(out), "--nonblocking", "--rate", "50"],
            stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL,
        ))  # fmt: skip
    for spy in spies:
        spy.wait(timeout=duration + 60)
    return summarize([line for out in outputs for line in out.read_text().splitlines()])


# Where a sample's time goes, by the first frame of the stack that matches (inner first).
BUCKETS = [
    ("waiting for PostgreSQL", ("psycopg2", "execute (django/db/backends")),
    ("building SQL (Django ORM)", ("django/db/models/sql",)),
    ("rendering templates", ("django/template",)),
    ("reading rows into objects", ("django/db/models/query.py", "django/db/models/base.py")),
    ("Jalali dates and Persian digits", ("jdatetime", "persian/")),
    ("password hashing (sign-in)", ("hashers",)),
    ("gunicorn waiting for requests", ("gunicorn/workers/sync.py",)),
]


def summarize(lines: list[str]) -> dict[str, Any]:
    """py-spy's raw format: 'frame;frame;… count' per distinct stack."""
    buckets: Counter[str] = Counter()
    total = 0
    for line in lines:
        stack, _, count = line.rpartition(" ")
        if not count.isdigit():
            continue
        n = int(count)
        total += n
        frames = stack.split(";")
        for label, needles in BUCKETS:
            if any(needle in frame for frame in reversed(frames) for needle in needles):
                buckets[label] += n
                break
        else:
            buckets["other Python (views, middleware, Django's handler)"] += n
    return {
        "samples": total,
        "shares": {k: round(100 * v / total, 1) for k, v in buckets.most_common()} if total else {},
    }


def uptime() -> str:
    return subprocess.run(["uptime"], capture_output=True, text=True, check=False).stdout.strip()


def write(result: dict[str, Any]) -> None:
    results = ROOT / "benchmarks" / "results"
    results.mkdir(exist_ok=True)
    name = f"load-{result['size']}"
    (results / f"{name}.json").write_text(json.dumps(result, ensure_ascii=False, indent=2) + "\n")
    lines = [
        f"# Load test at {result['size']} requests",
        "",
        f"gunicorn, {result['workers']} sync workers, production settings behind a simulated "
        "TLS proxy; locust on the same 2-core machine (it takes CPU too). Students (3 of 5 "
        "users) follow their requests; experts (2 of 5) open their queue and approve tasks "
        f"for real. {result['approved']} approvals in all; tasks approved twice: "
        f"{result['approved_twice']}.",
        "",
        "| users | requests/s | p50 ms | p95 ms | p99 ms | requests | errors | load |",
        "|---|---|---|---|---|---|---|---|",
    ]
    for run in result["runs"]:
        lines.append(
            f"| {run['users']} | {run['rps']} | {run['p50']} | {run['p95']} | {run['p99']} | "
            f"{run['requests']} | {run['failures']} | `{run['load_before'].split('average: ')[-1]}`"
            f" → `{run['load_after'].split('average: ')[-1]}` |"
        )
    for run in result["runs"]:
        lines += ["", f"## {run['users']} users, per page", ""]
        lines += ["| page | requests | p50 | p95 | errors |"]
        lines += ["|---|---|---|---|---|"]
        lines += [
            f"| {p['name']} | {p['requests']} | {p['p50']} | {p['p95']} | {p['failures']} |"
            for p in run["pages"]
        ]
        if run.get("profile"):
            samples = run["profile"]["samples"]
            lines += ["", f"Where the workers' time went ({samples} samples):", ""]
            lines += [f"- {k}: {v} %" for k, v in run["profile"]["shares"].items()]
    (results / f"{name}.md").write_text("\n".join(lines) + "\n")
    print(f"[load] wrote benchmarks/results/{name}.md and .json", flush=True)


if __name__ == "__main__":
    sys.exit(main(sys.argv[1:]))
