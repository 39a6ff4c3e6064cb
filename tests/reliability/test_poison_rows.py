"""Rows that parse but that the tables or the models cannot take are quarantined: were
they learned, every commit would fail and the learner would retry the same page forever."""

from tests.support.ledger import read_ledger
from tests.support.rows import page_of, stream_row


def test_rows_no_column_or_model_can_hold_are_quarantined_and_the_stream_goes_on(
    make_learner, db_path
):
    poison = {
        3: stream_row(3, id=2**63),  # SQLite's INTEGER overflows (PostgreSQL's at 2**31)
        5: stream_row(5, competence=1e300),  # finite, but its square is not
        7: stream_row(7, network_ability=10**400),  # an integer no float can hold
    }
    learner = make_learner()
    page = [poison.get(row["id"], row) for row in page_of(1)]
    assert learner.learn_and_commit([page])
    assert learner.learn_and_commit([page_of(11)])

    ledger = read_ledger(db_path)
    assert ledger.learned_ids == [i for i in range(1, 21) if i not in poison]
    assert ledger.rows_quarantined == ledger.quarantined_rows == 3
    reasons = sorted(ledger.quarantined.values())
    assert any("'id' must be an integer in" in reason for reason in reasons)
    assert any("'competence' is too large to learn" in reason for reason in reasons)
    assert any("'network_ability' must be finite" in reason for reason in reasons)
    for task in learner.tasks.values():
        assert task.scores.report()["count"] == 17
