"""The benchmark's password hash: PBKDF2 as production verifies it, with few rounds."""

from django.contrib.auth.hashers import PBKDF2PasswordHasher


class QuickPBKDF2Hasher(PBKDF2PasswordHasher):
    iterations = 1000
