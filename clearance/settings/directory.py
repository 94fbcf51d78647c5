"""Active Directory (django-auth-ldap) settings built from TASVIEH_LDAP_* variables.

Every variable is described in docs/active-directory.md. Without
``TASVIEH_LDAP_SERVER_URI`` the site runs on local accounts only (the demo).
"""

import re
from pathlib import Path
from typing import Any

import ldap
from django.core.exceptions import ImproperlyConfigured
from django_auth_ldap.config import (
    ActiveDirectoryGroupType,
    LDAPGroupType,
    LDAPSearch,
    NestedActiveDirectoryGroupType,
)

from accounts import directory
from clearance.settings.env import env_bool, env_float, env_secret, env_str

DIRECTORY_BACKEND = "accounts.backends.DirectoryBackend"
LOCAL_BACKEND = "accounts.backends.OfficeRoleBackend"

# Users by sAMAccountName; "Account disabled" (bit 2 of userAccountControl) never signs in.
DEFAULT_USER_FILTER = (
    "(&(objectClass=user)(sAMAccountName=%(user)s)"
    "(!(userAccountControl:1.2.840.113556.1.4.803:=2)))"
)
DEFAULT_GROUP_FILTER = "(|(objectClass=group)(objectClass=groupOfNames))"
GROUP_TYPES = ("nested", "direct", "member_of")


def configure(settings: dict[str, Any]) -> None:
    """Add the LDAP backend and its settings when a directory server is configured."""
    settings["TASVIEH_LDAP_ENABLED"] = False
    settings["TASVIEH_LDAP_UPN_DOMAIN"] = ""
    settings["TASVIEH_LDAP_ROLE_MAP"] = ()
    uris = server_uris()
    if not uris:
        return

    start_tls = env_bool("TASVIEH_LDAP_START_TLS", False)
    if start_tls and any(uri.startswith("ldaps://") for uri in uris):
        raise ImproperlyConfigured(
            "TASVIEH_LDAP_START_TLS=1 cannot be combined with ldaps:// URIs: use one or the other"
        )
    uses_tls = start_tls or any(uri.startswith("ldaps://") for uri in uris)

    options: dict[int, Any] = {
        ldap.OPT_PROTOCOL_VERSION: 3,
        # AD answers searches at the domain root with referrals to other partitions;
        # following them (anonymously) hangs or fails, so never do.
        ldap.OPT_REFERRALS: 0,
        ldap.OPT_NETWORK_TIMEOUT: _positive_seconds("TASVIEH_LDAP_NETWORK_TIMEOUT", 3.0),
        ldap.OPT_TIMEOUT: _positive_seconds("TASVIEH_LDAP_TIMEOUT", 5.0),
    }
    ca_file = env_str("TASVIEH_LDAP_CA_FILE").strip()
    if ca_file and not uses_tls:
        raise ImproperlyConfigured(
            "TASVIEH_LDAP_CA_FILE is set but neither StartTLS nor ldaps:// is used: "
            "set TASVIEH_LDAP_START_TLS=1 or use ldaps:// URIs"
        )
    if uses_tls:
        if ca_file:
            if not Path(ca_file).is_file():
                raise ImproperlyConfigured(f"TASVIEH_LDAP_CA_FILE: no such file {ca_file!r}")
            options[ldap.OPT_X_TLS_CACERTFILE] = ca_file
        options[ldap.OPT_X_TLS_REQUIRE_CERT] = ldap.OPT_X_TLS_DEMAND
        # A per-connection TLS option only takes effect in a new TLS context: keep last.
        options[ldap.OPT_X_TLS_NEWCTX] = 0

    user_base = env_str("TASVIEH_LDAP_USER_SEARCH_BASE").strip()
    if not user_base:
        raise ImproperlyConfigured(
            "TASVIEH_LDAP_USER_SEARCH_BASE is required with TASVIEH_LDAP_SERVER_URI, "
            "e.g. OU=People,DC=example,DC=ac,DC=ir"
        )
    user_filter = env_str("TASVIEH_LDAP_USER_FILTER").strip() or DEFAULT_USER_FILTER
    _check_filter("TASVIEH_LDAP_USER_FILTER", user_filter, needs_user=True)
    group_base = env_str("TASVIEH_LDAP_GROUP_SEARCH_BASE").strip() or user_base
    group_filter = env_str("TASVIEH_LDAP_GROUP_FILTER").strip() or DEFAULT_GROUP_FILTER
    _check_filter("TASVIEH_LDAP_GROUP_FILTER", group_filter, needs_user=False)

    bind_dn = env_str("TASVIEH_LDAP_BIND_DN").strip()
    upn_domain = env_str("TASVIEH_LDAP_UPN_DOMAIN").strip().lstrip("@").lower()
    values: dict[str, Any] = {
        "SERVER_URI": " ".join(uris),
        "START_TLS": start_tls,
        "CONNECTION_OPTIONS": options,
        "BIND_DN": bind_dn,
        "BIND_PASSWORD": _bind_password() if bind_dn else "",
        # memberOf is operational on OpenLDAP: ask for it by name besides "*".
        "USER_SEARCH": LDAPSearch(
            user_base, ldap.SCOPE_SUBTREE, user_filter, attrlist=["*", "memberOf"]
        ),
        "USER_ATTR_MAP": _attribute_map(),
        "GROUP_SEARCH": LDAPSearch(group_base, ldap.SCOPE_SUBTREE, group_filter),
        "GROUP_TYPE": _group_type(),
        "ALWAYS_UPDATE_USER": True,
        "CACHE_TIMEOUT": 0,
    }
    if upn_domain and not bind_dn:
        # No service account: bind straight as user@domain, then find the entry as that user.
        values.update(
            USER_DN_TEMPLATE=f"%(user)s@{upn_domain}",
            BIND_AS_AUTHENTICATING_USER=True,
            REFRESH_DN_ON_BIND=True,
        )
    settings.update({f"AUTH_LDAP_{name}": value for name, value in values.items()})

    settings["TASVIEH_LDAP_ENABLED"] = True
    settings["TASVIEH_LDAP_UPN_DOMAIN"] = upn_domain
    settings["TASVIEH_LDAP_ROLE_MAP"] = directory.parse_role_map(
        env_str("TASVIEH_LDAP_ROLE_MAP"), name="TASVIEH_LDAP_ROLE_MAP"
    )
    # Attempts that failed because the directory was down are not the person's fault:
    # django-axes does not count them towards the lock-out.
    settings["AXES_WHITELIST_CALLABLE"] = "accounts.directory.attempt_not_counted"

    backends = [b for b in settings.get("AUTHENTICATION_BACKENDS", []) if b != DIRECTORY_BACKEND]
    # After axes (which must see every attempt first) and after local accounts, so that
    # administrators and the demo sign in at once even while the directory is down.
    position = backends.index(LOCAL_BACKEND) + 1 if LOCAL_BACKEND in backends else len(backends)
    backends.insert(position, DIRECTORY_BACKEND)
    settings["AUTHENTICATION_BACKENDS"] = backends


def server_uris() -> list[str]:
    """Read TASVIEH_LDAP_SERVER_URI: one or more ldap:// or ldaps:// URIs, tried in order."""
    uris = [uri for uri in re.split(r"[\s,]+", env_str("TASVIEH_LDAP_SERVER_URI")) if uri]
    for uri in uris:
        if not re.fullmatch(r"ldaps?://[^/\s]+/?", uri, flags=re.IGNORECASE):
            raise ImproperlyConfigured(
                f"TASVIEH_LDAP_SERVER_URI: {uri!r} is not ldap://host[:port] or ldaps://host[:port]"
            )
    return [uri.rstrip("/").lower() for uri in uris]


def _positive_seconds(name: str, default: float) -> float:
    value = env_float(name, default)
    if not 0 < value <= 120:
        raise ImproperlyConfigured(f"{name} must be a number of seconds above 0, got {value}")
    return value


def _check_filter(name: str, value: str, *, needs_user: bool) -> None:
    if not (value.startswith("(") and value.endswith(")")) or value.count("(") != value.count(")"):
        raise ImproperlyConfigured(f"{name} is not an LDAP filter in parentheses: {value!r}")
    if needs_user and "%(user)s" not in value:
        raise ImproperlyConfigured(f"{name} must contain %(user)s where the username goes")
    try:
        value % {"user": "x"}
    except (KeyError, ValueError, TypeError) as exc:
        raise ImproperlyConfigured(
            f"{name}: write a literal % as %% (only %(user)s is replaced): {value!r}"
        ) from exc


def _bind_password() -> str:
    password = env_secret("TASVIEH_LDAP_BIND_PASSWORD")
    if not password:
        raise ImproperlyConfigured(
            "TASVIEH_LDAP_BIND_DN is set: give its password in TASVIEH_LDAP_BIND_PASSWORD "
            "or TASVIEH_LDAP_BIND_PASSWORD_FILE"
        )
    return password


def _attribute_map() -> dict[str, str]:
    fields = {
        "first_name": ("TASVIEH_LDAP_ATTR_FIRST_NAME", "givenName"),
        "last_name": ("TASVIEH_LDAP_ATTR_LAST_NAME", "sn"),
        "email": ("TASVIEH_LDAP_ATTR_EMAIL", "mail"),
        "student_number": ("TASVIEH_LDAP_ATTR_STUDENT_NUMBER", ""),
    }
    mapping = {}
    for field, (name, default) in fields.items():
        attribute = env_str(name, default).strip()
        if attribute and not re.fullmatch(r"[A-Za-z][A-Za-z0-9-]*", attribute):
            raise ImproperlyConfigured(f"{name} must be an attribute name, got {attribute!r}")
        if attribute:
            mapping[field] = attribute
    return mapping


def _group_type() -> LDAPGroupType:
    kind = env_str("TASVIEH_LDAP_GROUP_TYPE", "nested").strip().lower() or "nested"
    if kind == "nested":
        return NestedActiveDirectoryGroupType()
    if kind == "direct":
        return ActiveDirectoryGroupType()
    if kind == "member_of":
        return directory.MemberOfGroupType()
    raise ImproperlyConfigured(
        f"TASVIEH_LDAP_GROUP_TYPE must be one of {', '.join(GROUP_TYPES)}, got {kind!r}"
    )
