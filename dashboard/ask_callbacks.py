"""The "Ask about a person" panel's callbacks: thin, like `dashboard.callbacks`.

`ask_question` keeps the question, the controls and the URL in step: a URL (a shared
link, the back button) sets the controls; a control the viewer moves writes the URL. Its
question goes to `answer_question`, which asks the API for every candidate's answer, one
request a task, and also when a new model version has been drawn, so the answers follow
the models as they learn; nothing else (the refresh timer) asks it anything. A question's
answers for a model version are read and drawn once per process, whoever asks
(`dashboard.shared.PerKey`).
"""

from typing import Any

from dash import Input, Output, State, callback, ctx, no_update
from dash.exceptions import PreventUpdate

from dashboard import ids
from dashboard.answers import keep_answer
from dashboard.ask import answers_table, contributions_figure, person_patch, unanswered_table
from dashboard.callbacks import client
from dashboard.charts import TASKS, as_json
from dashboard.client import ApiUnavailable, Json, NothingLearnedYet
from dashboard.question import DEFAULT, FIELDS, from_search, settled, to_search
from dashboard.shared import PerKey

CONTROLS = {
    "competence": ids.ASK_COMPETENCE,
    "network_ability": ids.ASK_NETWORK_ABILITY,
    "promoted": ids.ASK_PROMOTED,
}
# Questions whose answers the process keeps drawn, for each task and model version.
ANSWERS_KEPT = 256
# What each task reads of the person besides competence.
TASK_FIELD = {"classification": "network_ability", "regression": "promoted"}


@callback(
    output={
        **{name: Output(control, "value") for name, control in CONTROLS.items()},
        "search": Output(ids.URL, "search"),
        "question": Output(ids.QUESTION, "data"),
    },
    inputs={
        "search": Input(ids.URL, "search"),
        **{name: Input(control, "value") for name, control in CONTROLS.items()},
    },
    state={"asked": State(ids.QUESTION, "data")},
)
def ask_question(
    search: str | None, competence: Any, network_ability: Any, promoted: Any, asked: Json | None
) -> Json:
    """The question the URL asks (on load, and on the back button) or the one the controls
    ask (when the viewer moves one, which writes the URL); PreventUpdate when it is the
    question already asked."""
    shown = {"competence": competence, "network_ability": network_ability, "promoted": promoted}
    from_url = ctx.triggered_id in (None, ids.URL)
    # A control emptied (its number entry cleared) keeps the value asked before.
    question = from_search(search) if from_url else settled(**shown, fallback=asked or DEFAULT)
    if question == asked:
        raise PreventUpdate
    search_now = to_search(question)
    return {
        **{name: question[name] if shown[name] != question[name] else no_update for name in FIELDS},
        # Never written for a question read from it: the back button would meet a new page.
        "search": no_update if from_url or search == search_now else search_now,
        "question": question,
    }


def _draw(key: tuple[str, str, int | None]) -> Json:
    """Every candidate's answer for a question (a URL query) from the API, drawn."""
    task, search, _version = key
    question = from_search(search)
    person = {name: question[name] for name in ("competence", TASK_FIELD[task])}
    answer = client.ask(task, person)
    return {
        "model_version": answer["model_version"],
        "table": as_json(answers_table(task, answer, question)),
        "figure": contributions_figure(task, answer),
    }


drawn_answers: PerKey[tuple[str, str, int | None], Json] = PerKey(_draw, size=ANSWERS_KEPT)


def _answered(task: str, question: Json, version: int | None) -> Json:
    """The task's outputs for the question, or a table that says why there are none (the
    chart keeps what it shows)."""
    try:
        return drawn_answers.get((task, to_search(question), version))
    except NothingLearnedYet:
        reason = "nothing has been learned"
    except ApiUnavailable:
        reason = "the API is unavailable"
    return {"table": as_json(unanswered_table(reason)), "figure": no_update}


@callback(
    output={
        **{
            task: {
                "table": Output(ids.answers(task), "children"),
                "figure": Output(ids.contributions(task), "figure"),
            }
            for task in TASKS
        },
        "person": Output(ids.DECISION_BOUNDARY, "figure", allow_duplicate=True),
    },
    inputs={
        "question": Input(ids.QUESTION, "data"),
        # Set with the decision boundary chart, so the person is placed on the new chart.
        "drawn": Input(ids.drawn("classification"), "data"),
    },
    prevent_initial_call=True,
)
def answer_question(question: Json | None, drawn: int | None) -> Json:
    """Every candidate's answer for the question, of both tasks, and the person on the
    decision boundary chart (once that chart is drawn)."""
    if question is None:
        raise PreventUpdate
    answered = {task: _answered(task, question, drawn) for task in TASKS}
    if question == DEFAULT and all(a.get("model_version") == drawn for a in answered.values()):
        # The question of everyone who opened the page as it is, for the version they all
        # draw: answered once, sent alike. Other questions are seldom asked twice, and
        # would push the charts' kept answers out.
        keep_answer()
    return {
        **{task: {"table": a["table"], "figure": a["figure"]} for task, a in answered.items()},
        "person": person_patch(question) if drawn else no_update,
    }
