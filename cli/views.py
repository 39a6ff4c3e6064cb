"""One-shot answers that are more than one table: a record, a prediction."""

from rich.console import Group, RenderableType
from rich.text import Text

from cli.client import Json
from cli.formatting import count, interval, number
from cli.tables import coefficients_table, metrics_table, record_table


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


def promotion_view(answer: Json) -> RenderableType:
    """A classification answer: promoted or not, its probability, which model said so."""
    verdict = "promoted" if answer.get("promoted") else "not promoted"
    text = Text(verdict, style="bold")
    text.append(f"  probability {number(answer.get('probability'))}")
    return text.append(f"  ({_served_by(answer)})", style="dim")


def network_ability_view(answer: Json) -> RenderableType:
    """A regression answer: the value, its 95% interval where given, which model said so."""
    text = Text(f"network_ability {number(answer.get('network_ability'))}", style="bold")
    if answer.get("interval"):
        text.append(f"  95% interval {interval(answer['interval'])}")
    return text.append(f"  ({_served_by(answer)})", style="dim")
