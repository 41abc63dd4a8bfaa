"""Password hashing for the tests: Django's PBKDF2 with 1,000 iterations instead of 1,000,000.

Each test user's password cost 0.45 s to hash (and each login as much to check): three users a
dossier made password hashing most of the suite's set-up time. The hash keeps the algorithm's name
and carries its iteration count, so a server the tests start in a process of its own (with the
product's settings) checks it too, then stores it again at full strength."""

from django.contrib.auth.hashers import PBKDF2PasswordHasher


class QuickPBKDF2PasswordHasher(PBKDF2PasswordHasher):
    iterations = 1_000
