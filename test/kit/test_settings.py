"""settings_from_environment/configure and the Celery defaults: the rendered environment becomes the settings."""
import pytest
from celery import Celery

from k8s_topology_celery import configure as configure_celery
from k8s_topology_django.settings import MIDDLEWARE, MissingSetting, configure, database_from_url, settings_from_environment

ENV = {
    "DJANGO_SECRET_KEY": "s3cret",
    "DATABASE_URL": "postgres://shop:p%40ss@db.shop:5433/shop?sslmode=verify-full",
    "AWS_STORAGE_BUCKET_NAME": "shop-media",
    "AWS_S3_REGION_NAME": "eu-central-1",
    "DJANGO_STATIC_BUCKET": "shop-static",
    "STATIC_URL": "https://static.shop.example/",
}


def test_the_environment_becomes_the_settings():
    s = settings_from_environment({**ENV, "AWS_S3_ENDPOINT_URL": "https://s3.internal", "CELERY_BROKER_URL": "redis://r:6379/0",
                                   "CELERY_BROKER_USER": "app", "CELERY_BROKER_PASSWORD": "p@ss/word"})
    assert s["SECRET_KEY"] == "s3cret" and s["STATIC_URL"] == "https://static.shop.example/"
    assert s["DATABASES"]["default"] == {
        "ENGINE": "django.db.backends.postgresql", "NAME": "shop", "USER": "shop", "PASSWORD": "p@ss",
        "HOST": "db.shop", "PORT": "5433", "OPTIONS": {"sslmode": "verify-full", "connect_timeout": "5"},
    }
    assert s["STORAGES"]["default"] == {"BACKEND": "storages.backends.s3.S3Storage", "OPTIONS": {
        "bucket_name": "shop-media", "region_name": "eu-central-1", "endpoint_url": "https://s3.internal"}}
    assert s["STORAGES"]["staticfiles"]["OPTIONS"]["bucket_name"] == "shop-static"
    assert (s["CELERY_BROKER_URL"], s["CELERY_BROKER_USER"], s["CELERY_BROKER_PASSWORD"]) == ("redis://r:6379/0", "app", "p@ss/word")


def test_a_storage_backend_that_is_not_s3_gets_no_s3_options():
    s = settings_from_environment({**ENV, "DJANGO_STATICFILES_STORAGE_BACKEND": "django.contrib.staticfiles.storage.StaticFilesStorage"})
    assert s["STORAGES"]["staticfiles"] == {"BACKEND": "django.contrib.staticfiles.storage.StaticFilesStorage", "OPTIONS": {}}
    assert "CELERY_BROKER_URL" not in s


def test_every_missing_variable_is_named_at_once():
    env = {k: v for k, v in ENV.items() if k not in ("DATABASE_URL", "DJANGO_STATIC_BUCKET")}
    env["STATIC_URL"] = ""
    with pytest.raises(MissingSetting) as error:
        settings_from_environment(env)
    message = str(error.value)
    for name in ("DATABASE_URL", "DJANGO_STATIC_BUCKET", "STATIC_URL"):
        assert name in message
    assert "DJANGO_SECRET_KEY" not in message


def test_a_database_url_of_another_kind_is_refused_without_its_password():
    with pytest.raises(MissingSetting) as error:
        database_from_url("oracle://shop:hunter2@db/shop")
    message = str(error.value)
    assert "'oracle'" in message and "mysql" in message and "postgres" in message and "hunter2" not in message
    with pytest.raises(MissingSetting, match="names no database"):
        database_from_url("postgres://shop@db:5432/")


def test_a_mysql_or_mariadb_url_is_django_s_mysql_backend():
    expected = {
        "ENGINE": "django.db.backends.mysql", "NAME": "shop", "USER": "shop", "PASSWORD": "p@ss",
        "HOST": "db.shop", "PORT": "3306", "OPTIONS": {"charset": "utf8mb4", "connect_timeout": 5},
    }
    for scheme in ("mysql", "mariadb"):
        assert database_from_url(f"{scheme}://shop:p%40ss@db.shop:3306/shop?charset=utf8mb4") == expected
    assert database_from_url("mysql://shop@/shop?host=/run/mysqld/mysqld.sock")["HOST"] == "/run/mysqld/mysqld.sock"
    # The MySQL drivers refuse a timeout given as text (PyMySQL: TypeError at connect), so these are numbers.
    assert database_from_url("mysql://shop@db/shop?connect_timeout=2&read_timeout=30")["OPTIONS"] == {"connect_timeout": 2, "read_timeout": 30}
    with pytest.raises(MissingSetting, match=r"\?read_timeout= must be a whole number; got 'soon'") as error:
        database_from_url("mysql://shop:hunter2@db/shop?read_timeout=soon")
    assert "hunter2" not in str(error.value)


def test_a_unix_socket_directory_is_the_host():
    assert database_from_url("postgres://shop@/shop?host=/run/postgresql")["HOST"] == "/run/postgresql"


def test_configure_adds_the_app_and_puts_the_health_middleware_first_once():
    ns = {"INSTALLED_APPS": ["django.contrib.auth"], "MIDDLEWARE": ["django.middleware.security.SecurityMiddleware"]}
    configure(ns, ENV)
    configure(ns, ENV)
    assert ns["INSTALLED_APPS"] == ["django.contrib.auth", "k8s_topology_django"]
    assert ns["MIDDLEWARE"] == [MIDDLEWARE, "django.middleware.security.SecurityMiddleware"]
    assert ns["SECRET_KEY"] == "s3cret"


def test_configure_adds_the_edge_hosts_to_allowed_hosts_after_the_app_s_own_once():
    env = {**ENV, "DJANGO_PUBLIC_HOSTS": "app.shop.example, .app.shop.example,localhost"}
    ns = {"ALLOWED_HOSTS": ["localhost"]}
    configure(ns, env)
    configure(ns, env)
    assert ns["ALLOWED_HOSTS"] == ["localhost", "app.shop.example", ".app.shop.example"]


def test_without_an_edge_allowed_hosts_is_left_as_the_app_set_it():
    ns = {}
    configure(ns, ENV)
    assert ns["ALLOWED_HOSTS"] == []


@pytest.fixture
def celery_env(monkeypatch):
    for name in ("CELERY_BROKER_URL", "CELERY_TASK_ACKS_LATE", "CELERY_TASK_REJECT_ON_WORKER_LOST",
                 "CELERY_WORKER_PREFETCH_MULTIPLIER", "CELERY_BROKER_VISIBILITY_TIMEOUT"):
        monkeypatch.delenv(name, raising=False)
    return monkeypatch


def test_celery_defaults_are_the_worker_contract(celery_env):
    conf = configure_celery(Celery("t")).conf
    assert (conf.task_acks_late, conf.task_reject_on_worker_lost, conf.worker_prefetch_multiplier) == (True, True, 1)


def test_redis_visibility_timeout_outlasts_the_longest_time_limit(celery_env):
    celery_env.setenv("CELERY_BROKER_URL", "redis://127.0.0.1:6379/0")
    app = Celery("t")
    app.conf.task_time_limit = 600
    assert configure_celery(app).conf.broker_transport_options["visibility_timeout"] == 660


def test_a_visibility_timeout_not_longer_than_the_time_limit_is_refused(celery_env):
    celery_env.setenv("CELERY_BROKER_URL", "redis://127.0.0.1:6379/0")
    celery_env.setenv("CELERY_BROKER_VISIBILITY_TIMEOUT", "300")
    app = Celery("t")
    app.conf.task_time_limit = 300
    with pytest.raises(ValueError, match="CELERY_BROKER_VISIBILITY_TIMEOUT=300 is not longer than task_time_limit=300"):
        configure_celery(app)


def test_a_visibility_timeout_not_longer_than_the_workers_command_line_time_limit_is_refused_at_start(celery_env):
    # The rendered workers get their limit as `celery worker --time-limit=N`: configure() cannot see it.
    celery_env.setenv("CELERY_BROKER_URL", "redis://127.0.0.1:6379/0")
    celery_env.setenv("CELERY_BROKER_VISIBILITY_TIMEOUT", "300")
    app = configure_celery(Celery("t"))
    with pytest.raises(ValueError, match=r"visibility timeout, 300 s .* is not longer than this worker's time limit, 600 s"):
        app.WorkController(hostname="t@suite", pool_cls="solo", time_limit=600)
    # The rendered pair (twice the longest limit) starts, with the variable's value.
    app = configure_celery(Celery("t"))
    app.WorkController(hostname="t@suite", pool_cls="solo", time_limit=150)
    assert app.conf.broker_transport_options["visibility_timeout"] == 300


def test_without_the_variable_a_worker_derives_the_visibility_timeout_from_its_command_line_time_limit(celery_env):
    celery_env.setenv("CELERY_BROKER_URL", "redis://127.0.0.1:6379/0")
    app = configure_celery(Celery("t"))
    assert "visibility_timeout" not in (app.conf.broker_transport_options or {})
    app.WorkController(hostname="t@suite", pool_cls="solo", time_limit=600)
    assert app.conf.broker_transport_options == {"visibility_timeout": 660, "unacked_restore_throttle": 1}
