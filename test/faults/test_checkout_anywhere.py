"""The harness works wherever the checkout is, /tmp included.

Each worker gets the pod's private /tmp, a tmpfs over /tmp. A checkout under /tmp must still be visible to
the worker (its app, and the journal when the run folder is there too). This test copies the harness (this
folder and hack/faults/render.js, with lib/ and node_modules/ linked) into a fresh folder under /tmp, and
from there, with its run folder under /tmp as well, starts a worker on the suite's Redis, runs one task and
the rendered liveness probe. It asserts that the task ran on that worker, that the harness copy was the one
that ran, and that the worker's /tmp stayed private: the heartbeat file is at the rendered path inside it,
and not in the host's /tmp.
"""
import json
import os
import shutil
import subprocess
import tempfile
import uuid
from pathlib import Path

import faultlib as F

DRIVER = r'''
import json
import os
import sys

import faultlib as F

broker_url, queue, heartbeat = sys.argv[1:4]
rendered = F.render(broker="redis", queue=queue, heartbeatFile=heartbeat, heartbeatIntervalSeconds=1,
                    concurrency=1, taskTimeLimitSeconds=5, softTimeLimitSeconds=4, visibilityTimeoutSeconds=8,
                    redisDatabaseIndex=int(broker_url.rsplit("/", 1)[1]))
workdir = F.RUN_DIR / rendered["deploymentName"]
workdir.mkdir(parents=True, exist_ok=True)
worker = F.Worker(rendered["deploymentName"] + "-a", rendered, broker_url, workdir)
result = {"faultlib": F.__file__, "run_dir": str(F.RUN_DIR), "workdir": str(workdir), "kept": worker.kept_from_host,
          "env_heartbeat": F.env_value(rendered, "CELERY_WORKER_HEARTBEAT_FILE")}
try:
    worker.start()
    worker.wait_ready()
    journal = F.Journal(workdir / "journal.txt")
    F.enqueue(broker_url, queue, journal, 1, 0.2)
    F.wait_until(journal.all_finished, 60, "the task to finish", interval=0.2)
    result.update(hostname=worker.hostname, probe=worker.probe(),
                  finishes=[[e.key, e.hostname] for e in journal.finishes()],
                  heartbeat_on_host=os.path.exists(heartbeat))
except Exception as error:  # noqa: BLE001 - reported to the test with the worker's log
    result.update(error=f"{type(error).__name__}: {error}", log=F.tail(worker.log))
finally:
    worker.stop()
    result["leftovers"] = F.stop_everything()
print(json.dumps(result))
'''


def copy_harness(root):
    """A checkout of the harness in root: test/faults and hack/faults/render.js, lib/ and node_modules/ linked."""
    shutil.copytree(F.HERE, root / "test" / "faults", ignore=shutil.ignore_patterns("__pycache__", "*.pyc"))
    (root / "hack" / "faults").mkdir(parents=True)
    shutil.copy2(F.RENDER_JS, root / "hack" / "faults" / "render.js")
    for linked in ("lib", "node_modules"):
        (root / linked).symlink_to(F.REPO / linked, target_is_directory=True)
    (root / "test" / "faults" / "checkout_driver.py").write_text(DRIVER)


def test_a_checkout_under_tmp_starts_a_worker_that_processes_a_task(redis_broker):
    root = Path(tempfile.mkdtemp(prefix="faults-checkout-", dir="/tmp")).resolve()
    heartbeat = f"/tmp/faults-checkout-heartbeat-{uuid.uuid4().hex[:8]}"
    try:
        copy_harness(root)
        env = {k: v for k, v in os.environ.items() if k != "PYTHONPATH"}
        env["FAULTS_RUN_DIR"] = str(root / "run")
        out = subprocess.run([str(F.VENV_BIN / "python"), "checkout_driver.py", redis_broker.url(), "checkout-tmp",
                              heartbeat], cwd=root / "test" / "faults", env=env, capture_output=True, text=True,
                             timeout=180)
        assert out.returncode == 0, f"the harness under {root} failed:\n{out.stderr[-3000:]}"
        result = json.loads(out.stdout.strip().splitlines()[-1])
        assert "error" not in result, f"{result['error']}\nworker log:\n{result['log']}"

        # The copy under /tmp ran, with its run folder under /tmp, and both stayed visible to the worker.
        assert result["faultlib"] == str(root / "test" / "faults" / "faultlib.py")
        assert result["run_dir"] == str(root / "run")
        assert str(root / "test" / "faults") in result["kept"]
        assert Path(result["workdir"]).parent == root / "run"
        assert result["workdir"] in result["kept"]
        # The task ran, once, on that worker.
        assert result["finishes"] == [["t00", result["hostname"]]]
        # Its /tmp is private: the heartbeat is at the rendered path inside it, not in the host's /tmp.
        assert result["env_heartbeat"] == heartbeat
        assert result["probe"] is True, "the rendered liveness probe failed inside the worker"
        assert result["heartbeat_on_host"] is False, f"{heartbeat} appeared in the host's /tmp"
        assert result["leftovers"] == []
    finally:
        shutil.rmtree(root, ignore_errors=True)
