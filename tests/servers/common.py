"""What the throwaway test servers share: a scratch folder, and serving by hand."""

import shutil
import tempfile
import time
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path


@contextmanager
def scratch_dir(prefix: str) -> Iterator[Path]:
    """A temporary folder for one server's files, removed with everything in it after."""
    workdir = Path(tempfile.mkdtemp(prefix=prefix))
    try:
        yield workdir
    finally:
        shutil.rmtree(workdir, ignore_errors=True)


def serve_until_interrupted(settings: str) -> int:
    """Print the settings to use the running server, then wait for Ctrl-C."""
    print(settings, flush=True)
    try:
        while True:
            time.sleep(3600)
    except KeyboardInterrupt:
        return 0
