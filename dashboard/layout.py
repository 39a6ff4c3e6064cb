"""The page: controls, banner, status bar, one section per task. Static; callbacks fill it."""

from dash import dcc, html

from dashboard import ids
from dashboard.ask import ask_panel
from dashboard.charts import TASKS
from dashboard.components import NO_STATUS, banner, status_bar
from dashboard.figures import placeholder_figure
from dashboard.leaderboard import leaderboard_view

REFRESH_CHOICES = [
    {"label": "1 s", "value": 1},
    {"label": "2 s", "value": 2},
    {"label": "5 s", "value": 5},
    {"label": "10 s", "value": 10},
    {"label": "paused", "value": 0},
]
DEFAULT_REFRESH_SECONDS = 2

COLLIDER_NOTE = """
**Why the `promoted` coefficient is not a cause.** Promotion depends on both competence and
network ability (competence → promoted ← network ability), so `promoted` is a *collider*.
In the population, competence and network ability are unrelated. Among promoted people,
though, someone with low competence must have had a strong network to get there, and the
other way round; the same happens among those not promoted. So once the model takes
`promoted` into account, competence and network ability look negatively related.

The `promoted` coefficient only says that promoted people have a better network on average,
which is how they got promoted; it is not what a promotion does to anyone. And the
`competence` coefficient is produced by the same selection: it is not evidence that
competence harms networking. To learn how the two relate, leave `promoted` out of the model.

**What the bands mean.** Each band is the coefficient's 95% interval (with the weak prior
used here, the OLS confidence interval of the rows learned so far). It says how precisely
the rows pin down the *association* this model measures: between competence and network
ability among people with the same `promoted`. It narrows, about as 1/√rows, as rows come
in. It does not say that the association is a cause: a narrow band away from zero on
`competence` only means the selection effect of the collider is measured precisely; more
rows make a biased number more certain, never less biased. Nor is it the range of one
person's network ability: that is the wider predictive interval `POST /regression/predict`
returns.
"""

CLASSIFIER_INTERVALS_NOTE = """
**The classifier's bands.** The logistic regression is Bayesian: it keeps a Gaussian
posterior of its weights (a Laplace approximation, learnt one Newton step a row), and the
weights drawn are that posterior's mean. The band is the mean ± 1.96 standard deviations,
so every weight lies inside its own band; it narrows about as 1/√rows. After the
relationship detector finds that a weight moved, the model starts a new regime from the
rows of the change: the band widens again, around the world as it now is. The band is
drawn as the API serves it.
"""


def _graph(graph_id: str) -> dcc.Graph:
    return dcc.Graph(
        id=graph_id,
        figure=placeholder_figure("waiting for data"),
        config={"displaylogo": False},
        className="card",
    )


def _header() -> html.Header:
    return html.Header(
        [
            html.H1("Online learning: who gets promoted"),
            html.Div(
                [
                    html.Label("refresh every", htmlFor=ids.REFRESH_CHOICE),
                    dcc.RadioItems(
                        id=ids.REFRESH_CHOICE,
                        options=REFRESH_CHOICES,
                        value=DEFAULT_REFRESH_SECONDS,
                        inline=True,
                        persistence=True,
                    ),
                ],
                className="refresh",
            ),
        ]
    )


def _drift_notice(task: str) -> html.Div:
    return html.Div(id=ids.drift_notice(task), className="drift-notice hidden", role="alert")


def _classification_section() -> html.Section:
    return html.Section(
        [
            html.H2("Classification: is a person promoted?"),
            _drift_notice("classification"),
            html.P(
                "Each row is predicted before the model learns it, so these metrics are honest "
                "out-of-sample scores. When the solid (all rows) and dotted (recent rows) lines "
                "run flat and close together, the model has converged.",
                className="explain",
            ),
            html.Div(
                [_graph(ids.CLASSIFICATION_METRICS), _graph(ids.CONFUSION_MATRIX)], className="grid"
            ),
            html.Div(
                [
                    _graph(ids.DECISION_BOUNDARY),
                    html.Table(id=ids.CLASSIFICATION_BATCH, className="card batch"),
                ],
                className="grid",
            ),
            html.Div(
                [
                    _graph(ids.CLASSIFICATION_COEFFICIENTS),
                    dcc.Markdown(CLASSIFIER_INTERVALS_NOTE, className="card note"),
                ],
                className="grid",
            ),
            leaderboard_view("classification"),
        ]
    )


def _regression_section() -> html.Section:
    return html.Section(
        [
            html.H2("Regression: network ability from competence and promotion"),
            _drift_notice("regression"),
            html.Div(
                [_graph(ids.REGRESSION_METRICS), _graph(ids.REGRESSION_COEFFICIENTS)],
                className="grid",
            ),
            html.Div(
                [
                    _graph(ids.PREDICTED_VS_ACTUAL),
                    dcc.Markdown(COLLIDER_NOTE, id=ids.COLLIDER_NOTE, className="card note"),
                ],
                className="grid",
            ),
            leaderboard_view("regression"),
        ]
    )


def _quarantine_section() -> html.Section:
    return html.Section(
        [
            html.H2("Rows not learned"),
            html.P("…", id=ids.QUARANTINE_SUMMARY, className="explain"),
            html.Table(id=ids.QUARANTINE_REASONS, className="card quarantine"),
            html.Details(
                [
                    html.Summary(
                        "The newest of them, each with its reason and the row as received"
                    ),
                    html.Table(id=ids.QUARANTINE_NEWEST, className="card quarantine"),
                ]
            ),
        ]
    )


def build_layout() -> html.Div:
    banner_text, banner_class = banner(None, "")
    return html.Div(
        [
            dcc.Interval(id=ids.POLL, interval=DEFAULT_REFRESH_SECONDS * 1000),
            # What this browser last drew; memory storage, so a reload draws afresh.
            dcc.Store(id=ids.STATUS_SEEN),
            # The model version the status last reported; the charts follow it.
            dcc.Store(id=ids.MODEL_VERSION),
            *[dcc.Store(id=ids.drawn(task)) for task in TASKS],
            # The rows quarantined the status last reported; the quarantine follows it.
            dcc.Store(id=ids.QUARANTINE_COUNT),
            _header(),
            html.Div(banner_text, id=ids.BANNER, className=banner_class, role="status"),
            html.Div(status_bar(NO_STATUS), id=ids.STATUS_BAR, className="status-bar"),
            ask_panel(),
            _classification_section(),
            _regression_section(),
            _quarantine_section(),
        ],
        className="page",
    )
