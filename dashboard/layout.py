"""The page: controls, banner, status bar, one section per task. Static; callbacks fill it."""

from dash import dcc, html

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
                    html.Label("refresh every", htmlFor="refresh-choice"),
                    dcc.RadioItems(
                        id="refresh-choice",
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


def _classification_section() -> html.Section:
    return html.Section(
        [
            html.H2("Classification: is a person promoted?"),
            html.P(
                "Each row is predicted before the model learns it, so these metrics are honest "
                "out-of-sample scores. When the solid (all rows) and dotted (recent rows) lines "
                "run flat and close together, the model has converged.",
                className="explain",
            ),
            html.Div(
                [_graph("classification-metrics"), _graph("confusion-matrix")], className="grid"
            ),
            html.Div(
                [
                    _graph("decision-boundary"),
                    html.Table(id="classification-batch", className="card batch"),
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
            html.Div(
                [_graph("regression-metrics"), _graph("regression-coefficients")],
                className="grid",
            ),
            html.Div(
                [
                    _graph("predicted-vs-actual"),
                    dcc.Markdown(COLLIDER_NOTE, id="collider-note", className="card note"),
                ],
                className="grid",
            ),
            leaderboard_view("regression"),
        ]
    )


def build_layout() -> html.Div:
    banner_text, banner_class = banner(None, "")
    return html.Div(
        [
            dcc.Interval(id="poll", interval=DEFAULT_REFRESH_SECONDS * 1000),
            # What this browser last drew; memory storage, so a reload draws afresh.
            dcc.Store(id="status-seen"),
            # The model version the status last reported; the charts follow it.
            dcc.Store(id="model-version"),
            dcc.Store(id="classification-seen"),
            dcc.Store(id="regression-seen"),
            _header(),
            html.Div(banner_text, id="banner", className=banner_class, role="status"),
            html.Div(status_bar(NO_STATUS), id="status-bar", className="status-bar"),
            _classification_section(),
            _regression_section(),
        ],
        className="page",
    )
