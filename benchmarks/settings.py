"""The production settings for the load test's gunicorn, but for one thing: the seeded
accounts' passwords are checked at the seeding's few rounds and never re-hashed.

In production a student's or expert's password is checked by Active Directory, not by this
server; here the accounts are local, and re-hashing each at Django's 1,000,000 PBKDF2
rounds on its first sign-in (≈ 0.35 s of a core each) would spend a third of the two cores
of a 100-user run on sign-ins the portal never does.
"""

from django.conf import global_settings

from clearance.settings import *  # noqa: F403

PASSWORD_HASHERS = ["benchmarks.hashers.QuickPBKDF2Hasher", *global_settings.PASSWORD_HASHERS]
