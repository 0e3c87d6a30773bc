"""The platform services a shell provides, implemented in Python: what the foreign traits
KeyStore, Signer, ChangeListener and Logger look like to a Python host.

The signer and the key store use `cryptography` (P-256 ECDSA, AES-256-GCM), standing in for
what the Android Keystore and the Secure Enclave do on a phone.
"""

import os
import threading

from cryptography.hazmat.primitives import hashes, serialization
from cryptography.hazmat.primitives.asymmetric import ec
from cryptography.hazmat.primitives.ciphers.aead import AESGCM

import danbao
import danbao_client

NONCE_BYTES = 12
# Bound into every wrapped key, so a blob wrapped for something else does not unwrap here.
WRAP_CONTEXT = b"danbao data key v1"


class AesGcmKeyStore(danbao.KeyStore):
    """Wraps the database's data key with AES-256-GCM under a key held only in memory."""

    def __init__(self):
        self._aead = AESGCM(AESGCM.generate_key(bit_length=256))
        self.wraps = 0
        self.unwraps = 0

    def wrap(self, plaintext_key: bytes) -> bytes:
        self.wraps += 1
        nonce = os.urandom(NONCE_BYTES)
        return nonce + self._aead.encrypt(nonce, plaintext_key, WRAP_CONTEXT)

    def unwrap(self, wrapped_key: bytes) -> bytes:
        self.unwraps += 1
        nonce, sealed = wrapped_key[:NONCE_BYTES], wrapped_key[NONCE_BYTES:]
        try:
            return self._aead.decrypt(nonce, sealed, WRAP_CONTEXT)
        except Exception as error:  # InvalidTag: another key wrapped it, or it was altered
            raise danbao.PlatformError.Failed(
                f"the data key does not unwrap with this key store ({type(error).__name__})"
            ) from error


class P256Signer(danbao.Signer):
    """The device key: a P-256 key pair; signs DER ECDSA over SHA-256."""

    def __init__(self):
        self._key = ec.generate_private_key(ec.SECP256R1())
        self.signatures = 0

    def public_key(self) -> bytes:
        return self._key.public_key().public_bytes(
            serialization.Encoding.X962, serialization.PublicFormat.UncompressedPoint
        )

    def sign(self, message: bytes) -> bytes:
        self.signatures += 1
        return self._key.sign(message, ec.ECDSA(hashes.SHA256()))


class RefusingSigner(P256Signer):
    """A device key whose platform refuses to sign (the user cancelled the biometric prompt)."""

    def sign(self, message: bytes) -> bytes:
        raise danbao.PlatformError.Failed("the user cancelled the biometric prompt")


class CrashingSigner(P256Signer):
    """A device key whose platform code has a bug: it raises something unexpected."""

    def sign(self, message: bytes) -> bytes:
        raise ZeroDivisionError("the signer's own bug")


class RecordingListener(danbao.ChangeListener):
    """Keeps every change it is told about (called on a core thread, hence the lock)."""

    def __init__(self):
        self._lock = threading.Lock()
        self._changes = []

    def on_change(self, change: danbao_client.Change) -> None:
        with self._lock:
            self._changes.append(change)

    def take(self) -> set:
        """The changes seen since the last take."""
        with self._lock:
            seen, self._changes = set(self._changes), []
        return seen


class CollectingLogger(danbao.Logger):
    """Keeps every log line the core sends."""

    def __init__(self):
        self._lock = threading.Lock()
        self._records = []

    def log(self, record: danbao.LogRecord) -> None:
        with self._lock:
            self._records.append(record)

    def records(self) -> list:
        with self._lock:
            return list(self._records)
