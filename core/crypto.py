"""Field encryption and keyed hashes for ID numbers, bank accounts and other identities.

Two profiles: "aes" (AES-256-GCM + HMAC-SHA256, the default) and "sm" (SM4-GCM + HMAC-SM3,
国密). A token names its format version, profile and key id — ``v1:aes:k2:<nonce+ciphertext>`` —
so keys and even profiles can change while old tokens stay readable, and a re-encrypt job can
find what is left to rotate. Lookup hashes and public references use their own key, so rotating
the encryption key never changes them. No Flask here: callers pass key material in.
"""

import base64
import binascii
import hashlib
import hmac
import os
import re
import unicodedata
from collections.abc import Callable, Mapping
from dataclasses import dataclass

from cryptography.exceptions import InvalidTag
from cryptography.hazmat.primitives import hashes
from cryptography.hazmat.primitives import hmac as crypto_hmac
from cryptography.hazmat.primitives.ciphers import BlockCipherAlgorithm, Cipher, algorithms, modes
from cryptography.hazmat.primitives.kdf.hkdf import HKDF

TOKEN_VERSION = "v1"
NONCE_SIZE = 12  # 96 bits, the GCM size that needs no extra hashing of the IV
TAG_SIZE = 16
MIN_KEY_MATERIAL = 16
KEY_ID = re.compile(r"[A-Za-z0-9_-]{1,32}")
CROCKFORD = "0123456789ABCDEFGHJKMNPQRSTVWXYZ"  # no I, L, O, U: nothing to misread aloud
PUBLIC_REF_LENGTH = 8  # 40 bits: plenty to tell namesakes apart within a county

# HKDF labels: one master secret, unrelated subkeys for unrelated jobs.
INFO_ENCRYPT = b"yangguang-cunwu/v1/encrypt"
INFO_LOOKUP = b"yangguang-cunwu/v1/lookup-hmac"
INFO_PUBLIC_REF = b"yangguang-cunwu/v1/public-ref"

KeyMaterial = bytes | str


class TokenError(ValueError):
    """A token is malformed, was tampered with, or its key is not configured."""


@dataclass(frozen=True)
class Profile:
    """One algorithm family: a 128-bit-block cipher in GCM mode and a hash for HMAC and HKDF."""

    name: str
    cipher: Callable[[bytes], BlockCipherAlgorithm]
    key_size: int
    digest: Callable[[], hashes.HashAlgorithm]

    def seal(self, key: bytes, nonce: bytes, plaintext: bytes, aad: bytes) -> bytes:
        """GCM-encrypt; returns ciphertext followed by the 16-byte tag."""
        encryptor = Cipher(self.cipher(key), modes.GCM(nonce)).encryptor()
        encryptor.authenticate_additional_data(aad)
        return encryptor.update(plaintext) + encryptor.finalize() + encryptor.tag

    def open(self, key: bytes, nonce: bytes, sealed: bytes, aad: bytes) -> bytes:
        """GCM-decrypt ciphertext+tag; raises InvalidTag when anything was altered."""
        ciphertext, tag = sealed[:-TAG_SIZE], sealed[-TAG_SIZE:]
        decryptor = Cipher(self.cipher(key), modes.GCM(nonce, tag)).decryptor()
        decryptor.authenticate_additional_data(aad)
        return decryptor.update(ciphertext) + decryptor.finalize()

    def mac(self, key: bytes, data: bytes) -> bytes:
        """HMAC of data with this profile's hash."""
        signer = crypto_hmac.HMAC(key, self.digest())
        signer.update(data)
        return signer.finalize()

    def derive(self, material: bytes, info: bytes, length: int) -> bytes:
        """A fixed-length subkey for one purpose (HKDF with this profile's hash)."""
        return HKDF(algorithm=self.digest(), length=length, salt=None, info=info).derive(material)


PROFILES = {
    "aes": Profile("aes", algorithms.AES, 32, hashes.SHA256),
    "sm": Profile("sm", algorithms.SM4, 16, hashes.SM3),
}


def _material(value: KeyMaterial) -> bytes:
    # Text (e.g. secrets.token_urlsafe) is used as UTF-8 bytes, not base64-decoded, so any
    # configured string works and keeps all its entropy; HKDF does the shaping.
    raw = value.encode() if isinstance(value, str) else bytes(value)
    if len(raw) < MIN_KEY_MATERIAL:
        raise ValueError(f"key material must be at least {MIN_KEY_MATERIAL} bytes")
    return raw


def _b64encode(data: bytes) -> str:
    return base64.urlsafe_b64encode(data).rstrip(b"=").decode("ascii")


def _b64decode(text: str) -> bytes:
    # validate=True: a stray character is an error, not silently skipped
    return base64.b64decode(text + "=" * (-len(text) % 4), altchars=b"-_", validate=True)


def normalise(value: str) -> str:
    """The form a value is hashed in: NFKC (full-width Ｘ/１ from phone keyboards), stripped, upper."""
    return unicodedata.normalize("NFKC", value).strip().upper()


class FieldCipher:
    """Encrypts fields under the current key and hashes them under a separate lookup key."""

    def __init__(self, profile: str, keys: Mapping[str, KeyMaterial], current_key_id: str, *, hmac_key: KeyMaterial):
        if profile not in PROFILES:
            raise ValueError(f"unknown crypto profile {profile!r}; expected one of {sorted(PROFILES)}")
        bad_ids = [key_id for key_id in keys if not KEY_ID.fullmatch(key_id)]
        if bad_ids:
            raise ValueError(f"key ids must match {KEY_ID.pattern}: {bad_ids}")
        if current_key_id not in keys:
            raise ValueError(f"current key id {current_key_id!r} is not among the configured keys")
        self.profile = PROFILES[profile]
        self.current_key_id = current_key_id
        self._materials = {key_id: _material(value) for key_id, value in keys.items()}
        self._subkeys: dict[tuple[str, str], bytes] = {}
        lookup_material = _material(hmac_key)
        self._lookup_key = self.profile.derive(lookup_material, INFO_LOOKUP, 32)
        self._public_ref_key = self.profile.derive(lookup_material, INFO_PUBLIC_REF, 32)

    def _encryption_key(self, profile: Profile, key_id: str) -> bytes:
        cache_key = (profile.name, key_id)
        if cache_key not in self._subkeys:
            material = self._materials[key_id]
            self._subkeys[cache_key] = profile.derive(material, INFO_ENCRYPT, profile.key_size)
        return self._subkeys[cache_key]

    def encrypt(self, plaintext: str) -> str:
        """A token ``v1:<profile>:<key id>:<base64url nonce+ciphertext+tag>`` under the current key."""
        return self.encrypt_bytes(plaintext.encode("utf-8"))

    def encrypt_bytes(self, data: bytes) -> str:
        """The same token for bytes (a file kept for a while, not a field)."""
        header = f"{TOKEN_VERSION}:{self.profile.name}:{self.current_key_id}"
        nonce = os.urandom(NONCE_SIZE)
        key = self._encryption_key(self.profile, self.current_key_id)
        # The header is authenticated too, so a token cannot be relabelled to another key or profile.
        sealed = self.profile.seal(key, nonce, data, header.encode("ascii"))
        return f"{header}:{_b64encode(nonce + sealed)}"

    def decrypt(self, token: str) -> str:
        """The plaintext of a token made under any configured key id (and either profile)."""
        return self.decrypt_bytes(token).decode("utf-8")

    def decrypt_bytes(self, token: str) -> bytes:
        """The bytes of a token made by encrypt_bytes (or encrypt)."""
        profile, key_id, body = self._parse(token)
        if key_id not in self._materials:
            raise TokenError(f"token key id {key_id!r} is not configured (rotated away?)")
        nonce, sealed = body[:NONCE_SIZE], body[NONCE_SIZE:]
        header = token.rsplit(":", 1)[0]
        try:
            plaintext = profile.open(self._encryption_key(profile, key_id), nonce, sealed, header.encode("ascii"))
        except InvalidTag:
            raise TokenError("token failed authentication: tampered with or wrong key") from None
        return plaintext

    def needs_rotation(self, token: str) -> bool:
        """True when a token was made under another key id or profile than the current ones."""
        profile, key_id, _ = self._parse(token)
        return key_id != self.current_key_id or profile is not self.profile

    def rotate(self, token: str) -> str:
        """The same plaintext re-encrypted under the current key (unchanged tokens pass through)."""
        return self.encrypt(self.decrypt(token)) if self.needs_rotation(token) else token

    def lookup_hash(self, value: str) -> str:
        """Hex HMAC of the normalised value for exact-match lookups and joins."""
        return self.profile.mac(self._lookup_key, normalise(value).encode("utf-8")).hex()

    def public_ref(self, value: str) -> str:
        """A short stable opaque reference (Crockford base32) to tell namesakes apart in public."""
        digest = self.profile.mac(self._public_ref_key, normalise(value).encode("utf-8"))
        bits = 5 * PUBLIC_REF_LENGTH
        number = int.from_bytes(digest, "big") >> (8 * len(digest) - bits)
        return "".join(CROCKFORD[(number >> shift) & 31] for shift in range(bits - 5, -1, -5))

    def _parse(self, token: str) -> tuple[Profile, str, bytes]:
        parts = token.split(":")
        if len(parts) != 4 or parts[0] != TOKEN_VERSION or parts[1] not in PROFILES:
            raise TokenError("not a v1 field token")
        try:
            body = _b64decode(parts[3])
        except (ValueError, binascii.Error):
            raise TokenError("token body is not base64url") from None
        if len(body) < NONCE_SIZE + TAG_SIZE:
            raise TokenError("token body is too short")
        return PROFILES[parts[1]], parts[2], body


def keys_from_setting(setting: str, default_id: str = "k1") -> tuple[dict[str, str], str]:
    """Parse ``"k2:material,k1:material"`` (first is current) or a bare material (as default_id)."""
    entries = [entry.strip() for entry in setting.split(",") if entry.strip()]
    if len(entries) == 1 and ":" not in entries[0]:
        return {default_id: entries[0]}, default_id
    pairs = [entry.split(":", 1) for entry in entries]
    keys = dict(pair for pair in pairs if len(pair) == 2)
    if not entries or len(keys) != len(entries):
        raise ValueError("key setting must be 'id:material' entries separated by commas, ids unique")
    return keys, pairs[0][0]


def hash_secret(secret: str, key: KeyMaterial) -> str:
    """Hex HMAC-SHA256 of a tracking secret (surrounding whitespace from copy-paste ignored)."""
    return hmac.new(_material(key), secret.strip().encode("utf-8"), hashlib.sha256).hexdigest()


def verify_secret(secret: str, stored: str, key: KeyMaterial) -> bool:
    """Whether a secret matches a stored hash_secret value, in constant time."""
    stored = stored.strip().lower()
    if not stored.isascii():  # compare_digest refuses non-ASCII text; such a value never matches
        return False
    return hmac.compare_digest(hash_secret(secret, key), stored)
