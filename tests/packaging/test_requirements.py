"""requirements*.txt and the Pipfile name the same pinned packages."""

import re
import tomllib

from harness.processes import PROJECT_ROOT

PIN = re.compile(r"(?P<name>[A-Za-z0-9_.-]+)(?:\[(?P<extras>[^\]]+)\])?==(?P<version>\S+)")

Pins = dict[str, tuple[str, frozenset[str]]]


def normalize(name: str) -> str:
    return re.sub(r"[-_.]+", "-", name).lower()


def read_requirements(filename: str) -> Pins:
    pins: Pins = {}
    for raw in (PROJECT_ROOT / filename).read_text().splitlines():
        line = raw.split("#")[0].strip()
        if not line or line.startswith("-r "):
            continue
        match = PIN.fullmatch(line)
        assert match, f"{filename}: {raw!r} is not pinned as name==version"
        extras = frozenset(e.strip() for e in (match["extras"] or "").split(",") if e.strip())
        pins[normalize(match["name"])] = (match["version"], extras)
    return pins


def read_pipfile_section(section: str) -> Pins:
    pipfile = tomllib.loads((PROJECT_ROOT / "Pipfile").read_text())
    pins: Pins = {}
    for name, spec in pipfile[section].items():
        if isinstance(spec, str):
            spec = {"version": spec}
        assert spec["version"].startswith("=="), f"Pipfile: {name} is not pinned with =="
        pins[normalize(name)] = (spec["version"][2:], frozenset(spec.get("extras", [])))
    return pins


def test_pipfile_packages_match_requirements_txt():
    """[packages] pins exactly what requirements.txt pins, extras included."""
    assert read_pipfile_section("packages") == read_requirements("requirements.txt")


def test_pipfile_dev_packages_match_requirements_dev_txt():
    """[dev-packages] pins exactly what requirements-dev.txt adds to the runtime set."""
    assert read_pipfile_section("dev-packages") == read_requirements("requirements-dev.txt")


def test_requirements_dev_installs_the_runtime_set_too():
    """`pip install -r requirements-dev.txt` alone is enough to run the tests."""
    lines = (PROJECT_ROOT / "requirements-dev.txt").read_text().splitlines()
    assert "-r requirements.txt" in lines


def test_pipfile_asks_for_python_3_11():
    pipfile = tomllib.loads((PROJECT_ROOT / "Pipfile").read_text())
    assert pipfile["requires"]["python_version"] == "3.11"
