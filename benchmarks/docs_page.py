"""Where `make bench` and `make leaderboard` put their latest tables: between two markers of
the docs' Performance page, so the page shows the last run and git keeps the ones before.
"""

from pathlib import Path

PERFORMANCE_PAGE = Path(__file__).resolve().parents[1] / "docs" / "performance.md"
BENCH = "make bench"
LEADERBOARD = "make leaderboard"


def markers(writer: str) -> tuple[str, str]:
    return f"<!-- begin: written by {writer} -->", f"<!-- end: written by {writer} -->"


def with_section(page: str, writer: str, table: str) -> str:
    """`page` with what stands between `writer`'s markers replaced by `table`; a page
    without both markers, once each and in order, is refused with the markers it needs."""
    begin, end = markers(writer)
    if page.count(begin) != 1 or page.count(end) != 1 or page.index(begin) > page.index(end):
        raise ValueError(f"the page needs the lines {begin!r} and {end!r}, once each, in order")
    before, rest = page.split(begin)
    _, after = rest.split(end)
    return f"{before}{begin}\n{table.strip()}\n{end}{after}"


def check_page(page: Path, writer: str) -> None:
    """Refuse at once, before a long run, a page the run could not write to."""
    with_section(page.read_text(), writer, "")


def write_section(page: Path, writer: str, table: str) -> None:
    page.write_text(with_section(page.read_text(), writer, table))
    print(f"written to {page}")
