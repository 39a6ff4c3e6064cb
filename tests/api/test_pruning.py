"""What one pruning step deletes, on a SQLite file and on PostgreSQL, without a learner."""

import pytest
from sqlalchemy import insert, select
from sqlalchemy.orm import Session

from api.core.db import make_engine
from api.learner.retention import STEP_ROWS, Retention, prune
from api.migrate import upgrade_database
from api.models import QuarantinedRow


@pytest.fixture
def session(database_url):
    engine = make_engine(database_url)
    upgrade_database(engine)
    with Session(engine) as session:
        yield session
    engine.dispose()


def quarantine(session: Session, ids: list[int]) -> None:
    rows = [
        {"id": i, "page": i, "position": 0, "source_id": i, "payload": "{}", "reason": "test"}
        for i in ids
    ]
    session.execute(insert(QuarantinedRow), rows)
    session.commit()


def kept(session: Session) -> list[int]:
    return list(session.scalars(select(QuarantinedRow.id).order_by(QuarantinedRow.id)))


def test_the_newest_quarantined_rows_are_kept_however_their_ids_run(session):
    """Ids with gaps, as a rewind or a PostgreSQL sequence leaves them: the newest 60 rows
    stay, not the rows of the newest 60 ids."""
    quarantine(session, [*range(1, 51), *range(1_001, 1_051)])
    retention = Retention(learned_rows=100, quarantined_rows=60, records=100, older_records_every=1)
    pruned = prune(session, retention, model_version=1)
    session.commit()
    assert (pruned.deleted["quarantined_row"], pruned.more) == (40, False)
    assert kept(session) == [*range(41, 51), *range(1_001, 1_051)]
    assert prune(session, retention, model_version=1).deleted["quarantined_row"] == 0


def test_a_backlog_of_quarantined_rows_goes_in_steps_of_at_most_step_rows_ids(session):
    quarantine(session, [*range(1, STEP_ROWS + 1_001), *range(20_001, 26_001)])
    retention = Retention(
        learned_rows=100, quarantined_rows=1_000, records=100, older_records_every=1
    )
    steps = []
    for _ in range(10):
        pruned = prune(session, retention, model_version=1)
        session.commit()
        steps.append((pruned.deleted["quarantined_row"], pruned.more))
        if not pruned.more:
            break
    assert steps == [(STEP_ROWS, True), (1_000, True), (5_000, False)]
    assert kept(session) == list(range(25_001, 26_001))
