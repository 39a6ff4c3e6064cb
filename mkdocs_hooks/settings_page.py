"""The settings tables of the docs, rendered at build time so they cannot drift from the code.

mkdocs.yml names this file under `hooks:`. A page line `<!-- settings: MODULE -->` becomes
the table of that module's `Settings` class: each field's environment name, type, default
and `description`. `<!-- settings: .env compose -->` becomes the table of the settings
that only docker-compose.yml reads, from their section of `.env`, the file that holds
their defaults.
"""

import html
import importlib
import json
import logging
import re
from pathlib import Path
from typing import Any, Literal, get_args, get_origin

import annotated_types
from pydantic import SecretStr
from pydantic.fields import FieldInfo
from pydantic_settings import BaseSettings, NoDecode

PROJECT_ROOT = Path(__file__).resolve().parents[1]
MARKER = re.compile(r"^<!-- settings: (?P<source>[\w. ]+) -->$", re.MULTILINE)
COMPOSE_SOURCE = ".env compose"
COMPOSE_SECTION = "# --- docker compose only"
ENV_SETTING = re.compile(r"(?P<name>[A-Z][A-Z0-9_]*)=(?P<value>.*)")
BOUNDS = (
    (annotated_types.Ge, "ge", ">="),
    (annotated_types.Gt, "gt", ">"),
    (annotated_types.Le, "le", "<="),
    (annotated_types.Lt, "lt", "<"),
)
TYPE_NAMES = {str: "text", int: "integer", float: "number", bool: "`true` or `false`"}
TYPE_NAMES |= {Path: "path", SecretStr: "secret"}


def on_page_markdown(markdown: str, **_: Any) -> str:
    """MkDocs' hook: every settings marker of a page replaced by its table."""
    return MARKER.sub(lambda match: table_of(match["source"]), markdown)


def table_of(source: str) -> str:
    if source == COMPOSE_SOURCE:
        return compose_table((PROJECT_ROOT / ".env").read_text())
    return settings_table(settings_class(source))


def settings_class(module: str) -> type[BaseSettings]:
    # Importing the module builds its `settings`, and the API's warn that SECRET_KEY is the
    # development default: true, and no news in a docs build.
    logger = logging.getLogger(module)
    level = logger.level
    logger.setLevel(logging.ERROR)
    try:
        return importlib.import_module(module).Settings
    finally:
        logger.setLevel(level)


def settings_table(settings: type[BaseSettings]) -> str:
    """One row a field: its environment name, type, default and description."""
    prefix = settings.model_config.get("env_prefix", "")
    rows = ["| setting | type | default | meaning |", "|---|---|---|---|"]
    for name, field in settings.model_fields.items():
        if not field.description:
            raise ValueError(f"{settings.__module__}.Settings.{name} has no description")
        env_name = (prefix + name).upper()
        cells = [f"`{env_name}`", type_of(field), default_of(field), cell(field.description)]
        rows.append("| " + " | ".join(cells) + " |")
    return "\n".join(rows)


def type_of(field: FieldInfo) -> str:
    annotation, words = field.annotation, []
    if get_origin(annotation) is Literal:
        words.append(" or ".join(f"`{value}`" for value in get_args(annotation)))
    elif NoDecode in field.metadata:
        words.append("comma-separated names")
    elif get_origin(annotation) is list:
        words.append("JSON list")
    elif type(None) in get_args(annotation):
        (inner,) = (arg for arg in get_args(annotation) if arg is not type(None))
        words.append(f"{TYPE_NAMES[inner]}, optional")
    else:
        words.append(TYPE_NAMES[annotation])  # type: ignore[index]
    for constraint in field.metadata:
        for kind, attribute, sign in BOUNDS:
            if isinstance(constraint, kind):
                words.append(f"{sign} {getattr(constraint, attribute)}")
    return ", ".join(words)


def default_of(field: FieldInfo) -> str:
    """The default as it would be written in `.env`; unset and empty ones in words."""
    value = field.default
    if value is None:
        return "unset"
    if value == []:
        return "none"
    if isinstance(value, SecretStr):
        value = value.get_secret_value()
    elif isinstance(value, bool):
        value = str(value).lower()
    elif isinstance(value, tuple):
        value = ",".join(value)
    elif isinstance(value, list):
        value = json.dumps(value)
    return f"`{value}`"


def compose_table(env_file: str) -> str:
    """The settings after `.env`'s docker compose header, each with the comment above it."""
    _, found, section = env_file.partition(COMPOSE_SECTION)
    if not found:
        raise ValueError(f"`.env` has no section that begins with {COMPOSE_SECTION!r}")
    rows = ["| setting | default | meaning |", "|---|---|---|"]
    comment: list[str] = []
    for line in section.splitlines()[1:]:
        setting = ENV_SETTING.fullmatch(line.strip())
        if setting:
            rows.append(
                f"| `{setting['name']}` | `{setting['value']}` | {cell(' '.join(comment))} |"
            )
            comment = []
        elif line.startswith("#"):
            comment.append(line.lstrip("# "))
    return "\n".join(rows)


def cell(text: str) -> str:
    """`text` inside a Markdown table cell: pipes escaped, and angle brackets outside code
    spans, which Markdown would take for HTML."""
    parts = text.replace("|", "\\|").split("`")
    return "`".join(
        part if i % 2 else html.escape(part, quote=False) for i, part in enumerate(parts)
    )
