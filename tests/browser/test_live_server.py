"""The browser tests' live server itself: a browser that drops a connection leaves nothing open."""

import gc
import socket
import struct
import time
from urllib.parse import urlsplit

from flask import url_for


def test_a_reset_connection_leaves_no_static_file_open(app, live_server):
    with app.test_request_context():
        script = url_for("static", filename="js/text-size.js")
    address = urlsplit(live_server)
    with socket.create_connection((address.hostname, address.port)) as browser:
        # A request whose body is still arriving: the server waits for it after answering, and the
        # browser then resets the connection, as one does when its user leaves mid-load.
        browser.sendall(f"GET {script} HTTP/1.1\r\nHost: {address.netloc}\r\nContent-Length: 100\r\n\r\npart".encode())
        answer = browser.makefile("rb")
        status = answer.readline()
        headers = dict(line.decode().strip().split(": ", 1) for line in iter(answer.readline, b"\r\n"))
        answer.read(int(headers["Content-Length"]))
        browser.setsockopt(socket.SOL_SOCKET, socket.SO_LINGER, struct.pack("ii", 1, 0))
        answer.close()
    assert status.startswith(b"HTTP/1.1 200")
    time.sleep(0.5)  # the server's thread meets the reset
    gc.collect()
