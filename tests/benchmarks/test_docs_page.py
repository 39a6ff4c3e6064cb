"""`make bench` and `make leaderboard` write their latest tables into the docs' Performance
page between their markers, leave the rest of the page alone, and refuse a page they
could not write to before a long run starts."""

from pathlib import Path

import pytest

from benchmarks.docs_page import (
    BENCH,
    LEADERBOARD,
    PERFORMANCE_PAGE,
    check_page,
    with_section,
    write_section,
)

PAGE = """# Performance

The method, by hand.

<!-- begin: written by make bench -->
| part | measure | result | target |
|---|---|---|---|
| catch-up | learner / A | 0.81 | >= 0.9: **missed** |
<!-- end: written by make bench -->

## Candidates

<!-- begin: written by make leaderboard -->
the scores of the run before
<!-- end: written by make leaderboard -->
"""
TABLE = """`make bench` on 2026-12-06 10:00 UTC, 2 cores, Python 3.11.7; 100,000 rows.

| part | measure | result | target |
|---|---|---|---|
| catch-up | learner / A | 0.94 | >= 0.9: met |
"""


def test_the_table_replaces_what_stood_between_its_writers_markers():
    assert with_section(PAGE, BENCH, TABLE) == PAGE.replace(
        """| part | measure | result | target |
|---|---|---|---|
| catch-up | learner / A | 0.81 | >= 0.9: **missed** |
""",
        TABLE,
    )


def test_the_other_writers_section_and_the_method_are_left_as_they_were():
    written = with_section(PAGE, LEADERBOARD, "| new scores |\n")
    assert written == PAGE.replace("the scores of the run before\n", "| new scores |\n")


def test_writing_the_same_table_twice_changes_nothing_the_second_time():
    once = with_section(PAGE, BENCH, TABLE)
    assert with_section(once, BENCH, TABLE) == once


def test_blank_lines_around_the_table_are_not_piled_up_between_the_markers():
    written = with_section(PAGE, BENCH, "\n\n| a |\n\n\n")
    assert "<!-- begin: written by make bench -->\n| a |\n<!-- end: written by make bench -->" in (
        written
    )


@pytest.mark.parametrize(
    "page",
    [
        PAGE.replace("<!-- end: written by make bench -->\n", ""),
        PAGE.replace("<!-- begin: written by make bench -->\n", ""),
        PAGE + "<!-- begin: written by make bench -->\n",
        PAGE.replace("<!-- begin: written by make bench -->", "<!-- tmp -->")
        .replace("<!-- end: written by make bench -->", "<!-- begin: written by make bench -->")
        .replace("<!-- tmp -->", "<!-- end: written by make bench -->"),
    ],
    ids=["no end", "no begin", "two begins", "end before begin"],
)
def test_a_page_without_its_two_markers_in_order_is_refused_with_the_lines_it_needs(page: str):
    with pytest.raises(ValueError) as refused:
        with_section(page, BENCH, TABLE)
    assert str(refused.value) == (
        "the page needs the lines '<!-- begin: written by make bench -->' and "
        "'<!-- end: written by make bench -->', once each, in order"
    )


def test_write_section_rewrites_the_page_file(tmp_path: Path):
    page = tmp_path / "performance.md"
    page.write_text(PAGE)
    write_section(page, BENCH, TABLE)
    assert page.read_text() == with_section(PAGE, BENCH, TABLE)


@pytest.mark.parametrize("writer", [BENCH, LEADERBOARD])
def test_the_docs_performance_page_has_the_markers_of_each_writer(writer: str):
    """Else `make bench` would refuse to start (it checks first, not after 15 minutes)."""
    check_page(PERFORMANCE_PAGE, writer)
