"""The candidates' names: every River model a task may race, and the default field.

`reference` is the task's own model (`api.learning.pipelines`): it always learns, since
`latest` describes it, and it is always in the race. Each other name builds a fresh model
that sees the same features as the reference (`api.learning.candidate_models`); this
module only names them, so that settings and the learner check names without importing
every model River has.

>>> parse_candidates("reference, GaussianNB", "classification")
('reference', 'GaussianNB')
>>> parse_candidates("GaussianNB", "classification")
('reference', 'GaussianNB')
>>> parse_candidates("reference,Oracle", "regression")  # doctest: +ELLIPSIS
Traceback (most recent call last):
ValueError: unknown regression candidate 'Oracle'; known: reference, PARegressor, ...
"""

REFERENCE = "reference"
# Built by `api.learning.candidate_models`, whose builders carry these names.
NAMES: dict[str, tuple[str, ...]] = {
    "classification": (
        "FFMClassifier",
        "HoeffdingAdaptiveTreeClassifier",
        "HoeffdingTreeClassifier",
        "GaussianNB",
        "PriorClassifier",
        "PolynomialLogisticRegression",
        "LogisticRegression",
    ),
    "regression": (
        "PARegressor",
        "HoeffdingAdaptiveTreeRegressor",
        "HoeffdingTreeRegressor",
        "LinearRegression",
        "MeanRegressor",
        "ForgettingBayesianLinearRegression",
    ),
}
# The seed's choices, an adaptive tree, naive Bayes, a no-skill baseline per task, and a
# linear model per task that forgets, which takes over when the world changes. They race
# behind the reference (`api.learner.race_process`), so what they cost per row slows the
# leaderboard, not the learner.
DEFAULTS: dict[str, tuple[str, ...]] = {
    "classification": (
        REFERENCE,
        "FFMClassifier",
        "HoeffdingAdaptiveTreeClassifier",
        "GaussianNB",
        "PriorClassifier",
        "LogisticRegression",
    ),
    "regression": (
        REFERENCE,
        "PARegressor",
        "HoeffdingAdaptiveTreeRegressor",
        "MeanRegressor",
        "ForgettingBayesianLinearRegression",
    ),
}


def known_names(task: str) -> tuple[str, ...]:
    return (REFERENCE, *NAMES[task])


def parse_candidates(value: str | tuple[str, ...], task: str) -> tuple[str, ...]:
    """The names of a comma-separated setting, reference first and each once; an unknown
    name is refused with the known ones."""
    names = value.split(",") if isinstance(value, str) else value
    chosen = [REFERENCE]
    for name in (name.strip() for name in names):
        if name and name not in known_names(task):
            known = ", ".join(known_names(task))
            raise ValueError(f"unknown {task} candidate {name!r}; known: {known}")
        if name and name not in chosen:
            chosen.append(name)
    return tuple(chosen)
