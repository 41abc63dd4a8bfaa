"""The audit log's hash chain. Plain Python: no Django here.

Each row's hash is HMAC-SHA256(key, previous row's hash || canonical JSON of the row's fields), so
editing a row breaks its own hash and removing one breaks the link of the next. The key is not in
the database (settings.AUDIT_CHAIN_KEY): whoever can rewrite the table but does not hold the key
cannot compute a chain that verifies (with a plain hash, anyone could). Removing the newest rows is
only visible against a copy of the chain head kept elsewhere: the log and every court report get one.
"""

import hashlib
import hmac
import ipaddress
import json
from datetime import UTC, datetime

GENESIS = b"\x00" * 32
FIELDS = (
    "at",
    "actor_id",
    "actor_name",
    "action",
    "target_type",
    "target_id",
    "target_label",
    "dossier_id",
    "ip",
    "detail",
)


def canonical(fields: dict) -> bytes:
    values = dict(fields)
    at: datetime = values["at"]
    values["at"] = at.astimezone(UTC).strftime("%Y-%m-%dT%H:%M:%S.%fZ")
    if values["ip"]:
        values["ip"] = ipaddress.ip_address(values["ip"]).compressed
    return json.dumps(
        [values[name] for name in FIELDS], sort_keys=True, separators=(",", ":"), ensure_ascii=False
    ).encode()


def unkeyed_chain_hash(previous: bytes, fields: dict) -> bytes:
    """The chain before it was keyed: what migrations audit 0003 and 0004 read. Never for new rows."""
    return hashlib.sha256(bytes(previous) + canonical(fields)).digest()


def chain_hash(previous: bytes, fields: dict, *, key: bytes) -> bytes:
    if not key:
        raise ValueError("The audit chain needs a key.")
    return hmac.new(key, bytes(previous) + canonical(fields), hashlib.sha256).digest()


def verify(rows, *, key: bytes) -> list[str]:
    """Walk ``(id, previous_hash, row_hash, fields)`` in id order; return what is wrong, in words.

    A row hashed with another key (or none) reads as edited: only the key's holder writes the chain.
    """
    problems = []
    expected_previous = GENESIS
    for row_id, previous_hash, row_hash, fields in rows:
        previous_hash, row_hash = bytes(previous_hash or b""), bytes(row_hash or b"")
        if previous_hash != expected_previous:
            problems.append(
                f"event {row_id}: its link does not match the event before it (an event was removed or inserted)"
            )
        if not hmac.compare_digest(chain_hash(previous_hash, fields, key=key), row_hash):
            problems.append(f"event {row_id}: its content does not match its hash (the event was edited)")
        expected_previous = row_hash
    return problems
