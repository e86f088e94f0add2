"""The app-side kit as a Django team meets it: a new project whose settings.py and urls.py get the lines of
the README's "The kit: install it, add two lines" verbatim (its `...`, the app's own routes, left out), run on
the wheel installed from dist/python. Usage: python kit_app.py <README.md> <empty project dir>.

Proves what needs no server: the start fails naming every missing variable; with them, `manage.py check`
passes, the probes' paths answer under `Host: localhost` while every other path still enforces
ALLOWED_HOSTS, and readiness fails, naming the check, when the database and the bucket are unreachable
(a unix socket directory that does not exist, and a closed port on loopback). The kit's own suite
(`npm run test:kit`) proves the rest against real servers.
"""
import json
import os
import re
import subprocess
import sys

readme_path, project = sys.argv[1], sys.argv[2]
readme = open(readme_path, encoding="utf-8").read()


def fail(message):
    sys.exit(f"kit consumer: FAILED: {message}")


section = readme.split("**The kit: install it, add two lines.**", 1)
if len(section) != 2:
    fail(f"{readme_path} has no \"The kit: install it, add two lines\" paragraph")
blocks = re.findall(r"```(\w+)\n(.*?)```", section[1], re.S)
install = next((code for lang, code in blocks[:2] if lang == "sh"), None)
lines = next((code for lang, code in blocks[:2] if lang == "python"), None)
if install is None or lines is None:
    fail("the paragraph's first two code blocks are not the pip install (sh) and the two lines (python)")
if install.strip() != 'pip install "k8s-topology-django[django]"':
    fail(f"the README installs the kit with {install.strip()!r}; this test installs the wheel of "
         "dist/python as `pip install \"<wheel>[django]\"`: update one or the other")
settings_part, sep, urls_part = lines.partition("# urls.py\n")
if not sep:
    fail("the two lines' block has no '# urls.py' part")
urls_part = urls_part.replace(", ...]", "]")

with open(os.path.join(project, "settings.py"), "w", encoding="utf-8") as f:
    f.write('INSTALLED_APPS = ["django.contrib.contenttypes", "django.contrib.auth"]\n'
            'MIDDLEWARE = ["django.middleware.common.CommonMiddleware"]\n'
            'ROOT_URLCONF = "urls"\nALLOWED_HOSTS = ["shop.example.com"]\nDEBUG = False\n' + settings_part)
with open(os.path.join(project, "urls.py"), "w", encoding="utf-8") as f:
    f.write("from django.urls import include, path\n\n" + urls_part)

base = {k: v for k, v in os.environ.items() if not k.startswith(("DJANGO_", "AWS_", "DATABASE_", "STATIC_", "CELERY_"))}
base["DJANGO_SETTINGS_MODULE"] = "settings"
base["PYTHONPATH"] = project


def run(env, *args):
    return subprocess.run([sys.executable, *args], cwd=project, env=env, capture_output=True, text=True, timeout=120)


required = ["DJANGO_SECRET_KEY", "DATABASE_URL", "AWS_STORAGE_BUCKET_NAME", "AWS_S3_REGION_NAME",
            "DJANGO_STATIC_BUCKET", "STATIC_URL"]
started = run(base, "-c", "import django; django.setup()")
if started.returncode == 0:
    fail("the project started without the contract's variables")
missing = [name for name in required if name not in started.stderr]
if missing or "MissingSetting" not in started.stderr:
    fail(f"the start without variables did not name {missing or 'MissingSetting'}: {started.stderr[-600:]}")
print(f"kit consumer: without the variables the start fails naming all {len(required)}")

env = dict(base, DJANGO_SECRET_KEY="kit-consumer-not-secret",
           # Nothing listens at either: readiness must fail fast, and nothing leaves the machine.
           DATABASE_URL="postgres://shop:pw@/shop?host=/nonexistent-kit-consumer&connect_timeout=1",
           AWS_S3_ENDPOINT_URL="http://127.0.0.1:9", AWS_ACCESS_KEY_ID="kit", AWS_SECRET_ACCESS_KEY="kit",
           AWS_STORAGE_BUCKET_NAME="media", AWS_S3_REGION_NAME="us-east-1", DJANGO_STATIC_BUCKET="static",
           STATIC_URL="https://static.shop.example.com/")
check = run(env, "-m", "django", "check")
if check.returncode != 0:
    fail(f"manage.py check: {check.stdout[-300:]} {check.stderr[-600:]}")

probe = r'''
import json, django
django.setup()
from django.test import Client
c = Client(raise_request_exception=False)
print(json.dumps({
    "live": c.get("/healthz/live", HTTP_HOST="localhost").status_code,
    "other": c.get("/upload/", HTTP_HOST="localhost").status_code,
    "ready": (lambda r: [r.status_code, json.loads(r.content)])(c.get("/healthz/ready", HTTP_HOST="localhost")),
    "celery": __import__("k8s_topology_celery").HeartbeatScheduler.__name__,
}))
'''
answered = run(env, "-c", probe)
if answered.returncode != 0:
    fail(f"the requests through Django's test client: {answered.stderr[-800:]}")
seen = json.loads(answered.stdout.strip().splitlines()[-1])
ready_status, ready_body = seen["ready"]
checks = ready_body.get("checks", {})
if seen["live"] != 200:
    fail(f"/healthz/live with Host: localhost answered {seen['live']} (expected 200)")
if seen["other"] != 400:
    fail(f"/upload/ with Host: localhost answered {seen['other']} (expected 400: ALLOWED_HOSTS still applies)")
if ready_status != 503 or checks.get("database", {}).get("status") != "failed" or checks.get("storage", {}).get("status") != "failed":
    fail(f"/healthz/ready with nothing reachable answered {ready_status} {ready_body} (expected 503, database and storage failed)")
print("kit consumer: manage.py check passes; /healthz/live 200 and other paths 400 under Host: localhost; "
      f"/healthz/ready 503 naming {', '.join(sorted(k for k, v in checks.items() if v['status'] == 'failed'))}")
