"""A throwaway Samba Active Directory domain controller on loopback (DESIGN.md §7).

Samba listens on the fixed LDAP ports of 127.0.0.1 (389, 636), so one machine runs one
at a time: ``start()`` waits on a lock file while another test run holds it, rather than
failing on a busy port.

    python -m tests.servers.samba   # provision, start, print TASVIEH_LDAP_*, wait for Ctrl-C
"""

import base64
import contextlib
import fcntl
import os
import shutil
import signal
import socket
import subprocess
import sys
import tempfile
import time
from collections.abc import Iterable, Iterator
from contextlib import contextmanager
from pathlib import Path
from typing import IO

from tests.servers.common import scratch_dir, serve_until_interrupted

REALM = "EXAMPLE.AC.IR"
DOMAIN = "EXAMPLE"
UPN_DOMAIN = REALM.lower()
BASE_DN = "DC=example,DC=ac,DC=ir"
USERS_DN = f"CN=Users,{BASE_DN}"
ADMIN_PASSWORD = "Tasvieh-Adm1n!2024"
ADMIN_UPN = f"administrator@{UPN_DOMAIN}"
URI = "ldap://127.0.0.1"
PORTS = (389, 636)
LOCK_FILE = Path(tempfile.gettempdir()) / "tasvieh-samba-dc.lock"

SAMBA = shutil.which("samba") or "/usr/sbin/samba"
SAMBA_TOOL = shutil.which("samba-tool") or "/usr/bin/samba-tool"


class SambaDC:
    """One provisioned domain, EXAMPLE.AC.IR, served by ``samba -i`` from a temporary folder."""

    def __init__(self, workdir: Path) -> None:
        self.workdir = workdir
        self.conf = workdir / "etc" / "smb.conf"
        self.sam = workdir / "private" / "sam.ldb"
        self.process: subprocess.Popen[bytes] | None = None
        self._lock: IO[str] | None = None

    def provision(self) -> None:
        """Create the domain (~3 s); only LDAP, CLDAP, Kerberos and RPC will run."""
        options = {
            "interfaces": "lo",
            "bind interfaces only": "yes",
            # Keep everything (pid, sockets, logs) inside the throwaway folder.
            "pid directory": str(self.workdir / "run"),
            "ncalrpc dir": str(self.workdir / "ncalrpc"),
            "log file": str(self.workdir / "log.%m"),
            # LDAP is all Tasvieh uses. No rpc: its endpoints on 4915x cannot rebind while
            # the last run's connections sit in TIME_WAIT. No kdc (port 88): not needed.
            "server services": "ldap, cldap",
        }
        subprocess.run(
            [
                SAMBA_TOOL, "domain", "provision", "--use-rfc2307", f"--realm={REALM}",
                f"--domain={DOMAIN}", "--server-role=dc", "--dns-backend=NONE",
                f"--adminpass={ADMIN_PASSWORD}", f"--targetdir={self.workdir}",
                "--host-ip=127.0.0.1",
                *(f"--option={name}={value}" for name, value in options.items()),
            ],
            check=True,
            capture_output=True,
        )  # fmt: skip
        conf = self.conf.read_text()
        # Plain (non-TLS) simple binds, as the tests and many university set-ups use them.
        conf = conf.replace("[global]\n", "[global]\n\tldap server require strong auth = no\n", 1)
        self.conf.write_text(conf)
        for folder in ("cache", "run"):
            (self.workdir / folder).mkdir(exist_ok=True)

    def start(self, timeout: float = 60) -> None:
        """Take the machine-wide lock, start samba and wait until LDAP answers."""
        self._lock = _acquire(LOCK_FILE, timeout=300)
        busy = [port for port in PORTS if _listening(port)]
        if busy:
            self._release()
            raise RuntimeError(f"ports {busy} of 127.0.0.1 are taken: is another samba running?")
        self.process = subprocess.Popen(
            # One process (starts in ~1 s, nothing left behind); own process group for stop().
            [SAMBA, "-i", "-M", "single", "-s", str(self.conf)],
            # samba -i stops when its stdin closes: keep a pipe open for its lifetime.
            stdin=subprocess.PIPE,
            stdout=(self.workdir / "samba.log").open("ab"),
            stderr=subprocess.STDOUT,
            start_new_session=True,
        )
        deadline = time.monotonic() + timeout
        while time.monotonic() < deadline:
            if self.process.poll() is not None:
                self._release()
                log = (self.workdir / "samba.log").read_text(errors="replace")[-3000:]
                raise RuntimeError(f"samba exited with {self.process.returncode}:\n{log}")
            if self._answers():
                return
            time.sleep(0.2)
        self.stop()
        raise RuntimeError(f"samba did not answer LDAP within {timeout} s")

    def stop(self) -> None:
        if self.process is not None:
            if self.process.poll() is None:
                self.process.terminate()
                try:
                    self.process.wait(timeout=10)
                except subprocess.TimeoutExpired:
                    self.process.kill()
                    self.process.wait()
            with contextlib.suppress(ProcessLookupError):  # any helper it left running
                os.killpg(self.process.pid, signal.SIGKILL)
            if self.process.stdin:
                self.process.stdin.close()
            self.process = None
        self._release()

    def _release(self) -> None:
        if self._lock is not None:
            fcntl.flock(self._lock, fcntl.LOCK_UN)
            self._lock.close()
            self._lock = None

    def _answers(self) -> bool:
        result = subprocess.run(
            ["ldapsearch", "-x", "-LLL", "-H", URI, "-D", ADMIN_UPN, "-w", ADMIN_PASSWORD,
             "-b", BASE_DN, "-s", "base", "dn"],
            capture_output=True,
        )  # fmt: skip
        return result.returncode == 0

    # --- the domain's content, through samba-tool on the database itself (fast, no auth) ---

    def tool(self, *args: str) -> str:
        result = subprocess.run(
            [SAMBA_TOOL, *args, "-H", str(self.sam)], capture_output=True, text=True
        )
        if result.returncode != 0:
            raise RuntimeError(f"samba-tool {' '.join(args)} failed:\n{result.stderr}")
        return result.stdout

    def add_user(
        self,
        username: str,
        password: str,
        *,
        first_name: str = "Test",
        last_name: str = "User",
        email: str = "",
        groups: Iterable[str] = (),
    ) -> None:
        args = ["user", "create", username, password,
                f"--given-name={first_name}", f"--surname={last_name}"]  # fmt: skip
        if email:
            args.append(f"--mail-address={email}")
        self.tool(*args)
        for group in groups:
            self.add_members(group, [username])

    def add_group(self, name: str, members: Iterable[str] = ()) -> str:
        """Add a global security group under CN=Users; return its DN."""
        self.tool("group", "add", name)
        if members:
            self.add_members(name, members)
        return f"CN={name},{USERS_DN}"

    def add_members(self, group: str, members: Iterable[str]) -> None:
        self.tool("group", "addmembers", group, ",".join(members))

    def remove_members(self, group: str, members: Iterable[str]) -> None:
        self.tool("group", "removemembers", group, ",".join(members))

    def disable(self, username: str) -> None:
        self.tool("user", "disable", username)

    def expire(self, username: str) -> None:
        self.tool("user", "setexpiry", username, "--days=0")

    def modify(self, ldif: str) -> None:
        """Apply LDIF over LDAP as the domain administrator (attributes samba-tool lacks)."""
        subprocess.run(
            ["ldapmodify", "-x", "-H", URI, "-D", ADMIN_UPN, "-w", ADMIN_PASSWORD],
            input=ldif.encode(),
            check=True,
            capture_output=True,
        )

    def dn_of(self, username: str) -> str:
        result = subprocess.run(
            ["ldapsearch", "-x", "-LLL", "-o", "ldif-wrap=no", "-H", URI, "-D", ADMIN_UPN,
             "-w", ADMIN_PASSWORD, "-b", BASE_DN, f"(sAMAccountName={username})", "dn"],
            capture_output=True, text=True, check=True,
        )  # fmt: skip
        for line in result.stdout.splitlines():
            if line.startswith("dn: "):
                return line[4:]
            if line.startswith("dn:: "):  # not ASCII (a Persian name): base64
                return base64.b64decode(line[5:]).decode()
        raise LookupError(username)


def _listening(port: int) -> bool:
    with socket.socket() as sock:
        sock.settimeout(0.5)
        return sock.connect_ex(("127.0.0.1", port)) == 0


def _acquire(path: Path, *, timeout: float) -> IO[str]:
    handle = path.open("a")
    deadline = time.monotonic() + timeout
    while True:
        try:
            fcntl.flock(handle, fcntl.LOCK_EX | fcntl.LOCK_NB)
            return handle
        except BlockingIOError:
            if time.monotonic() > deadline:
                handle.close()
                raise RuntimeError(f"another test run holds {path} for too long") from None
            time.sleep(0.5)


@contextmanager
def running_samba() -> Iterator[SambaDC]:
    """Provision and start a domain controller; stop it and remove its folder after."""
    with scratch_dir("tasvieh-samba-") as workdir:
        server = SambaDC(workdir)
        try:
            server.provision()
            server.start()
            yield server
        finally:
            server.stop()


def main() -> int:
    """Run a sample domain until Ctrl-C, for trying the sign-in by hand."""
    with running_samba() as dc:
        dc.add_group("Tasvieh-Education-Medicine")
        dc.add_user("sara", "Sara-Pass!2024", first_name="Sara", last_name="Ahmadi")
        dc.add_user("reza", "Reza-Pass!2024", first_name="Reza", last_name="Karimi",
                    groups=["Tasvieh-Education-Medicine"])  # fmt: skip
        return serve_until_interrupted(
            f"TASVIEH_LDAP_SERVER_URI={URI}\n"
            f"TASVIEH_LDAP_UPN_DOMAIN={UPN_DOMAIN}\n"
            f"TASVIEH_LDAP_USER_SEARCH_BASE={BASE_DN}\n"
            f"TASVIEH_LDAP_ROLE_MAP='CN=Tasvieh-Education-Medicine,{USERS_DN}=education:medicine'\n"
            "# users: sara / Sara-Pass!2024 (student), reza / Reza-Pass!2024 (education, medicine)"
        )


if __name__ == "__main__":
    sys.exit(main())
