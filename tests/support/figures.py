"""Reading the figure dicts the dashboard builds, as Plotly would."""

import base64
import math
from types import ModuleType, SimpleNamespace

import numpy as np
import plotly.graph_objects as go


def validated(build):
    """The builder with its dict put through Plotly's validating Figure, which refuses any
    property Plotly does not know."""
    return lambda *args: go.Figure(build(*args))


def validated_figures(module: ModuleType) -> SimpleNamespace:
    """Each `*_figure` builder of `module`, validated, under its own name."""
    builders = {name: value for name, value in vars(module).items() if name.endswith("_figure")}
    return SimpleNamespace(**{name: validated(build) for name, build in builders.items()})


def trace(figure: go.Figure, name: str):
    return next(t for t in figure.data if t.name == name)


def values(series) -> list:
    """A series as numbers, whether Plotly's typed array (NaN for a gap) or a plain list."""
    if isinstance(series, dict):
        decoded = np.frombuffer(base64.b64decode(series["bdata"]), dtype=series["dtype"])
        return [None if math.isnan(value) else value for value in decoded.tolist()]
    return list(series)
