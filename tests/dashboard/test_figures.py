import pytest

from dashboard import figures
from tests.support.figures import trace, validated_figures, values
from tests.support.recorded_api import load

draw = validated_figures(figures)


def test_stacked_metric_charts_keep_plotly_whites_look(regression_history):
    figure = draw.regression_metrics_figure(regression_history)
    assert figure.layout.template.layout.plot_bgcolor == "white"


def test_placeholder_says_why_it_is_empty():
    figure = draw.placeholder_figure("waiting for data")
    assert figure.data == ()
    assert figure.layout.annotations[0].text == "waiting for data"


def test_classification_metrics_draw_cumulative_and_rolling_against_rows_seen(
    classification_history,
):
    figure = draw.classification_metrics_figure(classification_history)
    points = classification_history["points"]
    accuracy = trace(figure, "accuracy")
    rolling = trace(figure, "accuracy (rolling)")
    assert values(accuracy.x) == [p["rows_seen"] for p in points]
    assert values(accuracy.y) == [p["metrics"]["accuracy"] for p in points]
    assert values(rolling.y) == [p["rolling_metrics"]["accuracy"] for p in points]
    assert rolling.line.dash == "dot"
    assert trace(figure, "log_loss").yaxis == "y2"
    window = points[-1]["rolling_metrics"]["count"]
    assert f"dotted: the last {window:,} rows" in figure.layout.annotations[0].text


def test_undefined_metrics_become_gaps(classification_history):
    classification_history["points"][0]["metrics"]["roc_auc"] = None
    figure = draw.classification_metrics_figure(classification_history)
    assert values(trace(figure, "roc_auc").y)[0] is None


def test_regression_metrics_keep_r2_on_its_own_bounded_axis(regression_history):
    figure = draw.regression_metrics_figure(regression_history)
    assert {t.name for t in figure.data} == {
        "mae",
        "mae (rolling)",
        "rmse",
        "rmse (rolling)",
        "r2",
        "r2 (rolling)",
    }
    assert trace(figure, "r2").yaxis == "y2"
    assert figure.layout.yaxis2.autorangeoptions.minallowed == -1


def test_metric_figures_of_an_empty_history_have_no_points():
    figure = draw.regression_metrics_figure({"task": "regression", "points": []})
    assert all(values(t.x) == [] for t in figure.data)


def test_coefficients_follow_each_weight_over_rows_seen(regression_history):
    figure = draw.coefficients_figure(regression_history)
    points = regression_history["points"]
    lines = [t.name for t in figure.data if t.showlegend is not False]
    assert lines == ["competence", "promoted", "intercept"]
    assert values(trace(figure, "promoted").y) == [p["coefficients"]["promoted"] for p in points]


@pytest.mark.parametrize("task", ["regression", "classification"])
def test_each_coefficient_sits_in_the_band_of_its_served_interval(
    task, regression_history, classification_history
):
    history = regression_history if task == "regression" else classification_history
    figure = draw.coefficients_figure(history)
    points = history["points"]
    for name in points[-1]["coefficients"]:
        low, high = trace(figure, f"{name} 95% low"), trace(figure, f"{name} 95% high")
        assert values(low.x) == values(high.x) == [p["rows_seen"] for p in points]
        assert values(low.y) == [p["coefficient_intervals"][name][0] for p in points]
        assert values(high.y) == [p["coefficient_intervals"][name][1] for p in points]
        # The high edge fills down to the trace just before it, which is the low edge.
        assert high.fill == "tonexty"
        assert figure.data[figure.data.index(high) - 1] is low
        assert high.legendgroup == low.legendgroup == trace(figure, name).legendgroup


def test_bands_narrow_as_rows_come_in(regression_history):
    figure = draw.coefficients_figure(regression_history)
    low, high = trace(figure, "promoted 95% low"), trace(figure, "promoted 95% high")
    widths = [h - lo for lo, h in zip(values(low.y), values(high.y), strict=True)]
    assert widths[-1] < widths[0] / 5


def test_points_without_intervals_are_left_out_of_the_band(regression_history):
    points = regression_history["points"]
    points[0]["coefficient_intervals"] = None
    del points[1]["coefficient_intervals"]  # a record older than the intervals
    figure = draw.coefficients_figure(regression_history)
    low = trace(figure, "competence 95% low")
    assert values(low.x) == [p["rows_seen"] for p in points[2:]]
    assert values(low.y) == [p["coefficient_intervals"]["competence"][0] for p in points[2:]]
    assert values(trace(figure, "competence").x) == [p["rows_seen"] for p in points]


def test_a_history_without_intervals_draws_empty_bands(regression_history):
    for point in regression_history["points"]:
        point["coefficient_intervals"] = None
    figure = draw.coefficients_figure(regression_history)
    assert values(trace(figure, "promoted 95% high").x) == []
    assert values(trace(figure, "promoted").y)


def test_the_classifiers_bands_say_they_are_centred_on_the_laplace_estimate(
    classification_history,
):
    figure = draw.coefficients_figure(classification_history)
    assert "Laplace approximation" in figure.layout.title.text
    assert "around the weights drawn" in figure.layout.title.text
    assert trace(figure, "competence 95% high").hovertemplate.startswith("Laplace 95% interval")
    assert "exact" in draw.coefficients_figure(load("regression_history")).layout.title.text


def drift_lines(figure) -> list:
    """The lines marking events: drifts and rewinds."""
    marks = ("drift", "a rewind")
    return [shape for shape in figure.layout.shapes if shape.name.startswith(marks)]


def test_metric_charts_mark_each_drift_event_on_every_panel(classification_history):
    events = [
        {"rows_seen": 1200, "detector": "ADWIN", "loss_before": 0.1, "loss_after": 0.3},
        {"rows_seen": 3400, "detector": "ADWIN", "loss_before": 0.1, "loss_after": 0.4},
    ]
    figure = draw.classification_metrics_figure(classification_history, {"events": events})
    markers = drift_lines(figure)
    assert sorted((m.x0, m.x1, m.xref, m.yref) for m in markers) == [
        (1200, 1200, "x", "y domain"),
        (1200, 1200, "x2", "y2 domain"),
        (3400, 3400, "x", "y domain"),
        (3400, 3400, "x2", "y2 domain"),
    ]
    assert all((m.y0, m.y1) == (0, 1) for m in markers)
    assert [m.label.text for m in markers if m.label.text] == ["drift (ADWIN)"] * 2
    assert [m.showlegend for m in markers].count(True) == 1


def test_each_detectors_markers_have_their_own_style_and_say_what_moved(classification_history):
    events = [
        {
            "rows_seen": 900,
            "detector": "fence",
            "feature": "competence",
            "before": 0.5,
            "after": 50.0,
            "loss_before": 0.1,
            "loss_after": 0.4,
        },
        {"rows_seen": 1000, "detector": "ADWIN", "loss_before": 0.1, "loss_after": 0.3},
        {
            "rows_seen": 1500,
            "detector": "relationship",
            "coefficient": "network_ability",
            "before": 8.04,
            "after": -7.9,
            "loss_before": 0.1,
            "loss_after": 0.6,
        },
        {
            "rows_seen": 2500,
            "detector": "relationship",
            "coefficient": "competence",
            "before": 12.0,
            "after": -12.1,
            "loss_before": 0.1,
            "loss_after": 0.6,
        },
    ]
    figure = draw.classification_metrics_figure(classification_history, {"events": events})
    top = [m for m in drift_lines(figure) if m.xref == "x"]
    assert [m.label.text for m in top] == [
        "competence ×1e+02 (fence)",
        "drift (ADWIN)",
        "network_ability 8.04 → -7.9",
        "competence 12 → -12.1",
    ]
    styles = {m.name: (m.line.color, m.line.dash) for m in top}
    assert len(set(styles.values())) == 3, "one style per detector"
    in_legend = [m.name for m in drift_lines(figure) if m.showlegend]
    assert in_legend == [
        "drift: a feature shifted",
        "drift: the loss rose",
        "drift: a coefficient moved",
    ]


def test_metric_charts_mark_only_the_newest_drift_events(regression_history):
    shown = figures.DRIFT_MARKERS_SHOWN
    events = [
        {"rows_seen": 100 * i, "detector": "ADWIN", "loss_before": 0.1, "loss_after": 0.3}
        for i in range(1, shown + 6)
    ]
    markers = drift_lines(draw.regression_metrics_figure(regression_history, {"events": events}))
    assert sorted({m.x0 for m in markers}) == [e["rows_seen"] for e in events[-shown:]]


@pytest.mark.parametrize("drift", [None, {"task": "regression", "events": []}])
def test_metric_charts_without_drift_events_have_no_markers(drift, regression_history):
    assert drift_lines(draw.regression_metrics_figure(regression_history, drift)) == []


def test_a_rewind_is_marked_where_the_learner_went_back_to(classification_history):
    drift = {
        "events": [{"rows_seen": 3000, "detector": "ADWIN", "loss_before": 0.1, "loss_after": 0.3}],
        "rewinds": [
            {
                "from_version": 14,
                "to_version": 11,
                "new_version": 15,
                "rows_seen": 1100,
                "reason": "asked for by an admin",
                "at": "2026-12-06T08:00:00+00:00",
            }
        ],
    }
    figure = draw.classification_metrics_figure(classification_history, drift)
    top = [m for m in drift_lines(figure) if m.xref == "x"]
    assert [(m.x0, m.label.text) for m in top] == [
        (1100, "rewind to version 11"),
        (3000, "drift (ADWIN)"),
    ]
    assert top[0].name == "a rewind to a kept version"
