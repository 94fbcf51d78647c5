"""Directory sign-in against a real OpenLDAP server (AD-like schema) started on loopback."""

import os
import re
import time
from collections.abc import Iterator
from dataclasses import dataclass
from typing import Any

import ldap
import pytest
from axes.models import AccessAttempt
from django.conf import settings as django_settings
from django.contrib.auth import get_user
from django.core.exceptions import ImproperlyConfigured
from django.http import HttpResponse
from django.test import Client
from django.urls import reverse

from accounts.directory import RoleGrant, parse_role_map
from accounts.models import Faculty, Office, Role, User, office_permission
from clearance.demo import DEMO_PASSWORD, make_user
from clearance.models import StudentRecord
from clearance.settings import directory as directory_settings
from tests.servers.slapd import (
    GROUPS_DN,
    PEOPLE_DN,
    SERVICE_DN,
    SERVICE_PASSWORD,
    Slapd,
    free_port,
    running_slapd,
)

pytestmark = pytest.mark.directory

WRONG_PASSWORD = "The username or password is not correct"
NOT_ANSWERING = "The university directory is not answering; try again in a few minutes."
BACKEND = "accounts.backends.DirectoryBackend"


# --- helpers shared with test_active_directory.py ----------------------------------------


def use_directory(settings: Any, monkeypatch: pytest.MonkeyPatch, **env: str) -> None:
    """Configure Tasvieh for one test as an operator would: TASVIEH_LDAP_* → settings."""
    for name in [n for n in os.environ if n.startswith("TASVIEH_LDAP_")]:
        monkeypatch.delenv(name)
    for name, value in env.items():
        monkeypatch.setenv(f"TASVIEH_LDAP_{name}", value)
    values: dict[str, Any] = {"AUTHENTICATION_BACKENDS": list(settings.AUTHENTICATION_BACKENDS)}
    directory_settings.configure(values)
    for name, value in values.items():
        setattr(settings, name, value)


def sign_in(client: Client, username: str, password: str) -> Any:
    """Post the real login page, in English (as picked in the footer) to read messages back."""
    client.cookies[django_settings.LANGUAGE_COOKIE_NAME] = "en"
    return client.post(reverse("login"), {"username": username, "password": password})


def signed_in_user(client: Client) -> Any:
    return get_user(client)  # type: ignore[arg-type]


def roles_of(user: User) -> set[tuple[str, str | None, str]]:
    return {
        (r.office.code, r.faculty.code if r.faculty else None, r.source)
        for r in Role.objects.filter(user=user).select_related("office", "faculty")
    }


def assert_refused(response: HttpResponse, client: Client, message: str) -> None:
    assert response.status_code == 200
    assert message in response.content.decode()
    assert not signed_in_user(client).is_authenticated


# --- the server and the settings ---------------------------------------------------------


@dataclass
class Directory:
    server: Slapd
    groups: dict[str, str]

    def person(self, username: str, password: str = "correct-horse", **kwargs: Any) -> str:
        groups = [self.groups[g] for g in kwargs.pop("groups", ())]
        return self.server.add_user(username, password, groups=groups, **kwargs)


@pytest.fixture(scope="module")
def slapd() -> Iterator[Directory]:
    with running_slapd(tls=True) as server:
        groups = {
            name: server.add_group(name)
            for name in ("education-medicine", "nutrition", "tasvieh-admins")
        }
        # Nested: members of "council-members" are in "council" through the group.
        groups["council-members"] = server.add_group("council-members")
        groups["council"] = server.add_group("council", [groups["council-members"]])
        yield Directory(server, groups)


def role_map(groups: dict[str, str]) -> str:
    return "; ".join(
        [
            f"{groups['education-medicine']}=education:medicine",
            f"{groups['nutrition']}=nutrition",
            f"{groups['council']}=council",
            f"{groups['tasvieh-admins']}=superuser",
        ]
    )


def slapd_env(directory: Directory, **overrides: str) -> dict[str, str]:
    return {
        "SERVER_URI": directory.server.uri,
        "BIND_DN": SERVICE_DN,
        "BIND_PASSWORD": SERVICE_PASSWORD,
        "USER_SEARCH_BASE": PEOPLE_DN,
        "GROUP_SEARCH_BASE": GROUPS_DN,
        "ATTR_STUDENT_NUMBER": "employeeID",
        "ROLE_MAP": role_map(directory.groups),
        "NETWORK_TIMEOUT": "1",
        "TIMEOUT": "1",
        **overrides,
    }


@pytest.fixture
def ldap_dir(db, settings, monkeypatch, slapd) -> Directory:
    use_directory(settings, monkeypatch, **slapd_env(slapd))
    return slapd


# --- signing in ----------------------------------------------------------------------------


def test_student_signs_in_with_the_directory_account(client, ldap_dir):
    ldap_dir.person(
        "sara", "Sara's-pass", first_name="سارا", last_name="احمدي",  # Arabic yeh in AD
        email="sara@example.ac.ir", student_number="۹۸۱۰۰۰۰۱",
    )  # fmt: skip

    response = sign_in(client, "sara", "Sara's-pass")

    assert response.status_code == 302
    assert response["Location"] == reverse("home")
    user = signed_in_user(client)
    assert user.username == "sara"
    assert client.session["_auth_user_backend"] == BACKEND
    assert (user.first_name, user.last_name) == ("سارا", "احمدی")
    assert user.email == "sara@example.ac.ir"
    assert user.student_number == "98100001"
    assert not user.has_usable_password()  # the password stays in the directory
    assert not (user.is_staff or user.is_superuser)
    assert roles_of(user) == set()
    assert client.get(reverse("home")).status_code in (200, 302)


def test_a_directory_student_files_under_their_registry_identity(client, ldap_dir):
    StudentRecord.objects.create(
        student_number="98100077", national_code="0499370899", first_name="نگار",
        last_name="صالحی", faculty=Faculty.objects.get(code="medicine"),
    )  # fmt: skip
    ldap_dir.person("negar", "pw-negar", first_name="Negar", last_name="S",
                    student_number="۹۸۱۰۰۰۷۷")  # fmt: skip
    assert sign_in(client, "negar", "pw-negar").status_code == 302

    form = client.get(reverse("request_create")).context["form"]

    assert form.initial["national_code"] == "0499370899" and form.fields["national_code"].disabled
    assert form.initial["full_name"] == "نگار صالحی" and form.fields["faculty"].disabled


def test_username_case_persian_digits_and_domain_forms_are_one_person(client, ldap_dir):
    ldap_dir.person("stu1402", "pw-1402")

    for typed in ("STU۱۴۰۲", " stu١٤٠٢ ", "EXAMPLE\\Stu1402"):
        response = sign_in(client, typed, "pw-1402")
        assert response.status_code == 302, typed
        assert signed_in_user(client).username == "stu1402"
        client.logout()

    assert User.objects.filter(username__iexact="stu1402").count() == 1


def test_password_is_not_normalised(client, ldap_dir):
    ldap_dir.person("digits", "Pass۱۲۳")

    assert_refused(sign_in(client, "digits", "Pass123"), client, WRONG_PASSWORD)
    assert sign_in(client, "digits", "Pass۱۲۳").status_code == 302


def test_wrong_password_and_unknown_user_get_the_usual_message(client, ldap_dir):
    ldap_dir.person("reza", "right-one")

    assert_refused(sign_in(client, "reza", "wrong-one"), client, WRONG_PASSWORD)
    assert_refused(sign_in(client, "nobody-here", "whatever"), client, WRONG_PASSWORD)
    assert not User.objects.filter(username__in=["reza", "nobody-here"]).exists()


def test_disabled_account_cannot_sign_in_even_after_it_has_before(client, ldap_dir):
    ldap_dir.person("gone", "pw-gone", disabled=True)
    dn = ldap_dir.person("leaving", "pw-leaving")
    assert sign_in(client, "leaving", "pw-leaving").status_code == 302
    client.logout()

    ldap_dir.server.ldif(f"dn: {dn}\nchangetype: modify\nreplace: userAccountControl\n"
                         f"userAccountControl: 514\n")  # fmt: skip

    assert_refused(sign_in(client, "gone", "pw-gone"), client, WRONG_PASSWORD)
    assert_refused(sign_in(client, "leaving", "pw-leaving"), client, WRONG_PASSWORD)
    assert not User.objects.filter(username="gone").exists()


def test_local_accounts_keep_working_beside_the_directory(client, ldap_dir):
    make_user("local-admin", is_staff=True, is_superuser=True)

    response = sign_in(client, "local-admin", DEMO_PASSWORD)

    assert response.status_code == 302
    assert client.session["_auth_user_backend"] == "accounts.backends.OfficeRoleBackend"


def test_admin_login_form_also_normalises_the_username(client, ldap_dir):
    ldap_dir.person("boss", "pw-boss", groups=["tasvieh-admins"])

    response = client.post(
        reverse("admin:login"), {"username": "BOSS", "password": "pw-boss", "next": "/admin/"}
    )

    assert response.status_code == 302
    assert signed_in_user(client).username == "boss"
    assert client.get("/admin/").status_code == 200


def test_login_page_links_to_the_password_portal(client, ldap_dir, settings):
    settings.TASVIEH_PASSWORD_RESET_URL = "https://account.example.ac.ir/reset"

    response = client.get(reverse("login"))

    assert 'href="https://account.example.ac.ir/reset"' in response.content.decode()


# --- groups → roles ----------------------------------------------------------------------


def test_groups_map_to_office_roles_and_nested_groups_count(client, ldap_dir, faculty):
    ldap_dir.person("maryam", "pw-maryam", groups=["education-medicine", "council-members"])

    assert sign_in(client, "maryam", "pw-maryam").status_code == 302

    user = signed_in_user(client)
    assert roles_of(user) == {
        ("education", "medicine", Role.Source.DIRECTORY),
        ("council", None, Role.Source.DIRECTORY),  # via council-members ⊂ council
    }
    assert user.has_perm(office_permission("education", "medicine"))
    assert not user.has_perm(office_permission("education", "nursing_midwifery"))
    assert client.get(reverse("office_queue")).status_code == 200


def test_roles_follow_group_moves_at_next_sign_in_and_manual_roles_stay(client, ldap_dir):
    dn = ldap_dir.person("ali", "pw-ali", groups=["education-medicine"])
    assert sign_in(client, "ali", "pw-ali").status_code == 302
    user = signed_in_user(client)
    Role.objects.create(user=user, office=Office.objects.get(code="loan_fund"))  # by hand
    # The same office by hand and from the directory: only the directory one may go.
    Role.objects.create(
        user=user, office=Office.objects.get(code="education"),
        faculty=Faculty.objects.get(code="medicine"),
    )  # fmt: skip
    client.logout()

    # Moved in AD: out of education, into nutrition.
    ldap_dir.server.remove_members(ldap_dir.groups["education-medicine"], [dn])
    ldap_dir.server.add_members(ldap_dir.groups["nutrition"], [dn])
    assert sign_in(client, "ali", "pw-ali").status_code == 302

    assert roles_of(user) == {
        ("nutrition", None, Role.Source.DIRECTORY),
        ("loan_fund", None, Role.Source.MANUAL),
        ("education", "medicine", Role.Source.MANUAL),
    }


def test_admin_group_grants_superuser_and_losing_it_takes_it_away(client, ldap_dir):
    dn = ldap_dir.person("it-admin", "pw-admin", groups=["tasvieh-admins"])
    assert sign_in(client, "it-admin", "pw-admin").status_code == 302
    user = User.objects.get(username="it-admin")
    assert user.is_superuser and user.is_staff
    client.logout()

    ldap_dir.server.remove_members(ldap_dir.groups["tasvieh-admins"], [dn])
    assert sign_in(client, "it-admin", "pw-admin").status_code == 302

    user.refresh_from_db()
    assert not user.is_superuser and not user.is_staff


def test_without_flags_in_the_map_admin_granted_staff_stays(
    client, settings, monkeypatch, slapd, db
):
    use_directory(settings, monkeypatch, **slapd_env(slapd, ROLE_MAP=""))
    slapd.person("helper", "pw-helper")
    make_user("helper", is_staff=True)

    assert sign_in(client, "helper", "pw-helper").status_code == 302

    assert User.objects.get(username="helper").is_staff


def test_unknown_office_in_the_map_is_logged_and_skipped(
    client, settings, monkeypatch, slapd, db, caplog
):
    groups = slapd.groups
    use_directory(
        settings, monkeypatch,
        **slapd_env(slapd, ROLE_MAP=f"{groups['nutrition']}=nutrition\n"
                                    f"{groups['nutrition']}=no_such_office\n"
                                    f"{groups['nutrition']}=education"),  # needs a faculty
    )  # fmt: skip
    slapd.person("nima", "pw-nima", groups=["nutrition"])

    assert sign_in(client, "nima", "pw-nima").status_code == 302

    assert roles_of(User.objects.get(username="nima")) == {("nutrition", None, "directory")}
    assert "no_such_office" in caplog.text
    assert "a faculty office needs :faculty" in caplog.text


def test_member_of_group_type_reads_the_users_own_groups(client, settings, monkeypatch, slapd, db):
    use_directory(settings, monkeypatch, **slapd_env(slapd, GROUP_TYPE="member_of"))
    slapd.person("mina", "pw-mina", groups=["nutrition", "council-members"])

    assert sign_in(client, "mina", "pw-mina").status_code == 302

    # memberOf lists direct groups only: council (through council-members) is not there.
    assert roles_of(User.objects.get(username="mina")) == {("nutrition", None, "directory")}


# --- when the directory is not there -------------------------------------------------------


def test_directory_down_says_so_quickly_and_local_accounts_still_sign_in(client, ldap_dir):
    ldap_dir.person("hasan", "pw-hasan")
    make_user("demo-expert")
    ldap_dir.server.stop()
    try:
        started = time.monotonic()
        response = sign_in(client, "hasan", "pw-hasan")
        elapsed = time.monotonic() - started

        assert_refused(response, client, NOT_ANSWERING)
        assert WRONG_PASSWORD not in response.content.decode()
        assert elapsed < 2
        # Not the person's fault: it does not count towards the lock-out.
        assert not AccessAttempt.objects.exists()

        assert sign_in(client, "demo-expert", DEMO_PASSWORD).status_code == 302
        assert signed_in_user(client).username == "demo-expert"
    finally:
        ldap_dir.server.start()
    client.logout()
    assert sign_in(client, "hasan", "pw-hasan").status_code == 302


def test_hanging_directory_answers_within_the_timeout(client, ldap_dir):
    ldap_dir.person("hung", "pw-hung")

    with ldap_dir.server.paused():
        started = time.monotonic()
        response = sign_in(client, "hung", "pw-hung")
        elapsed = time.monotonic() - started

    assert_refused(response, client, NOT_ANSWERING)
    assert 0.9 < elapsed < 4  # TASVIEH_LDAP_TIMEOUT=1 (service bind, then nothing more)


def test_second_server_takes_over_when_the_first_is_down(client, settings, monkeypatch, slapd, db):
    dead = f"ldap://127.0.0.1:{free_port()}"
    use_directory(
        settings, monkeypatch, **slapd_env(slapd, SERVER_URI=f"{dead}, {slapd.server.uri}")
    )
    slapd.person("failover", "pw-failover")

    assert sign_in(client, "failover", "pw-failover").status_code == 302


def test_start_tls_and_ldaps_with_the_university_ca(client, settings, monkeypatch, slapd, db):
    slapd.person("tls-user", "pw-tls")
    ca = str(slapd.server.tls.ca)  # type: ignore[union-attr]

    for env in (
        {"START_TLS": "1", "CA_FILE": ca},
        {"SERVER_URI": slapd.server.ldaps_uri, "CA_FILE": ca},
    ):
        use_directory(settings, monkeypatch, **slapd_env(slapd, **env))
        assert sign_in(client, "tls-user", "pw-tls").status_code == 302, env
        client.logout()


def test_untrusted_certificate_is_refused_not_ignored(client, settings, monkeypatch, slapd, db):
    use_directory(settings, monkeypatch, **slapd_env(slapd, SERVER_URI=slapd.server.ldaps_uri))
    slapd.person("mitm", "pw-mitm")

    assert_refused(sign_in(client, "mitm", "pw-mitm"), client, NOT_ANSWERING)


# --- throttling ----------------------------------------------------------------------------


def test_repeated_failures_are_throttled_with_a_clear_message(client, ldap_dir, settings):
    settings.AXES_FAILURE_LIMIT = 3
    ldap_dir.person("guess", "the-real-one")
    ldap_dir.person("bystander", "pw-bystander")

    for typed in ("guess", "GUESS"):
        assert_refused(sign_in(client, typed, "nope"), client, WRONG_PASSWORD)

    # The third failure pauses sign-in; then even the right password is not tried,
    # whatever case the username comes in.
    for typed, password in (
        ("Guess", "nope"),
        ("guess", "the-real-one"),
        ("GUESS", "the-real-one"),
    ):
        response = sign_in(client, typed, password)
        assert response.status_code == 429
        page = response.content.decode()
        assert "Too many failed sign-in attempts" in page
        assert "paused for 15 minutes" in page
        assert not signed_in_user(client).is_authenticated
    # Someone else from the same address is not held up.
    assert sign_in(client, "bystander", "pw-bystander").status_code == 302


# --- configuration -------------------------------------------------------------------------


def configured(monkeypatch: pytest.MonkeyPatch, **env: str) -> dict[str, Any]:
    for name in [n for n in os.environ if n.startswith("TASVIEH_LDAP_")]:
        monkeypatch.delenv(name)
    for name, value in env.items():
        monkeypatch.setenv(f"TASVIEH_LDAP_{name}", value)
    values: dict[str, Any] = {
        "AUTHENTICATION_BACKENDS": [
            "axes.backends.AxesStandaloneBackend",
            "accounts.backends.OfficeRoleBackend",
        ]
    }
    directory_settings.configure(values)
    return values


def test_without_a_server_the_site_runs_on_local_accounts(monkeypatch):
    values = configured(monkeypatch)

    assert values["TASVIEH_LDAP_ENABLED"] is False
    assert BACKEND not in values["AUTHENTICATION_BACKENDS"]
    assert not any(name.startswith("AUTH_LDAP_") for name in values)


def test_settings_from_the_environment(monkeypatch):
    values = configured(
        monkeypatch,
        SERVER_URI="ldap://dc1.example.ac.ir ldap://dc2.example.ac.ir:389/",
        START_TLS="yes",
        UPN_DOMAIN="Example.ac.ir",
        USER_SEARCH_BASE="OU=People,DC=example,DC=ac,DC=ir",
        NETWORK_TIMEOUT="2.5",
    )

    assert values["AUTHENTICATION_BACKENDS"] == [
        "axes.backends.AxesStandaloneBackend",
        "accounts.backends.OfficeRoleBackend",
        BACKEND,
    ]
    assert values["AUTH_LDAP_SERVER_URI"] == "ldap://dc1.example.ac.ir ldap://dc2.example.ac.ir:389"
    assert values["AUTH_LDAP_START_TLS"] is True
    options = values["AUTH_LDAP_CONNECTION_OPTIONS"]
    assert options[ldap.OPT_REFERRALS] == 0
    assert options[ldap.OPT_NETWORK_TIMEOUT] == 2.5
    assert options[ldap.OPT_TIMEOUT] == 5.0
    assert list(options)[-1] == ldap.OPT_X_TLS_NEWCTX
    # No service account: bind as user@domain and find the entry as that user.
    assert values["AUTH_LDAP_USER_DN_TEMPLATE"] == "%(user)s@example.ac.ir"
    assert values["AUTH_LDAP_BIND_AS_AUTHENTICATING_USER"] is True
    search = values["AUTH_LDAP_USER_SEARCH"]
    assert "sAMAccountName=%(user)s" in search.filterstr
    assert "userAccountControl:1.2.840.113556.1.4.803:=2" in search.filterstr
    assert values["AUTH_LDAP_GROUP_SEARCH"].base_dn == "OU=People,DC=example,DC=ac,DC=ir"
    assert values["AUTH_LDAP_USER_ATTR_MAP"] == {
        "first_name": "givenName",
        "last_name": "sn",
        "email": "mail",
    }
    # Running configure again (e.g. twice in one process) does not add the backend twice.
    directory_settings.configure(values)
    assert values["AUTHENTICATION_BACKENDS"].count(BACKEND) == 1


def test_bind_password_can_come_from_a_file(monkeypatch, tmp_path):
    secret = tmp_path / "bind-password"
    secret.write_text("s3cret pass\n")

    values = configured(
        monkeypatch, SERVER_URI="ldaps://dc1", USER_SEARCH_BASE="DC=x",
        BIND_DN="CN=svc,DC=x", BIND_PASSWORD_FILE=str(secret),
    )  # fmt: skip

    assert values["AUTH_LDAP_BIND_PASSWORD"] == "s3cret pass"
    assert "AUTH_LDAP_USER_DN_TEMPLATE" not in values


@pytest.mark.parametrize(
    ("env", "complaint"),
    [
        ({"SERVER_URI": "dc1.example.ac.ir"}, "not ldap://"),
        ({"USER_SEARCH_BASE": ""}, "USER_SEARCH_BASE is required"),
        ({"START_TLS": "maybe"}, "must be a boolean"),
        ({"SERVER_URI": "ldaps://dc1", "START_TLS": "1"}, "cannot be combined"),
        ({"TIMEOUT": "0"}, "above 0"),
        ({"NETWORK_TIMEOUT": "soon"}, "must be a number"),
        ({"SERVER_URI": "ldaps://dc1", "CA_FILE": "/no/such/ca.pem"}, "no such file"),
        ({"CA_FILE": "/etc/hostname"}, "neither StartTLS nor ldaps"),
        ({"BIND_DN": "CN=svc,DC=x"}, "give its password"),
        ({"USER_FILTER": "(uid=alice)"}, "must contain %(user)s"),
        ({"USER_FILTER": "(&(uid=%(user)s)"}, "not an LDAP filter"),
        ({"GROUP_TYPE": "posix"}, "must be one of nested, direct, member_of"),
        ({"ATTR_EMAIL": "mail address"}, "must be an attribute name"),
        ({"ROLE_MAP": "CN=Edu,DC=example,DC=ac,DC=ir"}, "entry 1"),
        ({"ROLE_MAP": "CN=Edu,DC=x=nutrition;CN=Staff,DC=x=Office Staff"}, "entry 2"),
    ],
)
def test_bad_values_stop_the_start_up(monkeypatch, env, complaint):
    env = {"SERVER_URI": "ldap://dc1", "USER_SEARCH_BASE": "DC=x", **env}

    with pytest.raises(ImproperlyConfigured, match=re.escape(complaint)):
        configured(monkeypatch, **env)


def test_role_map_format():
    text = """
        # education experts of the medical faculty
        CN=Tasvieh Education, OU=Groups,DC=example,DC=ac,DC=ir = education:medicine
        CN=Tasvieh-Admins,OU=Groups,DC=example,DC=ac,DC=ir=superuser; CN=IT,DC=x=it
    """

    assert parse_role_map(text) == (
        RoleGrant(
            "cn=tasvieh education,ou=groups,dc=example,dc=ac,dc=ir",
            office="education",
            faculty="medicine",
        ),
        RoleGrant("cn=tasvieh-admins,ou=groups,dc=example,dc=ac,dc=ir", flag="superuser"),
        RoleGrant("cn=it,dc=x", office="it"),
    )
