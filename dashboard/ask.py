"""The "Ask about a person" panel: its controls, and what it shows from the API's answers
for that person (`POST /{task}/predict?all=true`): every candidate's answer in a table,
the champion starred; the terms the linear models' answers add up from, as bars.

Builders are pure, JSON in, components or a figure dict out, like `dashboard.figures`.
"""

from dash import dcc, html

from dashboard import ids
from dashboard.client import Json
from dashboard.figures import COLORS, Figure, _layout, _title, placeholder_figure
from dashboard.leaderboard import CHAMPION_MARK, MORE_COLORS
from dashboard.question import DEFAULT, HIGH, LOW, STEP

# What each task's terms add up to, as the bars' last row says it.
TOTALS = {"classification": "= logit", "regression": "= network ability"}
TERMS_TITLES = {
    "classification": "Why: each term of the logit, P(promoted) = sigmoid(their sum)",
    "regression": "Why: each term of the predicted network ability",
}
NO_POSTERIOR = "this model holds no posterior, so no interval"


def _number_cell(value: float) -> html.Td:
    # The full value in the title: what the API answered, to the last digit.
    return html.Td(f"{value:.3f}", title=repr(value))


def _interval_cell(interval: list[float] | None) -> html.Td:
    if interval is None:
        return html.Td("–", title=NO_POSTERIOR)
    low, high = interval
    return html.Td(f"[{low:.3f}, {high:.3f}]", title=f"[{low!r}, {high!r}]")


def _person(task: str, question: Json) -> str:
    if task == "classification":
        return (
            f"competence {question['competence']:.2f} and network ability "
            f"{question['network_ability']:.2f}"
        )
    promoted = "promoted" if question["promoted"] else "not promoted"
    return f"competence {question['competence']:.2f}, {promoted}"


def answers_table(task: str, answer: Json, question: Json) -> list:
    """Every candidate's answer for the person asked about, the champion starred."""
    champion = answer["model"]
    rows = []
    for candidate in answer["candidates"]:
        starred = candidate["model"] == champion
        value = candidate["probability" if task == "classification" else "network_ability"]
        cells = [
            html.Td(CHAMPION_MARK if starred else "", title="champion" if starred else None),
            html.Td(candidate["model"]),
            _number_cell(value),
            _interval_cell(candidate["interval"]),
        ]
        if task == "classification":
            cells.append(html.Td("promoted" if candidate["promoted"] else "not promoted"))
        rows.append(html.Tr(cells, className="champion" if starred else None))
    titles: tuple[str, ...]
    if task == "classification":
        titles = ("", "candidate", "P(promoted)", "95% interval", "verdict")
        about = (
            "The interval is the reference's, from the same posterior as its coefficients' "
            "bands; the other models hold none."
        )
    else:
        titles = ("", "candidate", "network ability", "95% interval")
        about = (
            "The interval is the reference's 95% predictive interval: where one such "
            "person's network ability falls. The network ability set above is not asked: "
            "it is what the models predict."
        )
    caption = (
        f"For {_person(task, question)}, as model version {answer['model_version']} "
        f"answers: {CHAMPION_MARK} marks the champion, which answers by default. {about} "
        "The models go on learning; the next question asks the newest."
    )
    return [
        html.Caption(caption),
        html.Thead(html.Tr([html.Th(title) for title in titles])),
        html.Tbody(rows),
    ]


def unanswered_table(reason: str) -> list:
    """The table while the API cannot answer, saying why."""
    return [html.Caption(f"No answer yet: {reason}.")]


def contributions_figure(task: str, answer: Json) -> Figure:
    """The terms of each linear model's answer as horizontal bars, one colour a model,
    their sum last: what moved this person's answer, and by how much."""
    linear = [c for c in answer["candidates"] if c["contributions"] is not None]
    if not linear:
        return placeholder_figure("no linear model is racing")
    terms = list(linear[0]["contributions"])
    rows = [*terms, TOTALS[task]]
    palette = COLORS + MORE_COLORS
    data = []
    for index, candidate in enumerate(linear):
        contributions = candidate["contributions"]
        values = [contributions.get(term, 0.0) for term in terms]
        starred = candidate["model"] == answer["model"]
        data.append(
            {
                "type": "bar",
                "orientation": "h",
                "y": rows,
                "x": [*values, sum(values)],
                "name": f"{CHAMPION_MARK} {candidate['model']}" if starred else candidate["model"],
                "marker": {"color": palette[index % len(palette)]},
                "hovertemplate": "%{y}: %{x:.3f}<extra>%{fullData.name}</extra>",
            }
        )
    return {
        "data": data,
        "layout": _layout(
            title=_title(TERMS_TITLES[task]),
            barmode="group",
            xaxis={"title": _title("term"), "zeroline": True, "zerolinecolor": "#999"},
            yaxis={"autorange": "reversed"},
        ),
    }


def _slider(label: str, slider_id: str, value: float) -> html.Div:
    """A slider with its own number entry (Dash's), which sends its value when released
    or, typed, when the entry loses focus: one question, not one per keystroke."""
    return html.Div(
        [
            html.Label(label, className="ask-label"),
            dcc.Slider(
                id=slider_id,
                min=LOW,
                max=HIGH,
                step=STEP,
                value=value,
                marks={LOW: str(LOW), (LOW + HIGH) / 2: str((LOW + HIGH) / 2), HIGH: str(HIGH)},
                updatemode="mouseup",
            ),
        ],
        className="ask-control",
    )


PANEL_NOTE = (
    "Set a person's competence and network ability, and whether they were promoted (the "
    "regression reads that instead of network ability): every model racing answers for "
    "them. The question is in the page's address, so a link shares it."
)


def ask_panel() -> html.Section:
    """The panel the callbacks fill; the URL's question is read into its controls."""
    return html.Section(
        [
            # refresh=False: the callbacks write the question into the address without
            # loading the page again.
            dcc.Location(id=ids.URL, refresh=False),
            dcc.Store(id=ids.QUESTION),
            dcc.Store(id=ids.UNANSWERED),
            dcc.Store(id=ids.ASK_AGAIN),
            html.H2("Ask about a person"),
            html.P(PANEL_NOTE, className="explain"),
            html.Div(
                [
                    _slider("competence", ids.ASK_COMPETENCE, DEFAULT["competence"]),
                    _slider("network ability", ids.ASK_NETWORK_ABILITY, DEFAULT["network_ability"]),
                    html.Div(
                        [
                            html.Label("promoted", className="ask-label"),
                            dcc.RadioItems(
                                id=ids.ASK_PROMOTED,
                                options=[
                                    {"label": "yes", "value": True},
                                    {"label": "no", "value": False},
                                ],
                                value=DEFAULT["promoted"],
                                inline=True,
                            ),
                        ],
                        className="ask-control",
                    ),
                ],
                className="card ask-controls",
            ),
            html.Div(
                [
                    html.Table(id=ids.answers(task), className="card batch leaderboard answers")
                    for task in ("classification", "regression")
                ],
                className="grid",
            ),
            html.Div(
                [
                    dcc.Graph(
                        id=ids.contributions(task),
                        figure=placeholder_figure("waiting for an answer"),
                        config={"displaylogo": False},
                        className="card",
                    )
                    for task in ("classification", "regression")
                ],
                className="grid",
            ),
        ]
    )
