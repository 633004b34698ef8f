"""The application's field cipher: encryption and keyed hashes of ID numbers, bank accounts and
complainant identities, configured from the keys every instance shares."""

from flask import current_app

from core.crypto import FieldCipher, keys_from_setting


def field_cipher() -> FieldCipher:
    """The cipher for the current app, built once from its configuration."""
    cipher = current_app.extensions.get("field_cipher")
    if cipher is None:
        keys, current = keys_from_setting(current_app.config["DATA_ENCRYPTION_KEY"])
        cipher = FieldCipher(
            current_app.config["CRYPTO_PROFILE"], keys, current, hmac_key=current_app.config["ID_HMAC_KEY"]
        )
        current_app.extensions["field_cipher"] = cipher
    return cipher
