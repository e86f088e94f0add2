"""The shop's asset library end to end, as a client sees it (Python's standard library only):
python3 asset_journey.py <edge base URL> <backend base URL> <host> <user> <password>

1. An image (a BMP of random pixels, about 5.5 MiB) is uploaded through the edge with the kit's chunked
   upload: two parts (5 MiB, the rest), then completed; S3 assembles it.
2. It is registered as an asset; a Celery worker reads it from S3, records its size and sha256, and
   stores a thumbnail.
3. It downloads through the edge (the backend answers X-Accel-Redirect, the edge streams from S3) with
   equal bytes; the backend's own answer has an X-Accel-Redirect header and no body. The thumbnail
   downloads too, as a PNG of at most 256 pixels a side.
Prints one line of figures; exits 1 naming the step that failed. Every request has a timeout, and the
wait for the worker is bounded.
"""
import base64
import hashlib
import json
import os
import struct
import sys
import time
import urllib.error
import urllib.request

edge, backend, host, user, password = sys.argv[1:6]
PART = 5 * 1024 * 1024
AUTH = "Basic " + base64.b64encode(f"{user}:{password}".encode()).decode()


def fail(step, message):
    sys.exit(f"asset journey: FAILED at {step}: {message}")


def call(step, method, url, body=None, content_type="application/json", expect=200):
    request = urllib.request.Request(url, data=body, method=method,
                                     headers={"Host": host, "Authorization": AUTH, "Content-Type": content_type})
    try:
        with urllib.request.urlopen(request, timeout=30) as response:
            status, headers, data = response.status, response.headers, response.read()
    except urllib.error.HTTPError as error:
        status, headers, data = error.code, error.headers, error.read()
    if status != expect:
        fail(step, f"{method} {url} answered {status} (expected {expect}): {data[:300]!r}")
    return headers, data


def bmp(width, height):
    """An uncompressed 24-bit BMP of random pixels: Pillow reads it, and no two runs share a sha256."""
    row = (width * 3 + 3) & ~3
    pixels = os.urandom(row * height)
    header = struct.pack("<2sIHHI", b"BM", 54 + len(pixels), 0, 0, 54)
    info = struct.pack("<IiiHHIIiiII", 40, width, height, 1, 24, 0, len(pixels), 2835, 2835, 0, 0)
    return header + info + pixels


original = bmp(1600, 1200)
digest = hashlib.sha256(original).hexdigest()
parts = [original[i:i + PART] for i in range(0, len(original), PART)]

_, data = call("start", "POST", f"{edge}/upload/", json.dumps({"filename": "photo.bmp", "content_type": "image/bmp"}).encode(), expect=201)
upload = json.loads(data)["id"]
for number, part in enumerate(parts, 1):
    call(f"part {number}", "PUT", f"{edge}/upload/{upload}/parts/{number}", part, "application/octet-stream")
_, data = call("complete", "POST", f"{edge}/upload/{upload}/complete")
if json.loads(data)["size"] != len(original):
    fail("complete", f"S3 assembled {json.loads(data)['size']} bytes of {len(original)}")

_, data = call("register", "POST", f"{edge}/api/assets/", json.dumps({"upload": upload}).encode(), expect=201)
asset_id = json.loads(data)["id"]
deadline = time.monotonic() + 60
while True:
    _, data = call("processing", "GET", f"{edge}/api/assets/{asset_id}")
    asset = json.loads(data)
    if asset["state"] != "pending" or time.monotonic() > deadline:
        break
    time.sleep(0.5)
if asset["state"] != "processed":
    fail("processing", f"the asset is {asset['state']} after 60 s: {asset}")
if asset["sha256"] != digest or asset["size"] != len(original) or not asset["thumbnail"]:
    fail("processing", f"the worker found {asset}, the client sent {len(original)} bytes with sha256 {digest}")

headers, body = call("download from the backend", "GET", f"{backend}/api/assets/{asset_id}/download")
if not headers.get("X-Accel-Redirect") or body:
    fail("download from the backend", f"X-Accel-Redirect {headers.get('X-Accel-Redirect')!r}, a body of {len(body)} bytes")
_, body = call("download through the edge", "GET", f"{edge}/api/assets/{asset_id}/download")
if hashlib.sha256(body).hexdigest() != digest:
    fail("download through the edge", f"{len(body)} bytes with another sha256 than the {len(original)} sent")
_, thumb = call("thumbnail", "GET", f"{edge}/api/assets/{asset_id}/thumbnail")
if thumb[:8] != b"\x89PNG\r\n\x1a\n":
    fail("thumbnail", f"not a PNG: {thumb[:16]!r}")
width, height = struct.unpack(">II", thumb[16:24])
if max(width, height) > 256:
    fail("thumbnail", f"{width}x{height} is larger than 256 pixels a side")
print(f"asset journey: {len(parts)} parts via the edge, sha256 equal after S3 and the worker, downloaded through "
      f"the edge with equal bytes (the backend's answer: X-Accel-Redirect, 0 bytes), thumbnail {width}x{height}")
