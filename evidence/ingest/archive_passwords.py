"""A job's archive password, kept encrypted (AES-GCM under a key derived from SECRET_KEY) until the job ends.

The workers that walk a job's archives need its password, possibly long after it was typed and
on another machine, and again if a worker is killed and its batch rerun. It is therefore kept on
the job, but never in clear: neither in the database nor in the task messages. The job wipes it
when it ends (done, failed or cancelled).
"""

import hashlib
import os

from Cryptodome.Cipher import AES
from django.conf import settings

NONCE = 12
TAG = 16


def _key() -> bytes:
    return hashlib.sha256(b"scelle.archive-password\x00" + settings.SECRET_KEY.encode()).digest()


def encrypt(password: str) -> bytes:
    nonce = os.urandom(NONCE)
    cipher = AES.new(_key(), AES.MODE_GCM, nonce=nonce)
    ciphertext, tag = cipher.encrypt_and_digest(password.encode("utf-8"))
    return nonce + tag + ciphertext


def decrypt(encrypted: bytes | memoryview | None) -> bytes | None:
    """The password's bytes, or None if there is none (or SECRET_KEY changed since: it cannot be opened)."""
    if not encrypted:
        return None
    encrypted = bytes(encrypted)
    cipher = AES.new(_key(), AES.MODE_GCM, nonce=encrypted[:NONCE])
    try:
        return cipher.decrypt_and_verify(encrypted[NONCE + TAG :], encrypted[NONCE : NONCE + TAG])
    except ValueError:
        return None
