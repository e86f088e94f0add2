"""A second replica: its own process and Django test client, sharing only the database with the test.

    python replica.py <username> <upload id> <file> <part size> <part number>... [--complete]

PUTs the given parts of <file> (1-based, <part size> bytes each) and, with --complete, completes the upload.
Prints one JSON line per response: {"status", "body"}.
"""
import json
import os
import sys

os.environ.setdefault("DJANGO_SETTINGS_MODULE", "kitproject.settings")
import django  # noqa: E402

django.setup()
from django.contrib.auth import get_user_model  # noqa: E402
from django.test import Client  # noqa: E402


def main(argv):
    complete = "--complete" in argv
    username, upload_id, path, part_size, *numbers = [a for a in argv if a != "--complete"]
    client = Client(HTTP_HOST="shop.example", **{"wsgi.url_scheme": "https"})
    client.force_login(get_user_model().objects.get(username=username))
    with open(path, "rb") as f:
        for number in map(int, numbers):
            f.seek((number - 1) * int(part_size))
            data = f.read(int(part_size))
            r = client.put(f"/upload/{upload_id}/parts/{number}", data, content_type="application/octet-stream",
                           secure=True)
            print(json.dumps({"status": r.status_code, "body": r.json()}))
    if complete:
        r = client.post(f"/upload/{upload_id}/complete", secure=True)
        print(json.dumps({"status": r.status_code, "body": r.json()}))


if __name__ == "__main__":
    main(sys.argv[1:])
