import json
import math

import pytest

from dashboard import batch_figures
from tests.support.figures import trace, validated_figures

draw = validated_figures(batch_figures)


def test_figures_carry_plotly_whites_look_resolved_for_the_browser(regression_latest):
    figure = draw.predicted_vs_actual_figure(regression_latest)
    assert figure.layout.template.layout.plot_bgcolor == "white"
    assert figure.layout.template.data.scatter


def test_confusion_matrix_shades_the_larger_counts_darker(classification_latest):
    # The dict as the browser gets it: go.Figure would resolve a named scale the other way.
    scale = batch_figures.confusion_matrix_figure(classification_latest)["data"][0]["colorscale"]
    lightest, darkest = scale[0][1], scale[-1][1]
    assert sum(map(int, lightest[4:-1].split(","))) > sum(map(int, darkest[4:-1].split(",")))


def test_confusion_matrix_puts_actual_on_rows_and_predicted_on_columns(classification_latest):
    counts = classification_latest["metrics"]["confusion_matrix"]
    heatmap = draw.confusion_matrix_figure(classification_latest).data[0]
    assert [list(row) for row in heatmap.z] == [
        [counts["tn"], counts["fp"]],
        [counts["fn"], counts["tp"]],
    ]
    assert heatmap.y[1] == "actual: promoted"
    assert heatmap.x[1] == "predicted: promoted"


def test_decision_boundary_is_where_the_logit_is_zero(classification_latest):
    coefficients = classification_latest["coefficients"]
    line = trace(
        draw.decision_boundary_figure(classification_latest), "decision boundary (P = 0.5)"
    )
    for competence, network_ability in zip(line.x, line.y, strict=True):
        logit = (
            coefficients["intercept"]
            + coefficients["competence"] * competence
            + coefficients["network_ability"] * network_ability
        )
        assert logit == pytest.approx(0, abs=1e-9)


def test_decision_boundary_shows_every_row_and_rings_the_wrong_ones(classification_latest):
    batch = classification_latest["batch"]
    batch[0].update(promoted=True, predicted=False)
    figure = draw.decision_boundary_figure(classification_latest)
    shown = len(trace(figure, "actually promoted").x) + len(
        trace(figure, "actually not promoted").x
    )
    assert shown == len(batch)
    wrong = trace(figure, "wrong prediction")
    assert len(wrong.x) == sum(row["predicted"] != row["promoted"] for row in batch)
    assert batch[0]["competence"] in wrong.x


def test_decision_boundary_is_vertical_when_network_ability_has_no_weight(classification_latest):
    classification_latest["coefficients"] = {
        "competence": 4.0,
        "network_ability": 0.0,
        "intercept": -2.0,
    }
    line = trace(
        draw.decision_boundary_figure(classification_latest), "decision boundary (P = 0.5)"
    )
    assert list(line.x) == [0.5, 0.5]


def test_an_untrained_classifier_draws_no_boundary(classification_latest):
    classification_latest["coefficients"] = {
        "competence": 0.0,
        "network_ability": 0.0,
        "intercept": 0.0,
    }
    figure = draw.decision_boundary_figure(classification_latest)
    assert "decision boundary (P = 0.5)" not in {t.name for t in figure.data}


def test_predicted_vs_actual_plots_each_row_against_the_diagonal(regression_latest):
    figure = draw.predicted_vs_actual_figure(regression_latest)
    batch = regression_latest["batch"]
    promoted = trace(figure, "promoted")
    expected = [(r["network_ability"], r["predicted"]) for r in batch if r["promoted"]]
    assert list(zip(promoted.x, promoted.y, strict=True)) == expected
    diagonal = trace(figure, "perfect prediction")
    assert list(diagonal.x) == list(diagonal.y)


@pytest.mark.parametrize("build", [draw.decision_boundary_figure, draw.predicted_vs_actual_figure])
def test_scatter_figures_fix_finite_axis_ranges_around_every_row(
    build, classification_latest, regression_latest
):
    latest = (
        regression_latest if build is draw.predicted_vs_actual_figure else classification_latest
    )
    figure = build(latest)
    for axis, name in ((figure.layout.xaxis, "x"), (figure.layout.yaxis, "y")):
        low, high = axis.range
        assert math.isfinite(low) and math.isfinite(high)
        shown = [v for t in figure.data if t.mode == "markers" for v in getattr(t, name)]
        assert shown and all(low < v < high for v in shown)


@pytest.mark.parametrize(
    "build",
    [
        batch_figures.decision_boundary_figure,
        batch_figures.predicted_vs_actual_figure,
        batch_figures.confusion_matrix_figure,
    ],
    ids=lambda build: build.__name__,
)
def test_figures_serialise_to_finite_json(build, classification_latest, regression_latest):
    """Plotly's encoder would quietly send a NaN or an infinity as null, so the dict the
    builder hands to Dash must hold none: strict JSON takes it, and it reads back equal."""
    latest = (
        regression_latest
        if build is batch_figures.predicted_vs_actual_figure
        else classification_latest
    )
    figure = build(latest)
    assert json.loads(json.dumps(figure, allow_nan=False)) == figure
