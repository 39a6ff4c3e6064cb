"""Rows and pages as the challenge serves them, deterministic per id."""


def stream_row(row_id: int, **overrides) -> dict:
    """A well-formed row, its fields derived from its id."""
    row = {
        "id": row_id,
        "competence": (row_id * 37 % 100) / 100,
        "network_ability": (row_id * 53 % 100) / 100,
        "promoted": row_id % 3 != 0,
    }
    return {**row, **overrides}


def page_of(first_id: int, count: int = 10) -> list[dict]:
    return [stream_row(i) for i in range(first_id, first_id + count)]
