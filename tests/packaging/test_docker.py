"""The Dockerfiles and docker-compose.yml agree with the code they package.

No Docker engine runs here, so these read the files and check them against the code.
"""

import ast
import importlib
import re

import pytest
from starlette.routing import Match

from harness.processes import PROJECT_ROOT
from tests.support.project import (
    SERVICES,
    Service,
    compose,
    env_names,
    instructions,
    read_env_file,
    settings_class,
)

PROJECT_PACKAGES = {"api", "dashboard", "simulator", "benchmarks", "harness", "tests"}
by_package = pytest.mark.parametrize("service", SERVICES, ids=lambda s: s.package)


def exposed_port(service: Service) -> int:
    [expose] = instructions(service, "EXPOSE")
    return int(expose.arguments)


def default_port(service: Service) -> int:
    return settings_class(service).model_fields[service.port_setting].default


def copied_sources(service: Service) -> list[str]:
    return [src for copy in instructions(service, "COPY") for src in copy.arguments.split()[:-1]]


def compose_service(service: Service) -> dict:
    return compose()["services"][service.compose_name]


@by_package
def test_image_starts_from_slim_python_3_11(service: Service):
    assert instructions(service, "FROM")[0].arguments == "python:3.11-slim"


@by_package
def test_image_runs_the_package_main_module(service: Service):
    [cmd] = instructions(service, "CMD")
    assert cmd.json_arguments() == ["python", "-m", service.package]
    assert (PROJECT_ROOT / service.package / "__main__.py").is_file()


@by_package
def test_image_exposes_the_service_default_port(service: Service):
    assert exposed_port(service) == default_port(service)


@by_package
def test_image_runs_as_the_numeric_non_root_user_it_creates(service: Service):
    """A numeric USER needs no lookup in /etc/passwd (hadolint DL3066) and is not root."""
    users = instructions(service, "USER")
    assert users, "no USER: the service would run as root"
    uid, _, gid = users[-1].arguments.partition(":")
    assert uid.isdigit() and gid.isdigit(), f"USER {users[-1].arguments} is not uid:gid"
    assert int(uid) != 0 and int(gid) != 0
    [create] = [run.arguments for run in instructions(service, "RUN") if "useradd" in run.arguments]
    assert f"--uid {uid}" in create and f"--gid {gid}" in create


@by_package
def test_copied_files_exist_and_are_in_the_build_context(service: Service):
    ignore = (PROJECT_ROOT / ".dockerignore").read_text().splitlines()
    for source in copied_sources(service):
        assert (PROJECT_ROOT / source).exists(), f"COPY {source}: no such file"
        # .dockerignore excludes everything, then lets each COPY source back in.
        assert f"!{source}" in ignore, f"COPY {source}: excluded by .dockerignore"


@by_package
def test_image_holds_every_project_package_its_code_imports(service: Service):
    imported = set()
    for path in (PROJECT_ROOT / service.package).rglob("*.py"):
        for node in ast.walk(ast.parse(path.read_text())):
            if isinstance(node, ast.Import):
                imported.update(alias.name.split(".")[0] for alias in node.names)
            elif isinstance(node, ast.ImportFrom) and node.module and node.level == 0:
                imported.add(node.module.split(".")[0])
    copied = {source.strip("/") for source in copied_sources(service)}
    assert imported & PROJECT_PACKAGES <= copied


@by_package
def test_healthcheck_asks_the_service_port_for_a_path_it_serves(service: Service):
    [healthcheck] = instructions(service, "HEALTHCHECK")
    match = re.search(r"http://127\.0\.0\.1:(\d+)(/[^'\"]*)", healthcheck.arguments)
    assert match, healthcheck.arguments
    port, path = int(match[1]), match[2]
    assert port == exposed_port(service)
    app = importlib.import_module(service.app_module).app
    if hasattr(app, "server"):  # Dash: ask its Flask server without a network
        assert app.server.test_client().get(path).status_code == 200
    else:  # FastAPI: route the request as Starlette would, without starting the app
        scope = {"type": "http", "method": "GET", "path": path, "root_path": "", "headers": []}
        assert any(route.matches(scope)[0] == Match.FULL for route in app.routes), path


def test_no_compose_service_is_named_api():
    """The challenge's service `api` shares the network: a second `api` would clash."""
    assert "api" not in compose()["services"]


@by_package
def test_compose_builds_each_service_from_its_dockerfile(service: Service):
    build = compose_service(service)["build"]
    assert build["context"] == "."
    assert PROJECT_ROOT / build["dockerfile"] == service.dockerfile


@by_package
def test_compose_publishes_the_exposed_port(service: Service):
    port = exposed_port(service)
    assert compose_service(service)["ports"] == [f"{port}:{port}"]
    assert compose_service(service)["environment"][service.port_setting] == str(port)


@by_package
def test_compose_environment_names_are_settings_of_that_service(service: Service):
    unknown = compose_service(service)["environment"].keys() - env_names(settings_class(service))
    assert not unknown, f"{service.compose_name} sets {sorted(unknown)}, which it never reads"


def test_every_service_joins_the_external_challenge_network():
    network = compose()["networks"]["challenge"]
    assert network["external"] is True
    default = read_env_file()["CHALLENGE_NETWORK"]
    assert network["name"] == f"${{CHALLENGE_NETWORK:-{default}}}"
    assert default == "qa-streaming-pipeline-challenge_default"
    for name, service in compose()["services"].items():
        assert service["networks"] == ["challenge"], name


def test_learner_api_reaches_the_challenge_service_api_on_port_80():
    environment = compose()["services"]["learner-api"]["environment"]
    assert environment["CHALLENGE_API_URL"] == "${DOCKER_CHALLENGE_API_URL:-http://api:80}"
    assert read_env_file()["DOCKER_CHALLENGE_API_URL"] == "http://api:80"


def test_dashboard_reads_the_learner_api():
    [api] = [s for s in SERVICES if s.package == "api"]
    environment = compose()["services"]["dashboard"]["environment"]
    assert environment["API_URL"] == f"http://learner-api:{exposed_port(api)}"


PROFILES = {
    "simulator": ["simulator"],
    "postgres": ["scale-out"],
    "learner": ["scale-out"],
    "api-replica": ["scale-out"],
    "prometheus": ["monitoring"],
}


def test_only_the_api_and_dashboard_run_without_a_profile():
    services = compose()["services"]
    assert {name: s["profiles"] for name, s in services.items() if "profiles" in s} == PROFILES
    assert services.keys() - PROFILES.keys() == {"learner-api", "dashboard"}


def test_scale_out_runs_the_learner_alone_and_replicas_without_one():
    services = compose()["services"]
    assert services["learner"]["command"] == ["python", "-m", "api.learner"]
    assert (PROJECT_ROOT / "api" / "learner" / "__main__.py").is_file()
    assert services["learner"]["deploy"]["replicas"] >= 2
    assert services["api-replica"]["environment"]["LEARNER_ENABLED"] == "false"
    api_settings = env_names(settings_class(next(s for s in SERVICES if s.package == "api")))
    for name in ("learner", "api-replica"):
        environment = services[name]["environment"]
        assert environment.keys() <= api_settings, name
        assert environment["DATABASE_URL"].startswith("postgresql+psycopg://")
        assert "@postgres:5432/" in environment["DATABASE_URL"]
    metrics_port = services["learner"]["environment"]["LEARNER_METRICS_PORT"]
    assert f"127.0.0.1:{metrics_port}/metrics" in " ".join(
        services["learner"]["healthcheck"]["test"]
    )


@pytest.mark.parametrize(
    ("compose_name", "setting", "volume"),
    [
        ("learner-api", "DATABASE_URL", "learner-data"),
        ("simulator", "SIMULATOR_DB", "simulator-data"),
    ],
)
def test_data_lives_on_a_named_volume(compose_name: str, setting: str, volume: str):
    service = compose()["services"][compose_name]
    assert f"{volume}:/app/data" in service["volumes"]
    assert volume in compose()["volumes"]
    assert "/app/data/" in service["environment"][setting]
