"""A throwaway OpenLDAP server on loopback that looks enough like Active Directory.

Users carry ``sAMAccountName``, ``userPrincipalName`` and ``userAccountControl`` (the
real AD attribute OIDs), groups are ``groupOfNames`` and the memberof overlay keeps
``memberOf`` on users, so Tasvieh's default AD search filter works unchanged.

    python -m tests.servers.slapd   # start one with sample people, print TASVIEH_LDAP_* to try
"""

import base64
import os
import shutil
import signal
import socket
import subprocess
import sys
import time
from collections.abc import Iterable, Iterator
from contextlib import contextmanager
from pathlib import Path

from tests.servers.common import scratch_dir, serve_until_interrupted

BASE_DN = "dc=example,dc=ac,dc=ir"
ADMIN_DN = f"cn=admin,{BASE_DN}"
ADMIN_PASSWORD = "slapd-admin-secret"
SERVICE_DN = f"cn=tasvieh,ou=services,{BASE_DN}"
SERVICE_PASSWORD = "tasvieh-service-secret"
PEOPLE_DN = f"ou=people,{BASE_DN}"
GROUPS_DN = f"ou=groups,{BASE_DN}"
UPN_DOMAIN = "example.ac.ir"

# userAccountControl flags, as in AD.
NORMAL_ACCOUNT = 0x200
ACCOUNT_DISABLE = 0x2

SLAPD = shutil.which("slapd") or "/usr/sbin/slapd"

# Real AD OIDs, so filters written for AD (including the bitwise
# 1.2.840.113556.1.4.803 rule on userAccountControl) mean the same here.
SCHEMA = """
attributetype ( 1.2.840.113556.1.4.221 NAME 'sAMAccountName'
    EQUALITY caseIgnoreMatch SUBSTR caseIgnoreSubstringsMatch
    SYNTAX 1.3.6.1.4.1.1466.115.121.1.15{256} SINGLE-VALUE )
attributetype ( 1.2.840.113556.1.4.656 NAME 'userPrincipalName'
    EQUALITY caseIgnoreMatch SUBSTR caseIgnoreSubstringsMatch
    SYNTAX 1.3.6.1.4.1.1466.115.121.1.15{1024} SINGLE-VALUE )
attributetype ( 1.2.840.113556.1.4.8 NAME 'userAccountControl'
    EQUALITY integerMatch SYNTAX 1.3.6.1.4.1.1466.115.121.1.27 SINGLE-VALUE )
attributetype ( 1.2.840.113556.1.4.35 NAME 'employeeID'
    EQUALITY caseIgnoreMatch SYNTAX 1.3.6.1.4.1.1466.115.121.1.15{16} SINGLE-VALUE )
objectclass ( 1.2.840.113556.1.5.9 NAME 'user' AUXILIARY
    MUST sAMAccountName
    MAY ( userPrincipalName $ userAccountControl $ employeeID ) )
"""

CONFIG = """
include /etc/ldap/schema/core.schema
include /etc/ldap/schema/cosine.schema
include /etc/ldap/schema/inetorgperson.schema
include {workdir}/ad.schema
modulepath /usr/lib/ldap
moduleload back_mdb
moduleload memberof
pidfile {workdir}/slapd.pid
argsfile {workdir}/slapd.args
{tls}
database mdb
suffix "{base}"
rootdn "{admin}"
rootpw {admin_password}
directory {workdir}/data
maxsize 16777216
# Like AD: people bind, only signed-in accounts read the directory.
access to attrs=userPassword
    by anonymous auth
    by * none
access to *
    by users read
    by anonymous auth
overlay memberof
"""


def free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return int(sock.getsockname()[1])


class Slapd:
    """One slapd process listening on 127.0.0.1 (plain LDAP, plus LDAPS when given a cert)."""

    def __init__(self, workdir: Path, *, tls: "TLSFiles | None" = None) -> None:
        self.workdir = workdir
        self.tls = tls
        self.port = free_port()
        self.tls_port = free_port() if tls else None
        self.process: subprocess.Popen[bytes] | None = None
        (workdir / "data").mkdir(parents=True, exist_ok=True)
        (workdir / "ad.schema").write_text(SCHEMA)
        tls_lines = ""
        if tls:
            tls_lines = (
                f"TLSCACertificateFile {tls.ca}\n"
                f"TLSCertificateFile {tls.cert}\n"
                f"TLSCertificateKeyFile {tls.key}\n"
            )
        (workdir / "slapd.conf").write_text(
            CONFIG.format(
                workdir=workdir,
                tls=tls_lines,
                base=BASE_DN,
                admin=ADMIN_DN,
                admin_password=ADMIN_PASSWORD,
            )
        )

    @property
    def uri(self) -> str:
        return f"ldap://127.0.0.1:{self.port}"

    @property
    def ldaps_uri(self) -> str:
        assert self.tls_port, "this server was started without TLS"
        return f"ldaps://127.0.0.1:{self.tls_port}"

    def start(self) -> None:
        """Start slapd in the foreground (``-d 0``) and wait until it answers."""
        urls = f"{self.uri}/"
        if self.tls_port:
            urls += f" {self.ldaps_uri}/"
        self.process = subprocess.Popen(
            [SLAPD, "-f", str(self.workdir / "slapd.conf"), "-h", urls, "-d", "0"],
            stdout=subprocess.DEVNULL,
            stderr=(self.workdir / "slapd.log").open("ab"),
        )
        deadline = time.monotonic() + 10
        while time.monotonic() < deadline:
            if self.process.poll() is not None:
                log = (self.workdir / "slapd.log").read_text(errors="replace")
                raise RuntimeError(f"slapd exited with {self.process.returncode}:\n{log}")
            with socket.socket() as sock:
                if sock.connect_ex(("127.0.0.1", self.port)) == 0:
                    return
            time.sleep(0.02)
        self.stop()
        raise RuntimeError("slapd did not start listening within 10 s")

    def stop(self) -> None:
        """Stop slapd (the data stays, so ``start()`` brings the same directory back)."""
        if self.process is None:
            return
        if self.process.poll() is None:
            self.process.send_signal(signal.SIGCONT)  # a paused slapd cannot handle TERM
            self.process.terminate()
            try:
                self.process.wait(timeout=5)
            except subprocess.TimeoutExpired:
                self.process.kill()
                self.process.wait()
        self.process = None

    @contextmanager
    def paused(self) -> Iterator[None]:
        """Freeze slapd: the kernel still accepts connections but nobody ever answers."""
        assert self.process is not None
        self.process.send_signal(signal.SIGSTOP)
        try:
            yield
        finally:
            if self.process is not None:
                self.process.send_signal(signal.SIGCONT)

    def ldif(self, text: str) -> None:
        """Apply LDIF changes (``changetype: add/modify/delete``) as the directory admin."""
        subprocess.run(
            ["ldapmodify", "-x", "-H", self.uri, "-D", ADMIN_DN, "-w", ADMIN_PASSWORD],
            input=text.encode(),
            check=True,
            capture_output=True,
        )

    def seed(self) -> None:
        """Create the containers and Tasvieh's service account."""
        self.ldif(
            f"dn: {BASE_DN}\nchangetype: add\nobjectClass: dcObject\nobjectClass: organization\n"
            f"dc: example\no: Example University of Medical Sciences\n\n"
            + "".join(
                f"dn: ou={ou},{BASE_DN}\nchangetype: add\nobjectClass: organizationalUnit\n"
                f"ou: {ou}\n\n"
                for ou in ("people", "groups", "services")
            )
            + f"dn: {SERVICE_DN}\nchangetype: add\nobjectClass: person\ncn: tasvieh\n"
            f"sn: service\nuserPassword: {SERVICE_PASSWORD}\n"
        )

    def add_user(
        self,
        username: str,
        password: str,
        *,
        first_name: str = "Test",
        last_name: str = "User",
        email: str = "",
        student_number: str = "",
        disabled: bool = False,
        groups: Iterable[str] = (),
    ) -> str:
        """Add a person (AD-like attributes; the DN's CN is the display name); return the DN."""
        dn = f"cn={first_name} {last_name} ({username}),{PEOPLE_DN}"
        uac = NORMAL_ACCOUNT | (ACCOUNT_DISABLE if disabled else 0)
        lines = [
            _line("dn", dn),
            "changetype: add",
            "objectClass: inetOrgPerson",
            "objectClass: user",
            f"sAMAccountName: {username}",
            f"userPrincipalName: {username}@{UPN_DOMAIN}",
            f"userAccountControl: {uac}",
            _line("givenName", first_name),
            _line("sn", last_name),
            # Cleartext is fine for a throwaway test directory; slapd compares it on bind.
            f"userPassword: {password}",
        ]
        if email:
            lines.append(f"mail: {email}")
        if student_number:
            lines.append(_line("employeeID", student_number))
        self.ldif("\n".join(lines) + "\n")
        for group in groups:
            self.add_members(group, [dn])
        return dn

    def add_group(self, name: str, members: Iterable[str] = ()) -> str:
        """Add a groupOfNames; return its DN. (It needs one member: the admin stands in.)"""
        dn = group_dn(name)
        lines = [_line("dn", dn), "changetype: add", "objectClass: groupOfNames", _line("cn", name)]
        lines += [_line("member", member) for member in [ADMIN_DN, *members]]
        self.ldif("\n".join(lines) + "\n")
        return dn

    def add_members(self, group: str, members: Iterable[str]) -> None:
        self._members(group, "add", members)

    def remove_members(self, group: str, members: Iterable[str]) -> None:
        self._members(group, "delete", members)

    def _members(self, group: str, op: str, members: Iterable[str]) -> None:
        values = "".join(_line("member", member) + "\n" for member in members)
        self.ldif(f"{_line('dn', group_dn(group))}\nchangetype: modify\n{op}: member\n{values}")


def group_dn(name: str) -> str:
    return name if "=" in name else f"cn={name},{GROUPS_DN}"


def _line(name: str, value: str) -> str:
    """One LDIF line; non-ASCII values (Persian names) are base64-encoded as LDIF requires."""
    if value.isascii():
        return f"{name}: {value}"
    return f"{name}:: {base64.b64encode(value.encode()).decode()}"


class TLSFiles:
    """A throwaway CA and a server certificate for 127.0.0.1, made with the openssl CLI."""

    def __init__(self, workdir: Path) -> None:
        self.ca = workdir / "ca.pem"
        self.cert = workdir / "server.pem"
        self.key = workdir / "server.key"
        ca_key = workdir / "ca.key"
        openssl = shutil.which("openssl")
        if openssl is None:
            raise RuntimeError("openssl is not installed")

        def run(*args: str) -> None:
            subprocess.run([openssl, *args], check=True, capture_output=True)

        new_key = ["-nodes", "-newkey", "rsa:2048", "-subj"]
        run("req", "-x509", "-days", "2", *new_key, "/CN=Tasvieh test CA",
            "-keyout", str(ca_key), "-out", str(self.ca))  # fmt: skip
        csr = workdir / "server.csr"
        run("req", *new_key, "/CN=127.0.0.1", "-keyout", str(self.key), "-out", str(csr))
        ext = workdir / "server.ext"
        ext.write_text("subjectAltName = IP:127.0.0.1, DNS:localhost\n")
        signed_by_ca = ["-CA", str(self.ca), "-CAkey", str(ca_key), "-CAcreateserial"]
        run("x509", "-req", "-days", "2", "-in", str(csr), "-extfile", str(ext),
            *signed_by_ca, "-out", str(self.cert))  # fmt: skip
        os.chmod(self.key, 0o644)  # slapd may drop privileges on some set-ups


@contextmanager
def running_slapd(*, tls: bool = False) -> Iterator[Slapd]:
    """Start a seeded slapd in a temporary folder; stop it and remove the folder after."""
    with scratch_dir("tasvieh-slapd-") as workdir:
        server = Slapd(workdir, tls=TLSFiles(workdir) if tls else None)
        try:
            server.start()
            server.seed()
            yield server
        finally:
            server.stop()


def main() -> int:
    """Run a sample directory until Ctrl-C, for trying the sign-in by hand."""
    with running_slapd() as server:
        staff = server.add_group("tasvieh-education-medicine")
        server.add_user("sara", "sara-password", first_name="Sara", last_name="Ahmadi",
                        student_number="98100001")  # fmt: skip
        server.add_user("reza", "reza-password", first_name="Reza", last_name="Karimi",
                        groups=[staff])  # fmt: skip
        return serve_until_interrupted(
            f"TASVIEH_LDAP_SERVER_URI={server.uri}\n"
            f"TASVIEH_LDAP_BIND_DN='{SERVICE_DN}'\n"
            f"TASVIEH_LDAP_BIND_PASSWORD={SERVICE_PASSWORD}\n"
            f"TASVIEH_LDAP_USER_SEARCH_BASE={PEOPLE_DN}\n"
            f"TASVIEH_LDAP_GROUP_SEARCH_BASE={GROUPS_DN}\n"
            f"TASVIEH_LDAP_ATTR_STUDENT_NUMBER=employeeID\n"
            f"TASVIEH_LDAP_ROLE_MAP='{staff}=education:medicine'\n"
            "# users: sara / sara-password (student), reza / reza-password (education, medicine)"
        )


if __name__ == "__main__":
    sys.exit(main())
