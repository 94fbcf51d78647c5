"""`make bench SIZE=10k`: seed PostgreSQL, measure every page, write the results.

    python -m benchmarks.run --size 10k [--runs 25] [--database-url URL] [--keep-seeded]

Without ``--database-url`` a throwaway PostgreSQL is started in a scratch folder under /tmp
and removed afterwards. The results go to ``benchmarks/results/<size>.md`` and ``.json``.
"""

import argparse
import json
import os
import subprocess
import sys
import time
from pathlib import Path
from typing import Any

ROOT = Path(__file__).resolve().parents[1]
RESULTS = ROOT / "benchmarks" / "results"
SIZES = {"tiny": 200, "1k": 1_000, "10k": 10_000, "100k": 100_000}


def main(argv: list[str]) -> int:
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument("--size", choices=SIZES, default="10k")
    parser.add_argument("--runs", type=int, default=25)
    parser.add_argument("--database-url", default=os.environ.get("BENCH_DATABASE_URL", ""))
    parser.add_argument(
        "--seed-only", action="store_true", help="seed --database-url and stop (for locust)"
    )
    args = parser.parse_args(argv)
    sys.path.insert(0, str(ROOT))
    if args.database_url:
        os.environ["DATABASE_URL"] = args.database_url
        return measure(args.size, args.runs, seed_only=args.seed_only)
    from tests.servers.common import scratch_dir
    from tests.servers.postgres import start_server

    with scratch_dir("tasvieh-bench-") as workdir:
        os.chmod(workdir, 0o755)
        server, url = start_server(workdir)
        try:
            print(f"[bench] throwaway PostgreSQL in {workdir}", flush=True)
            os.environ["DATABASE_URL"] = url
            return measure(args.size, args.runs)
        finally:
            server.cleanup()


def measure(size_name: str, runs: int, *, seed_only: bool = False) -> int:
    os.environ.setdefault("DJANGO_SETTINGS_MODULE", "clearance.settings")
    os.environ.setdefault("TASVIEH_AXES_ENABLED", "0")
    import django

    django.setup()
    from django.conf import settings
    from django.core.management import call_command
    from django.core.signals import request_finished, request_started
    from django.db import close_old_connections

    from benchmarks import pages, plans
    from benchmarks.seed import seed

    # Students and experts sign in with a cheap hash of the demo password (still PBKDF2,
    # which production verifies); the pages below use force_login.
    settings.PASSWORD_HASHERS = ["benchmarks.hashers.QuickPBKDF2Hasher"]
    # One connection for the whole run, as a long-lived app server keeps it.
    request_started.disconnect(close_old_connections)
    request_finished.disconnect(close_old_connections)
    call_command("migrate", verbosity=0)
    from clearance.models import ClearanceRequest

    seeded = time.perf_counter()
    if not ClearanceRequest.objects.exists():
        print(f"[bench] seeding {size_name} requests …", flush=True)
        seed(SIZES[size_name])
    seed_seconds = round(time.perf_counter() - seeded, 1)
    print(f"[bench] seeded in {seed_seconds} s", flush=True)
    vacuum()  # also after an earlier run's writes (a load test's approvals)
    if seed_only:
        return 0
    print(f"[bench] measuring ({runs} runs each) …", flush=True)

    result: dict[str, Any] = {"size": size_name, "runs": runs, "seed_seconds": seed_seconds}
    result["load_before"] = uptime()
    result["counts"] = table_counts()
    office, result["list_sizes"] = pages.office_pages(runs)
    result["pages"] = [
        f.as_dict() for f in pages.student_pages(runs) + office + pages.reports(runs)
    ]
    comparison, same = pages.queue_comparison(runs)
    result["comparison"] = {name: f.as_dict() for name, f in comparison.items()}
    result["stock_queue_same_rows"] = bool(same)
    result["exports"] = pages.exports(max(5, runs // 4))
    result["plans"] = plans.explain_all()
    result["actions"] = [f.as_dict() for f in pages.actions(runs)]
    result["load_after"] = uptime()
    write(result)
    return 0


def vacuum() -> None:
    """What autovacuum does to a real database: statistics and the visibility map."""
    from django.db import connection

    with connection.cursor() as cursor:
        cursor.execute("VACUUM (ANALYZE)")


def table_counts() -> dict[str, int]:
    from django.db import connection

    tables = [
        "clearance_clearancerequest",
        "viewflow_process",
        "viewflow_task",
        "clearance_event",
        "clearance_comment",
        "clearance_notification",
    ]
    counts = {}
    with connection.cursor() as cursor:
        for table in tables:
            cursor.execute(f"SELECT count(*) FROM {table}")
            counts[table] = cursor.fetchone()[0]
    return counts


def uptime() -> str:
    return subprocess.run(["uptime"], capture_output=True, text=True, check=False).stdout.strip()


def write(result: dict[str, Any]) -> None:
    RESULTS.mkdir(exist_ok=True)
    name = result["size"]
    (RESULTS / f"{name}.json").write_text(json.dumps(result, ensure_ascii=False, indent=2) + "\n")
    (RESULTS / f"{name}.md").write_text(markdown(result))
    print(f"[bench] wrote benchmarks/results/{name}.md and .json", flush=True)


def markdown(result: dict[str, Any]) -> str:
    lines = [
        f"# Benchmark at {result['size']} requests",
        "",
        f"Medians of {result['runs']} runs after 3 warm-up runs, server time through Django's "
        "test client (the view, the template, every query), one connection as an app server "
        "keeps it. Queries: every statement sent, BEGIN and COMMIT included.",
        "",
        f"- load before: `{result['load_before']}`",
        f"- load after: `{result['load_after']}`",
        f"- seeded in {result['seed_seconds']} s: "
        + ", ".join(f"{k} {v:,}" for k, v in result["counts"].items()),
        "- list sizes: " + ", ".join(f"{k} {v:,}" for k, v in result["list_sizes"].items()),
        "",
        "| page | median ms | p90 ms | queries | note |",
        "|---|---|---|---|---|",
    ]
    for row in result["pages"] + result["actions"]:
        lines.append(
            f"| {row['name']} | {row['median_ms']} | {row['p90_ms']} | {row['queries']} | "
            f"{row['note']} |"
        )
    lines += ["", "## CSV exports", "", "| export | median ms | size | peak memory |"]
    lines += ["|---|---|---|---|"]
    for row in result["exports"]:
        lines.append(
            f"| {row['name']} | {row['median_ms']} | {row['bytes']:,} B | {row['peak_mb']} MB |"
        )
    ours = result["comparison"]["our queue"]["median_ms"]
    lines += [
        "",
        "## Our queue against viewflow's and hand-written SQL (nutrition, first 25 and count)",
        "",
        "Interleaved call by call. "
        + (
            "Same rows in all three."
            if result["stock_queue_same_rows"]
            else "viewflow's queue also lists unclaimed tasks of requests that are not in progress."
        ),
        "",
        "| query | median ms | queries | ratio to ours |",
        "|---|---|---|---|",
    ]
    for name, row in result["comparison"].items():
        ratio = row["median_ms"] / ours if ours else 0
        lines.append(f"| {name} | {row['median_ms']} | {row['queries']} | {ratio:.2f} |")
    lines += ["", "## Plans", ""]
    for name, plan in result["plans"].items():
        lines += [f"### {name}", "", "```", plan.rstrip(), "```", ""]
    return "\n".join(lines) + "\n"


if __name__ == "__main__":
    sys.exit(main(sys.argv[1:]))
