"""The complaint form's POST body as a phone sends it, for the benches that file cases."""

import secrets


def multipart(fields: dict, photo: bytes | None = None) -> tuple[bytes, str]:
    """multipart/form-data (the form's enctype): the fields, one JPEG or an empty photo input, and
    the recording input left empty. Returns the body and its Content-Type."""
    boundary = "----bench" + secrets.token_hex(12)
    parts = [
        f'--{boundary}\r\nContent-Disposition: form-data; name="{name}"\r\n\r\n{value}\r\n'.encode()
        for name, value in fields.items()
    ]
    filename, content_type, content = (
        ("road.jpg", "image/jpeg", photo) if photo else ("", "application/octet-stream", b"")
    )
    parts.append(
        f'--{boundary}\r\nContent-Disposition: form-data; name="photos"; filename="{filename}"\r\n'
        f"Content-Type: {content_type}\r\n\r\n".encode()
        + content
        + b"\r\n"
    )
    parts.append(
        f'--{boundary}\r\nContent-Disposition: form-data; name="voice"; filename=""\r\n'
        f"Content-Type: application/octet-stream\r\n\r\n\r\n".encode()
    )
    return b"".join(parts) + f"--{boundary}--\r\n".encode(), f"multipart/form-data; boundary={boundary}"
