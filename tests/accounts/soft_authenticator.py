"""A software security key for the tests: an EC P-256 key made here, answering WebAuthn ceremonies
as a USB key would (attestation "none"), built by hand from the specification."""

import hashlib
import json
import os
import struct

import cbor2
from cryptography.hazmat.primitives import hashes
from cryptography.hazmat.primitives.asymmetric import ec
from webauthn.helpers import base64url_to_bytes, bytes_to_base64url

USER_PRESENT = 0x01
ATTESTED_CREDENTIAL = 0x40


class SoftAuthenticator:
    def __init__(self, origin: str = "http://testserver"):
        self.origin = origin
        self.private_key = ec.generate_private_key(ec.SECP256R1())
        self.credential_id = os.urandom(16)
        self.sign_count = 0

    def _client_data(self, kind: str, challenge: str) -> bytes:
        return json.dumps({"type": kind, "challenge": challenge, "origin": self.origin, "crossOrigin": False}).encode()

    def _cose_key(self) -> bytes:
        numbers = self.private_key.public_key().public_numbers()
        return cbor2.dumps({1: 2, 3: -7, -1: 1, -2: numbers.x.to_bytes(32, "big"), -3: numbers.y.to_bytes(32, "big")})

    def create(self, options: dict) -> dict:
        """Answer ``navigator.credentials.create`` options (as the server sent them, JSON)."""
        rp_hash = hashlib.sha256(options["rp"]["id"].encode()).digest()
        attested = bytes(16) + struct.pack(">H", len(self.credential_id)) + self.credential_id + self._cose_key()
        auth_data = rp_hash + bytes([USER_PRESENT | ATTESTED_CREDENTIAL]) + struct.pack(">I", 0) + attested
        attestation = cbor2.dumps({"fmt": "none", "attStmt": {}, "authData": auth_data})
        client_data = self._client_data("webauthn.create", options["challenge"])
        return {
            "id": bytes_to_base64url(self.credential_id),
            "rawId": bytes_to_base64url(self.credential_id),
            "type": "public-key",
            "response": {
                "clientDataJSON": bytes_to_base64url(client_data),
                "attestationObject": bytes_to_base64url(attestation),
                "transports": ["usb"],
            },
            "clientExtensionResults": {},
            "authenticatorAttachment": "cross-platform",
        }

    def get(self, options: dict, *, rp_id: str = "testserver", sign_count: int | None = None, key=None) -> dict:
        """Answer ``navigator.credentials.get`` options: sign authenticatorData || sha256(clientData)."""
        self.sign_count = self.sign_count + 1 if sign_count is None else sign_count
        assert bytes_to_base64url(self.credential_id) in [c["id"] for c in options["allowCredentials"]]
        auth_data = hashlib.sha256(rp_id.encode()).digest() + bytes([USER_PRESENT]) + struct.pack(">I", self.sign_count)
        client_data = self._client_data("webauthn.get", options["challenge"])
        signer = key or self.private_key
        signature = signer.sign(auth_data + hashlib.sha256(client_data).digest(), ec.ECDSA(hashes.SHA256()))
        return {
            "id": bytes_to_base64url(self.credential_id),
            "rawId": bytes_to_base64url(self.credential_id),
            "type": "public-key",
            "response": {
                "clientDataJSON": bytes_to_base64url(client_data),
                "authenticatorData": bytes_to_base64url(auth_data),
                "signature": bytes_to_base64url(signature),
            },
            "clientExtensionResults": {},
        }


def challenge_of(options: dict) -> bytes:
    return base64url_to_bytes(options["challenge"])
