"""Read the project's packaging files and the services' settings, for the packaging tests."""

import importlib
import json
import re
from dataclasses import dataclass
from functools import cache
from pathlib import Path

import yaml
from pydantic_settings import BaseSettings

from harness.processes import PROJECT_ROOT


@dataclass(frozen=True)
class Service:
    package: str  # `python -m <package>`
    compose_name: str
    settings_module: str
    port_setting: str
    app_module: str  # the module whose `app` serves the healthcheck path

    @property
    def dockerfile(self) -> Path:
        return PROJECT_ROOT / f"Dockerfile.{self.package}"


SERVICES = [
    Service("api", "learner-api", "api.core.config", "API_PORT", "api.main"),
    Service("dashboard", "dashboard", "dashboard.config", "DASHBOARD_PORT", "dashboard.app"),
    Service("simulator", "simulator", "simulator.config", "SIMULATOR_PORT", "simulator.app"),
]
# Read by docker-compose.yml alone, not by any service.
COMPOSE_ONLY_SETTINGS = {
    "CHALLENGE_NETWORK",
    "DOCKER_CHALLENGE_API_URL",
    "DOCKER_DATABASE_URL",
    "POSTGRES_PASSWORD",
}
ENV_LINE = re.compile(r"(?P<commented>#\s*)?(?P<name>[A-Z][A-Z0-9_]*)=(?P<value>.*)")


def settings_class(service: Service) -> type[BaseSettings]:
    return importlib.import_module(service.settings_module).Settings


def env_names(settings: type[BaseSettings]) -> set[str]:
    """The environment variable each field is read from."""
    prefix = settings.model_config.get("env_prefix", "")
    names = set()
    for field_name, field in settings.model_fields.items():
        alias = field.validation_alias or field.alias
        names.add((alias if isinstance(alias, str) else prefix + field_name).upper())
    return names


def read_env_file() -> dict[str, str | None]:
    """`.env` as name -> value; a setting listed but commented out (unset) maps to None."""
    entries: dict[str, str | None] = {}
    for line in (PROJECT_ROOT / ".env").read_text().splitlines():
        match = ENV_LINE.fullmatch(line.strip())
        if match:
            entries[match["name"]] = None if match["commented"] else match["value"]
    return entries


@dataclass(frozen=True)
class Instruction:
    keyword: str
    arguments: str

    def json_arguments(self) -> list[str]:
        return json.loads(self.arguments)


@cache
def dockerfile(service: Service) -> tuple[Instruction, ...]:
    text = service.dockerfile.read_text().replace("\\\n", " ")
    instructions = []
    for line in text.splitlines():
        line = line.strip()
        if line and not line.startswith("#"):
            keyword, _, arguments = line.partition(" ")
            instructions.append(Instruction(keyword.upper(), " ".join(arguments.split())))
    return tuple(instructions)


def instructions(service: Service, keyword: str) -> list[Instruction]:
    return [i for i in dockerfile(service) if i.keyword == keyword]


@cache
def compose() -> dict:
    return yaml.safe_load((PROJECT_ROOT / "docker-compose.yml").read_text())
