"""Directory sign-in against a real Active Directory: a Samba domain controller on loopback."""

from collections.abc import Iterator
from typing import Any

import pytest

from accounts.models import Office, Role, User
from tests.accounts.test_ldap import (
    WRONG_PASSWORD,
    assert_refused,
    roles_of,
    sign_in,
    signed_in_user,
    use_directory,
)
from tests.servers.samba import BASE_DN, UPN_DOMAIN, URI, SambaDC, running_samba

pytestmark = pytest.mark.directory

PASSWORD = "Stud-Pass!2024"  # AD's default policy wants a complex password
SERVICE = "svc-tasvieh"
SERVICE_PASSWORD = "Svc-Tasvieh!2024"


@pytest.fixture(scope="module")
def samba() -> Iterator[dict[str, Any]]:
    with running_samba() as dc:
        groups = {
            name: dc.add_group(name)
            for name in ("Tasvieh-Education-Medicine", "Tasvieh-Nutrition", "Tasvieh-Admins")
        }
        # Nested: the faculty's own staff group sits inside the group Tasvieh maps.
        dc.add_group("Medicine-Education-Staff")
        dc.add_members("Tasvieh-Education-Medicine", ["Medicine-Education-Staff"])

        dc.add_user(SERVICE, SERVICE_PASSWORD, first_name="Tasvieh", last_name="Service")
        dc.add_user("ali", PASSWORD, first_name="علي", last_name="رضايي",
                    email="ali@example.ac.ir", groups=["Medicine-Education-Staff"])  # fmt: skip
        dc.modify(
            f"dn: {dc.dn_of('ali')}\nchangetype: modify\nreplace: employeeID\n"
            f"employeeID: 98100042\n"
        )
        dc.add_user("reza", PASSWORD, first_name="Reza", last_name="Karimi",
                    groups=["Tasvieh-Nutrition"])  # fmt: skip
        dc.add_user("boss", PASSWORD, first_name="IT", last_name="Admin",
                    groups=["Tasvieh-Admins"])  # fmt: skip
        dc.add_user("left", PASSWORD, first_name="Left", last_name="Already")
        dc.disable("left")
        dc.add_user("graduated", PASSWORD, first_name="Old", last_name="Student")
        dc.expire("graduated")
        yield {"dc": dc, "groups": groups, "service_dn": dc.dn_of(SERVICE)}


def samba_env(samba: dict[str, Any], *, mode: str) -> dict[str, str]:
    groups = samba["groups"]
    env = {
        "SERVER_URI": URI,
        "UPN_DOMAIN": UPN_DOMAIN,
        # The domain root: AD answers with referrals too, which must not be followed.
        "USER_SEARCH_BASE": BASE_DN,
        "ATTR_STUDENT_NUMBER": "employeeID",
        "ROLE_MAP": (
            f"{groups['Tasvieh-Education-Medicine']}=education:medicine;"
            f"{groups['Tasvieh-Nutrition']}=nutrition;"
            f"{groups['Tasvieh-Admins']}=superuser"
        ),
        "NETWORK_TIMEOUT": "2",
        "TIMEOUT": "3",
    }
    if mode == "service":
        env.update(BIND_DN=samba["service_dn"], BIND_PASSWORD=SERVICE_PASSWORD)
    return env


@pytest.fixture(params=["upn", "service"])
def ad(request, db, settings, monkeypatch, samba) -> SambaDC:
    """Each test runs with a direct UPN bind and with a service account."""
    use_directory(settings, monkeypatch, **samba_env(samba, mode=request.param))
    return samba["dc"]


def test_sign_in_with_nested_group_roles_and_directory_attributes(client, ad):
    response = sign_in(client, "ali", PASSWORD)

    assert response.status_code == 302
    user = signed_in_user(client)
    assert user.username == "ali"
    assert (user.first_name, user.last_name) == ("علی", "رضایی")  # Arabic ي → Persian ی
    assert user.email == "ali@example.ac.ir"
    assert user.student_number == "98100042"
    assert roles_of(user) == {("education", "medicine", Role.Source.DIRECTORY)}
    assert not user.is_staff


@pytest.mark.parametrize("typed", ["ALI", "EXAMPLE\\ali", "Ali@Example.ac.ir"])
def test_the_usual_ways_of_typing_an_ad_username(client, ad, typed):
    assert sign_in(client, typed, PASSWORD).status_code == 302
    assert signed_in_user(client).username == "ali"


def test_wrong_password_gets_the_usual_message(client, ad):
    assert_refused(sign_in(client, "ali", "Not-The-Pass!1"), client, WRONG_PASSWORD)


@pytest.mark.parametrize("username", ["left", "graduated"])  # disabled; expired
def test_disabled_and_expired_accounts_cannot_sign_in(client, ad, username):
    assert_refused(sign_in(client, username, PASSWORD), client, WRONG_PASSWORD)
    assert not User.objects.filter(username=username).exists()


def test_admin_group_makes_a_superuser(client, ad):
    assert sign_in(client, "boss", PASSWORD).status_code == 302

    user = signed_in_user(client)
    assert user.is_superuser and user.is_staff
    assert roles_of(user) == set()


def test_moving_between_groups_changes_roles_at_next_sign_in(client, ad):
    assert sign_in(client, "reza", PASSWORD).status_code == 302
    user = signed_in_user(client)
    assert roles_of(user) == {("nutrition", None, Role.Source.DIRECTORY)}
    Role.objects.create(user=user, office=Office.objects.get(code="welfare"))  # by hand
    client.logout()

    ad.remove_members("Tasvieh-Nutrition", ["reza"])
    ad.add_members("Medicine-Education-Staff", ["reza"])
    try:
        assert sign_in(client, "reza", PASSWORD).status_code == 302
        assert roles_of(user) == {
            ("education", "medicine", Role.Source.DIRECTORY),
            ("welfare", None, Role.Source.MANUAL),
        }
    finally:  # the next parameter starts from the same directory
        ad.remove_members("Medicine-Education-Staff", ["reza"])
        ad.add_members("Tasvieh-Nutrition", ["reza"])
