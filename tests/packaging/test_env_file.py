"""`.env` lists every setting of every service, with the code's own default."""

import pytest

from harness.processes import PROJECT_ROOT
from tests.support.project import (
    COMPOSE_ONLY_SETTINGS,
    SERVICES,
    Service,
    env_names,
    read_env_file,
    settings_class,
)


@pytest.mark.parametrize("service", SERVICES, ids=lambda s: s.package)
def test_env_file_lists_every_setting(service: Service):
    """A setting missing from `.env` is a setting nobody finds."""
    missing = env_names(settings_class(service)) - read_env_file().keys()
    assert not missing, f".env lacks {sorted(missing)} of {service.settings_module}"


@pytest.mark.parametrize("service", SERVICES, ids=lambda s: s.package)
def test_env_file_holds_the_defaults(service: Service, monkeypatch: pytest.MonkeyPatch):
    """Reading `.env` changes nothing, so it documents the defaults and never hides them."""
    settings = settings_class(service)
    for name in env_names(settings):
        monkeypatch.delenv(name, raising=False)
    from_file = settings(_env_file=PROJECT_ROOT / ".env")  # type: ignore[call-arg]
    defaults = settings(_env_file=None)  # type: ignore[call-arg]
    assert from_file.model_dump() == defaults.model_dump()


def test_env_file_names_only_real_settings():
    """Every name in `.env` is read by a service or by docker-compose.yml."""
    known = set().union(*(env_names(settings_class(s)) for s in SERVICES))
    unknown = read_env_file().keys() - known - COMPOSE_ONLY_SETTINGS
    assert not unknown, f".env names {sorted(unknown)}, which nothing reads"


def test_compose_only_settings_are_used_by_the_compose_file():
    compose_text = (PROJECT_ROOT / "docker-compose.yml").read_text()
    for name in COMPOSE_ONLY_SETTINGS:
        assert f"${{{name}:-{read_env_file()[name]}}}" in compose_text
