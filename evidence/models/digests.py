"""Digests stored as bytes, shown as hex: a mixin of the models that hold them."""


class HexDigests:
    """Digests are stored as bytes and shown as lowercase hex."""

    def hex(self, algorithm: str) -> str:
        value = getattr(self, algorithm)
        return bytes(value).hex() if value is not None else ""

    @property
    def md5_hex(self) -> str:
        return self.hex("md5")

    @property
    def sha1_hex(self) -> str:
        return self.hex("sha1")

    @property
    def sha256_hex(self) -> str:
        return self.hex("sha256")
