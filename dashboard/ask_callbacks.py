"""The "Ask about a person" panel's callbacks: thin, like `dashboard.callbacks`.

`ask_question` keeps the question, the controls and the URL in step: a URL (a shared
link, the back button) sets the controls; a control the viewer moves writes the URL. Its
question goes to `answer_question`, which asks the API for every candidate's answer, one
request a task. Only a new question asks: the refresh timer and the model versions it
brings ask nothing, so a viewer who watches costs no more than before. A question's
answers are read and drawn once per process for the models of the moment, whoever asks
(`dashboard.shared.PerKey`). The person is drawn on the decision boundary chart in the
browser.
"""

import json
from typing import Any

from dash import Input, Output, State, callback, clientside_callback, ctx, no_update
from dash.exceptions import PreventUpdate

from dashboard import ids
from dashboard.ask import answers_table, contributions_figure, unanswered_table
from dashboard.batch_figures import PERSON_NAME
from dashboard.callbacks import client, statuses
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
        "table": as_json(answers_table(task, answer, question)),
        "figure": contributions_figure(task, answer),
    }


drawn_answers: PerKey[tuple[str, str, int | None], Json] = PerKey(_draw, size=ANSWERS_KEPT)


def _answered(task: str, question: Json, version: int | None) -> tuple[Json, bool]:
    """The task's outputs for the question and True, or a table that says why there are
    none (the chart keeps what it shows) and False."""
    try:
        return drawn_answers.get((task, to_search(question), version)), True
    except NothingLearnedYet:
        reason = "nothing has been learned"
    except ApiUnavailable:
        reason = "the API is unavailable"
    return {"table": as_json(unanswered_table(reason)), "figure": no_update}, False


@callback(
    output={
        **{
            task: {
                "table": Output(ids.answers(task), "children"),
                "figure": Output(ids.contributions(task), "figure"),
            }
            for task in TASKS
        },
        "unanswered": Output(ids.UNANSWERED, "data"),
    },
    inputs={"question": Input(ids.QUESTION, "data"), "_again": Input(ids.ASK_AGAIN, "data")},
    prevent_initial_call=True,
)
def answer_question(question: Json | None, _again: int | None) -> Json:
    """Every candidate's answer for the question, of both tasks; asked again by the
    browser when a task had none and a new model version has been drawn since."""
    if question is None:
        raise PreventUpdate
    # The newest model version this process knows of: viewers asking the same question of
    # the same models share one read, and one asked again once they learned is read anew.
    status = statuses.get()
    version = status.get("model_version") if status else None
    answered = {task: _answered(task, question, version) for task in TASKS}
    return {
        **{task: outputs for task, (outputs, _) in answered.items()},
        "unanswered": not all(ok for _, ok in answered.values()),
    }


# In the browser: while a task has no answer (the API was down, or had learned nothing),
# each new chart drawn asks again; answered, a new chart costs nothing.
clientside_callback(
    """function (drawn, unanswered) {
        return unanswered && drawn ? drawn : window.dash_clientside.no_update;
    }""",
    Output(ids.ASK_AGAIN, "data"),
    Input(ids.drawn("classification"), "data"),
    State(ids.UNANSWERED, "data"),
    prevent_initial_call=True,
)


# In the browser, so a new model version's chart costs no request: the person asked
# about, placed on the decision boundary chart's trace for them (empty as the chart is
# drawn, for every viewer alike) whenever a chart is drawn or a question asked.
clientside_callback(
    f"""function (drawn, question, figure) {{
        const data = (figure && figure.data) || [];
        const index = data.findIndex(trace => trace.name === {json.dumps(PERSON_NAME)});
        if (!drawn || !question || index < 0) {{
            return window.dash_clientside.no_update;
        }}
        const placed = data.slice();
        placed[index] = Object.assign({{}}, data[index], {{
            x: [question.competence], y: [question.network_ability]
        }});
        return Object.assign({{}}, figure, {{data: placed}});
    }}""",
    Output(ids.DECISION_BOUNDARY, "figure", allow_duplicate=True),
    Input(ids.drawn("classification"), "data"),
    Input(ids.QUESTION, "data"),
    State(ids.DECISION_BOUNDARY, "figure"),
    prevent_initial_call=True,
)
