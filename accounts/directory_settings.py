"""Active Directory (django-auth-ldap) settings built from TASVIEH_LDAP_* variables."""

from typing import Any

from clearance.env import env_str


def configure(settings: dict[str, Any]) -> None:
    """Add the LDAP backend and its settings when a directory server is configured."""
    if not env_str("TASVIEH_LDAP_SERVER_URI"):
        return
