"""What the learner tells a person about each commit: one line per event in plain words,
and the same event as fields for a log shipper (`LOG_FORMAT=json` writes them under
`event`)."""

import logging
from typing import Any

from api.learning.committed import ChampionChangeValues, DriftEventValues, TickCommit

logger = logging.getLogger("api.learner")

LOSSES = {"classification": "error rate", "regression": "mean absolute error"}
SCORES = {"log_loss": "rolling log loss", "rmse": "rolling RMSE"}


def log_commit(commit: TickCommit) -> None:
    for event in commit.drift_events:
        logger.warning(drift_line(event), extra={"event": fields(event, kind="drift")})
    for change in commit.champion_changes:
        logger.info(champion_line(change), extra={"event": fields(change, kind="champion")})
    if commit.quarantined:
        first = commit.quarantined[0]
        example = f"id {first['source_id']}: " if first["source_id"] is not None else ""
        count = len(commit.quarantined)
        rows = "1 row" if count == 1 else f"{count:,} rows"
        logger.warning(
            f"quarantined {rows}, e.g. {example}{first['reason']}",
            extra={"event": {"kind": "quarantine", "rows": len(commit.quarantined)}},
        )


def log_pruned(pruned: dict[str, int]) -> None:
    """A step of pruning that deleted anything; at debug level: in a long run each step
    prunes as much as was added since the last."""
    if any(pruned.values()):
        counts = ", ".join(f"{rows:,} from {table}" for table, rows in pruned.items() if rows)
        logger.debug(f"pruned {counts}", extra={"event": {"kind": "pruned", **pruned}})


def drift_line(event: DriftEventValues) -> str:
    """
    >>> drift_line({"task": "classification", "rows_seen": 20500, "detector": "relationship",
    ...     "loss_before": 0.12, "loss_after": 0.63, "action": "alert",
    ...     "coefficient": "competence", "value_before": 12.06, "value_after": -11.38})
    'classification: relationship drift at row 20,500: competence moved from 12.06 to -11.38'
    >>> drift_line({"task": "regression", "rows_seen": 20128, "detector": "ADWIN",
    ...     "loss_before": 0.207, "loss_after": 0.2123, "action": "reset"})
    'regression: ADWIN drift at row 20,128: mean absolute error 0.207 to 0.212; model reset'
    """
    head = f"{event['task']}: {event['detector']} drift at row {event['rows_seen']:,}: "
    before, after = event.get("value_before"), event.get("value_after")
    if event.get("coefficient"):
        body = f"{event['coefficient']} moved from {before:.4g} to {after:.4g}"
    elif event.get("feature"):
        body = f"{event['feature']} shifted beyond the fence, median {before:.4g} to {after:.4g}"
    else:
        loss = LOSSES.get(event["task"], "loss")
        body = f"{loss} {event['loss_before']:.3f} to {event['loss_after']:.3f}"
    return head + body + ("; model reset" if event["action"] == "reset" else "")


def champion_line(change: ChampionChangeValues) -> str:
    """
    >>> print(champion_line({"task": "classification", "rows_seen": 1410,
    ...     "previous": "reference", "champion": "HoeffdingAdaptiveTreeClassifier",
    ...     "metric": "log_loss", "previous_score": 0.3194, "champion_score": 0.2851}))
    classification: champion HoeffdingAdaptiveTreeClassifier replaces reference at row 1,410, \
rolling log loss 0.285 against 0.319
    """
    score = SCORES.get(change["metric"], change["metric"])
    return (
        f"{change['task']}: champion {change['champion']} replaces {change['previous']} at "
        f"row {change['rows_seen']:,}, {score} {change['champion_score']:.3f} against "
        f"{change['previous_score']:.3f}"
    )


def fields(values: Any, *, kind: str) -> dict[str, Any]:
    """An event's values as JSON can carry them."""
    out = {"kind": kind}
    for name, value in values.items():
        out[name] = value.isoformat() if hasattr(value, "isoformat") else value
    return out


def log_recovery(recovery: Any) -> None:
    """A rewind (`api.models.Recovery`), in words and as fields."""
    logger.warning(
        f"rewound from version {recovery.from_version} to version {recovery.to_version} "
        f"(committed as version {recovery.new_version}, at row {recovery.rows_seen:,}): "
        f"{recovery.reason}",
        extra={
            "event": {
                "kind": "rewind",
                "from_version": recovery.from_version,
                "to_version": recovery.to_version,
                "new_version": recovery.new_version,
                "rows_seen": recovery.rows_seen,
                "reason": recovery.reason,
            }
        },
    )
