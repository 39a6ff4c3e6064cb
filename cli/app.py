"""The `qa-learner` commands: each reads or drives the API over HTTP and prints the answer."""

from enum import StrEnum
from typing import Annotated

import typer
from rich.console import Group
from rich.text import Text

from cli import views
from cli.client import ApiClient
from cli.output import EXIT_USAGE, console, errors, reporting, show
from cli.tables import history_table, quarantine_table, status_table, versions_table
from cli.watch import watch as run_watch

DEFAULT_API_URL = "http://127.0.0.1:8000"


class Task(StrEnum):
    classification = "classification"
    regression = "regression"


ApiUrl = Annotated[str, typer.Option("--api-url", envvar="API_URL", help="Base URL of the API.")]
Timeout = Annotated[float, typer.Option(min=0.1, help="Seconds to wait for each answer.")]
AsJson = Annotated[
    bool, typer.Option("--json", help="Print the API's JSON unchanged, for scripts.")
]
Token = Annotated[
    str,
    typer.Option(
        envvar="ADMIN_TOKEN", show_default=False, help="The API's ADMIN_TOKEN (bearer token)."
    ),
]
Model = Annotated[
    str | None, typer.Option(help="Ask this candidate model instead of the champion.")
]
Every = Annotated[
    bool,
    typer.Option("--all", help="Ask every candidate at once: one row each, the champion starred."),
]

app = typer.Typer(
    help="Watch the online learner converge, ask its models, pause or reset it: over HTTP.",
    no_args_is_help=True,
    add_completion=False,
)
predict_app = typer.Typer(help="Ask the newest committed model for a prediction.")
app.add_typer(predict_app, name="predict", no_args_is_help=True)


@app.command()
def watch(
    api_url: ApiUrl = DEFAULT_API_URL,
    interval: Annotated[float, typer.Option(min=0.2, help="Seconds between refreshes.")] = 2.0,
    timeout: Timeout = 5.0,
    history: Annotated[int, typer.Option(min=2, help="History points the sparklines draw.")] = 60,
) -> None:
    """A live full-screen view of the learner and both models; q or Ctrl-C leaves."""
    if not console.is_terminal:
        errors.print("watch draws on a terminal; scripts can read status, latest, history --json")
        raise typer.Exit(EXIT_USAGE)
    with reporting():
        run_watch(api_url=api_url, interval=interval, timeout=timeout, history_limit=history)


@app.command()
def status(api_url: ApiUrl = DEFAULT_API_URL, timeout: Timeout = 5.0, json: AsJson = False):
    """The learner's state, stream cursor and row counts (GET /status)."""
    with reporting(), ApiClient(api_url, timeout=timeout) as client:
        show(client.get("/status"), as_json=json, render=status_table)


@app.command()
def latest(
    task: Task, api_url: ApiUrl = DEFAULT_API_URL, timeout: Timeout = 5.0, json: AsJson = False
):
    """The task's newest committed record: metrics and coefficients (GET /TASK/latest)."""
    with reporting(), ApiClient(api_url, timeout=timeout) as client:
        show(client.get(f"/{task}/latest"), as_json=json, render=views.latest_view)


@app.command()
def history(
    task: Task,
    limit: Annotated[int, typer.Option(min=1, max=2000, help="Most points shown.")] = 20,
    api_url: ApiUrl = DEFAULT_API_URL,
    timeout: Timeout = 5.0,
    json: AsJson = False,
):
    """Up to LIMIT records spread over the task's whole history (GET /TASK/history)."""
    with reporting(), ApiClient(api_url, timeout=timeout) as client:
        response = client.get(f"/{task}/history", limit=limit)
        show(response, as_json=json, render=lambda body: history_table(task, body))


@app.command()
def quarantine(
    limit: Annotated[int, typer.Option(min=1, max=1000, help="Most rows shown.")] = 20,
    api_url: ApiUrl = DEFAULT_API_URL,
    timeout: Timeout = 5.0,
    json: AsJson = False,
):
    """The rows not learned, newest first, with their reasons, and every such row counted
    by reason (GET /quarantine)."""
    with reporting(), ApiClient(api_url, timeout=timeout) as client:
        show(client.get("/quarantine", limit=limit), as_json=json, render=quarantine_table)


@app.command()
def versions(api_url: ApiUrl = DEFAULT_API_URL, timeout: Timeout = 5.0, json: AsJson = False):
    """The model versions a rewind can go back to, newest first (GET /learner/versions)."""
    with reporting(), ApiClient(api_url, timeout=timeout) as client:
        show(client.get("/learner/versions"), as_json=json, render=versions_table)


@app.command()
def rewind(
    version: Annotated[int, typer.Argument(min=1, help="A kept model version.")],
    token: Token = "",
    api_url: ApiUrl = DEFAULT_API_URL,
    timeout: Timeout = 5.0,
    json: AsJson = False,
):
    """Take the learner back to a kept version; the rows after it are learned again, as
    a new, larger version (admin; POST /learner/rewind)."""
    with reporting(), ApiClient(api_url, timeout=timeout, token=token) as client:
        response = client.post("/learner/rewind", {"model_version": version})
        show(response, as_json=json, render=lambda body: Text(str(body.get("detail", ""))))


@predict_app.command("classification")
def predict_classification(
    competence: Annotated[float, typer.Option(help="The person's competence.")],
    network_ability: Annotated[float, typer.Option(help="The person's network ability.")],
    model: Model = None,
    every: Every = False,
    api_url: ApiUrl = DEFAULT_API_URL,
    timeout: Timeout = 5.0,
    json: AsJson = False,
):
    """Would this person be promoted, how sure is the model, and why? The probability, its
    95% interval and the terms of the logit (POST /classification/predict)."""
    body, query = (
        {"competence": competence, "network_ability": network_ability},
        _asked(model, every),
    )
    with reporting(), ApiClient(api_url, timeout=timeout) as client:
        response = client.post("/classification/predict", body, **query)
        show(response, as_json=json, render=views.promotion_view)


@predict_app.command("regression")
def predict_regression(
    competence: Annotated[float, typer.Option(help="The person's competence.")],
    promoted: Annotated[bool, typer.Option("--promoted/--not-promoted", help="Promoted or not.")],
    model: Model = None,
    every: Every = False,
    api_url: ApiUrl = DEFAULT_API_URL,
    timeout: Timeout = 5.0,
    json: AsJson = False,
):
    """This person's network ability, its interval where the API gives one, and the terms
    it adds up from (POST /regression/predict)."""
    body, query = {"competence": competence, "promoted": promoted}, _asked(model, every)
    with reporting(), ApiClient(api_url, timeout=timeout) as client:
        response = client.post("/regression/predict", body, **query)
        show(response, as_json=json, render=views.network_ability_view)


def _asked(model: str | None, every: bool) -> dict[str, str | None]:
    """The query of a predict command: one candidate, or all of them, or the champion."""
    if model is not None and every:
        errors.print("--all asks every candidate already: leave out --model.")
        raise typer.Exit(EXIT_USAGE)
    return {"model": model, "all": "true" if every else None}


def learner_switch(action: str, summary: str):
    """The `pause` or `resume` command: POST /learner/ACTION with the admin token."""

    def switch(
        token: Token = "",
        api_url: ApiUrl = DEFAULT_API_URL,
        timeout: Timeout = 5.0,
        json: AsJson = False,
    ):
        with reporting(), ApiClient(api_url, timeout=timeout, token=token) as client:
            response = client.post(f"/learner/{action}")
            done = Text(f"Learner {action}d.", style="bold")
            show(response, as_json=json, render=lambda body: Group(done, status_table(body)))

    switch.__doc__ = summary
    return switch


app.command("pause")(
    learner_switch("pause", "Stop learning after the current tick; the API keeps serving (admin).")
)
app.command("resume")(learner_switch("resume", "Learn again from the committed cursor (admin)."))


@app.command()
def reset(
    task: Task,
    token: Token = "",
    api_url: ApiUrl = DEFAULT_API_URL,
    timeout: Timeout = 5.0,
    json: AsJson = False,
):
    """Start the task's model afresh from the next learned rows; history is kept (admin)."""
    with reporting(), ApiClient(api_url, timeout=timeout, token=token) as client:
        response = client.post(f"/{task}/reset")
        show(response, as_json=json, render=lambda body: Text(str(body.get("detail", ""))))


def main() -> None:
    app()
