"""The shop's asset library end to end, as a client sees it (Python's standard library only).

    python3 asset_journey.py --edge URL --host HOST --user USER --password PASSWORD
                             [--parts-via URL[,URL...]] [--backend URL] [--size MIB] [--part MIB] [--image]

1. A file is uploaded with the kit's chunked upload, its parts sent to the --parts-via URLs in turn (the
   edge by default; on the real nodes, one port-forward per backend pod), then completed: S3 assembles it.
   --image makes it a BMP of random pixels (about 5.5 MiB, two parts, so that the worker makes a
   thumbnail); otherwise --size MiB of random bytes in --part MiB parts.
2. It is registered as an asset; a Celery worker reads it from S3 and records its size and sha256 (and for
   an image stores a thumbnail).
3. It downloads through the edge (the backend answers X-Accel-Redirect, the edge streams from S3) with
   equal bytes. The backend's own answer (--backend, default the first --parts-via URL) has an
   X-Accel-Redirect header and no body. An image's thumbnail downloads as a PNG of at most 256 pixels.
Prints `parts: <parts> via <n> endpoints, sha256 equal` and one line for the rest; exits 1 naming the
step that failed. Every request has a timeout, and the wait for the worker is bounded.
"""
import argparse
import base64
import hashlib
import json
import os
import struct
import sys
import time
import urllib.error
import urllib.request

MIB = 1024 * 1024

parser = argparse.ArgumentParser()
parser.add_argument("--edge", required=True)
parser.add_argument("--host", required=True, help="the Host header: the Ingress host")
parser.add_argument("--user", required=True)
parser.add_argument("--password", required=True)
parser.add_argument("--parts-via", help="comma-separated base URLs that take the parts in turn (default: the edge)")
parser.add_argument("--backend", help="a backend's base URL, for its own answer to a download (default: the first --parts-via)")
parser.add_argument("--size", type=float, default=64, help="MiB of random bytes (without --image)")
parser.add_argument("--part", type=float, default=8, help="MiB per part (5 at least, S3's rule)")
parser.add_argument("--image", action="store_true")
parser.add_argument("--wait", type=float, default=120, help="seconds to wait for the worker")
args = parser.parse_args()
parts_via = (args.parts_via or args.edge).split(",")
backend = args.backend or parts_via[0]
AUTH = "Basic " + base64.b64encode(f"{args.user}:{args.password}".encode()).decode()


def fail(step, message):
    sys.exit(f"asset journey: FAILED at {step}: {message}")


def call(step, method, url, body=None, content_type="application/json", expect=200):
    request = urllib.request.Request(url, data=body, method=method,
                                     headers={"Host": args.host, "Authorization": AUTH, "Content-Type": content_type})
    try:
        with urllib.request.urlopen(request, timeout=60) as response:
            status, headers, data = response.status, response.headers, response.read()
    except urllib.error.HTTPError as error:
        status, headers, data = error.code, error.headers, error.read()
    except OSError as error:
        fail(step, f"{method} {url}: {error}")
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


if args.image:
    original, filename, content_type, part_size = bmp(1600, 1200), "photo.bmp", "image/bmp", 5 * MIB
else:
    original, filename, content_type, part_size = os.urandom(int(args.size * MIB)), "original.bin", "application/octet-stream", int(args.part * MIB)
digest = hashlib.sha256(original).hexdigest()
parts = [original[i:i + part_size] for i in range(0, len(original), part_size)]

_, data = call("start", "POST", f"{parts_via[0]}/upload/", json.dumps({"filename": filename, "content_type": content_type}).encode(), expect=201)
upload = json.loads(data)["id"]
for number, part in enumerate(parts, 1):
    via = parts_via[(number - 1) % len(parts_via)]
    call(f"part {number}", "PUT", f"{via}/upload/{upload}/parts/{number}", part, "application/octet-stream")
_, data = call("complete", "POST", f"{parts_via[-1]}/upload/{upload}/complete")
if json.loads(data)["size"] != len(original):
    fail("complete", f"S3 assembled {json.loads(data)['size']} bytes of {len(original)}")

_, data = call("register", "POST", f"{args.edge}/api/assets/", json.dumps({"upload": upload}).encode(), expect=201)
asset_id = json.loads(data)["id"]
deadline = time.monotonic() + args.wait
while True:
    _, data = call("processing", "GET", f"{args.edge}/api/assets/{asset_id}")
    asset = json.loads(data)
    if asset["state"] != "pending" or time.monotonic() > deadline:
        break
    time.sleep(0.5)
if asset["state"] != "processed":
    fail("processing", f"the asset is {asset['state']} after {args.wait:.0f} s: {asset}")
if asset["sha256"] != digest or asset["size"] != len(original) or asset["thumbnail"] != args.image:
    fail("processing", f"the worker found {asset}, the client sent {len(original)} bytes with sha256 {digest}")
print(f"parts: {len(parts)} via {len(set(parts_via))} endpoints, sha256 equal")

headers, body = call("download from the backend", "GET", f"{backend}/api/assets/{asset_id}/download")
if not headers.get("X-Accel-Redirect") or body:
    fail("download from the backend", f"X-Accel-Redirect {headers.get('X-Accel-Redirect')!r}, a body of {len(body)} bytes")
_, body = call("download through the edge", "GET", f"{args.edge}/api/assets/{asset_id}/download")
if hashlib.sha256(body).hexdigest() != digest:
    fail("download through the edge", f"{len(body)} bytes with another sha256 than the {len(original)} sent")
thumbnail = ""
if args.image:
    _, thumb = call("thumbnail", "GET", f"{args.edge}/api/assets/{asset_id}/thumbnail")
    if thumb[:8] != b"\x89PNG\r\n\x1a\n":
        fail("thumbnail", f"not a PNG: {thumb[:16]!r}")
    width, height = struct.unpack(">II", thumb[16:24])
    if max(width, height) > 256:
        fail("thumbnail", f"{width}x{height} is larger than 256 pixels a side")
    thumbnail = f", thumbnail {width}x{height}"
print(f"download: {len(body)} bytes through the edge, sha256 equal; the backend's own answer: X-Accel-Redirect, "
      f"0 bytes; processed by the worker from S3{thumbnail}")
