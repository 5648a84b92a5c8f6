"""docker-compose.yml: the cache apart from the broker, port 8000 not on every interface, and the
forwarded headers trusted only from the proxy."""

from pathlib import Path

import yaml

ROOT = Path(__file__).resolve().parents[2]


def _compose():
    return yaml.safe_load((ROOT / "docker-compose.yml").read_text())


def _app_environment(compose):
    return compose["services"]["web"]["environment"]


def test_the_cache_has_a_redis_of_its_own():
    compose = _compose()
    env = _app_environment(compose)
    broker_host = env["CELERY_BROKER_URL"].split("//")[1].split(":")[0]
    cache_host = env["REDIS_URL"].split("//")[1].split(":")[0]
    assert cache_host != broker_host
    assert cache_host in compose["services"]


def test_the_web_port_is_published_on_loopback_by_default():
    ports = _compose()["services"]["web"]["ports"]
    assert ports == ["${WEB_BIND:-127.0.0.1}:${WEB_PORT:-8000}:8000"]


def test_forwarded_headers_are_trusted_only_from_the_configured_proxies():
    compose = _compose()
    web = compose["services"]["web"]
    assert not any("forwarded-allow-ips" in str(arg) for arg in web["command"])
    env = _app_environment(compose)
    assert env["FORWARDED_ALLOW_IPS"] == env["TRUSTED_PROXIES"]
    assert "*" not in env["TRUSTED_PROXIES"]
