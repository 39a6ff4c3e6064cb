"""What a learned task offers once committed: the serving side's view of
`api.learning.tasks`, which it unpickles from a snapshot and never changes."""

from typing import Any, Protocol

from api.learning.names import TaskName
from api.learning.options import TaskOptions
from api.learning.uncertainty import Interval


class Standings(Protocol):
    def names(self) -> tuple[str, ...]:
        """The candidates racing, the reference first."""
        ...

    def model(self, name: str) -> Any:
        """The River model of a candidate other than the reference."""
        ...


class Task(Protocol):
    name: TaskName
    # The reference's River model.
    model: Any
    options: TaskOptions

    @property
    def live_race(self) -> Standings: ...

    @property
    def champion(self) -> str: ...


class Classifier(Task, Protocol):
    def predict(
        self, competence: float, network_ability: float, model: str = ..., /
    ) -> tuple[bool, float]:
        """The promotion and P(promoted) from `model` (the reference unless named)."""
        ...


class Regressor(Task, Protocol):
    def predict(self, competence: float, promoted: bool, model: str = ..., /) -> float:
        """network_ability from `model` (the reference unless named)."""
        ...

    def predictive_interval(
        self, competence: float, promoted: bool, model: str = ..., /
    ) -> Interval | None:
        """The reference's 95% predictive interval; None from any other candidate."""
        ...
