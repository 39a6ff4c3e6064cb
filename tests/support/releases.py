"""Earlier releases of the project, run from the repository's history, to write the
databases this code must upgrade."""

import io
import subprocess
import tarfile
from pathlib import Path

from sqlalchemy import create_engine, inspect

from harness.processes import PROJECT_ROOT, Service
from tests.support.services import FAST_API_ENV


def release_tree(commit: str, directory: Path) -> Path:
    """The files of `commit`, from the repository's history, extracted under `directory`."""
    archive = subprocess.run(
        ["git", "archive", "--format=tar", commit],
        cwd=PROJECT_ROOT,
        capture_output=True,
        check=True,
    ).stdout
    tree = directory / f"release-{commit[:7]}"
    with tarfile.open(fileobj=io.BytesIO(archive)) as tar:
        tar.extractall(tree, filter="data")
    return tree


def release_api(
    tree: Path, *, database_url: str, source_url: str, log_dir: Path, **settings: str
) -> Service:
    """`python -m api` of an earlier release, run from its own tree so that its `api` is
    imported."""
    env = {
        **FAST_API_ENV,
        "DATABASE_URL": database_url,
        "CHALLENGE_API_URL": source_url,
        "PYTHONPATH": str(tree),
        **settings,
    }
    return Service("api", port_env="API_PORT", env=env, log_dir=log_dir, cwd=tree)


def table_names(database_url: str) -> list[str]:
    engine = create_engine(database_url)
    try:
        return inspect(engine).get_table_names()
    finally:
        engine.dispose()
