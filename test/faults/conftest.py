"""Fixtures of the Celery fault suite: one real broker of each kind per run, and worker pairs per test."""
import shutil

import pytest

import faultlib as F


def pytest_sessionstart(session):
    shutil.rmtree(F.RUN_DIR, ignore_errors=True)
    F.RUN_DIR.mkdir(parents=True)


@pytest.fixture(scope="session")
def redis_broker():
    broker = F.RedisBroker(F.RUN_DIR / "redis-server")
    try:
        yield broker.start()
    finally:
        broker.stop()


@pytest.fixture(scope="session")
def rabbitmq_broker():
    broker = F.RabbitBroker(F.RUN_DIR / "rabbitmq-server")
    try:
        yield broker.start()
    finally:
        broker.stop()


@pytest.fixture(params=["redis", "rabbitmq"])
def broker(request):
    return request.getfixturevalue(f"{request.param}_broker")


class Pods:
    """Starts the worker pods of one test and always stops them."""

    def __init__(self):
        self.workers = []

    def start(self, broker, rendered, names=("a", "b"), env_overrides=None):
        if broker.kind == "redis":
            # A fresh database per test: the worker is rendered with it, as CeleryBroker.redisDatabaseIndex.
            db = broker.next_db()
            rendered = F.render(**{**rendered["props"], "redisDatabaseIndex": db})
            url = broker.url(db)
        else:
            url = broker.url()
        workdir = F.RUN_DIR / rendered["deploymentName"]
        workdir.mkdir(parents=True, exist_ok=True)
        workers = [F.Worker(f"{rendered['deploymentName']}-{n}", rendered, url, workdir, env_overrides).start()
                   for n in names]
        self.workers += workers
        for w in workers:
            w.wait_ready()
        journal = F.Journal(workdir / "journal.txt")
        return workers, url, journal

    def stop(self):
        for w in self.workers:
            w.stop()


@pytest.fixture
def pods():
    p = Pods()
    try:
        yield p
    finally:
        p.stop()


def pytest_sessionfinish(session, exitstatus):
    leftovers = F.stop_everything()
    if leftovers:
        print(f"\nfaults: ERROR: process groups still running after the suite: {leftovers}")
        session.exitstatus = 1


def pytest_terminal_summary(terminalreporter):
    table = F.figures_table()
    versions = F.versions_line()
    (F.RUN_DIR / "figures.md").write_text(f"{versions}\n\n{table}\n")
    terminalreporter.write_sep("=", "Celery fault figures (columns: see docs/CELERY-FAULTS.md)")
    terminalreporter.write_line(versions)
    terminalreporter.write_line(table)
    terminalreporter.write_line(f"worker logs and journals: {F.RUN_DIR}")
