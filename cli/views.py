"""One-shot answers that are more than one table: a record, a prediction."""

from rich.console import Group, RenderableType
from rich.text import Text

from cli.client import Json
from cli.formatting import count, interval, number
from cli.tables import (
    candidates_table,
    coefficients_table,
    metrics_table,
    record_table,
    terms_table,
)


def latest_view(latest: Json) -> RenderableType:
    task = str(latest.get("task", "classification"))
    title = Text(f"{task}: newest committed record", style="bold")
    return Group(
        title,
        record_table(latest),
        Text(""),
        metrics_table(task, latest),
        Text(""),
        coefficients_table(latest),
    )


def _served_by(answer: Json) -> str:
    served = f"model version {count(answer.get('model_version'))}"
    return served + (f", model {answer['model']}" if answer.get("model") else "")


def _explained(task: str, text: Text, answer: Json) -> RenderableType:
    """The answer's line, then the terms it adds up from where the model has them; with
    `?all=true`, every candidate's answer instead."""
    if answer.get("candidates"):
        return candidates_table(task, answer)
    if answer.get("interval"):
        text.append(f"  95% interval {interval(answer['interval'])}")
    text.append(f"  ({_served_by(answer)})", style="dim")
    if answer.get("contributions"):
        return Group(text, terms_table(task, answer["contributions"]))
    if "contributions" in answer:
        return Group(text, Text("no terms: not a linear model", style="dim"))
    return text


def promotion_view(answer: Json) -> RenderableType:
    """A classification answer: promoted or not, its probability and 95% interval where
    given, which model said so, and the terms of its logit."""
    verdict = "promoted" if answer.get("promoted") else "not promoted"
    text = Text(verdict, style="bold")
    text.append(f"  probability {number(answer.get('probability'))}")
    return _explained("classification", text, answer)


def network_ability_view(answer: Json) -> RenderableType:
    """A regression answer: the value, its 95% interval where given, which model said so,
    and the terms it adds up from."""
    text = Text(f"network_ability {number(answer.get('network_ability'))}", style="bold")
    return _explained("regression", text, answer)
