"""The names every layer shares: the two tasks."""

from typing import Literal

TaskName = Literal["classification", "regression"]
CLASSIFICATION: TaskName = "classification"
REGRESSION: TaskName = "regression"
TASKS: tuple[TaskName, ...] = (CLASSIFICATION, REGRESSION)
