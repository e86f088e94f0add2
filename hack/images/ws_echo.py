"""A websocket round trip with nothing but the standard library: python3 ws_echo.py <host> <port> <path> <Host header>.

Opens the websocket, sends one masked text frame, and exits 0 when the same text comes back (1 otherwise,
saying what came instead). Every socket operation times out after 5 s.
"""
import base64
import os
import socket
import struct
import sys

host, port, path, host_header = sys.argv[1], int(sys.argv[2]), sys.argv[3], sys.argv[4]
message = b"hello from the images suite"
key = base64.b64encode(os.urandom(16)).decode()

with socket.create_connection((host, port), timeout=5) as sock:
    sock.sendall((f"GET {path} HTTP/1.1\r\nHost: {host_header}\r\nUpgrade: websocket\r\nConnection: Upgrade\r\n"
                  f"Sec-WebSocket-Key: {key}\r\nSec-WebSocket-Version: 13\r\n\r\n").encode())
    response = b""
    while b"\r\n\r\n" not in response:
        chunk = sock.recv(4096)
        if not chunk:
            sys.exit(f"ws_echo: the server closed the connection during the handshake: {response!r}")
        response += chunk
    status, _, rest = response.partition(b"\r\n\r\n")
    if not status.startswith(b"HTTP/1.1 101"):
        sys.exit(f"ws_echo: expected 101 Switching Protocols; got {status.splitlines()[0]!r}")
    mask = os.urandom(4)
    masked = bytes(b ^ mask[i % 4] for i, b in enumerate(message))
    sock.sendall(struct.pack("!BB", 0x81, 0x80 | len(message)) + mask + masked)
    frame = rest
    while len(frame) < 2 or len(frame) < 2 + (frame[1] & 0x7F):
        chunk = sock.recv(4096)
        if not chunk:
            sys.exit(f"ws_echo: the server closed the connection before echoing; got {frame!r}")
        frame += chunk
    payload = frame[2:2 + (frame[1] & 0x7F)]
    if frame[0] != 0x81 or payload != message:
        sys.exit(f"ws_echo: expected a text frame {message!r}; got opcode {frame[0]:#x} payload {payload!r}")
print(f"ws_echo: {path} echoed {len(message)} bytes")
