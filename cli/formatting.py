"""Numbers, times and series as short text for a terminal."""

from datetime import UTC, datetime

SPARK_BARS = "▁▂▃▄▅▆▇█"


def number(value: object, digits: int = 3) -> str:
    """A metric or weight: fixed digits, '-' when the API has none yet.

    >>> number(0.91234), number(None), number(-12.5, 2)
    ('0.912', '-', '-12.50')
    """
    if isinstance(value, bool) or not isinstance(value, int | float):
        return "-"
    return f"{value:.{digits}f}"


def count(value: object) -> str:
    """A row count with thousands separators.

    >>> count(12345), count(None)
    ('12,345', '-')
    """
    return f"{value:,}" if isinstance(value, int) and not isinstance(value, bool) else "-"


def interval(bounds: object, digits: int = 3) -> str:
    """A `[low, high]` pair from the API.

    >>> interval([0.1, 0.25]), interval(None)
    ('[0.100, 0.250]', '')
    """
    if not isinstance(bounds, list | tuple) or len(bounds) != 2:
        return ""
    return f"[{number(bounds[0], digits)}, {number(bounds[1], digits)}]"


def clock(iso: object, *, date: bool = True) -> str:
    """An ISO 8601 time from the API in UTC to the second, with or without its date.

    >>> clock("2026-11-26T22:08:43.932405Z"), clock(None)
    ('2026-11-26 22:08:43 UTC', '-')
    >>> clock("2026-11-26T23:08:43+01:00", date=False)
    '22:08:43 UTC'
    """
    if not isinstance(iso, str):
        return "-"
    try:
        moment = datetime.fromisoformat(iso.replace("Z", "+00:00"))
    except ValueError:
        return iso
    if moment.tzinfo is not None:
        moment = moment.astimezone(UTC)
    return moment.strftime("%Y-%m-%d %H:%M:%S UTC" if date else "%H:%M:%S UTC")


def sparkline(values: list[float | None], width: int) -> str:
    """`values` as at most `width` bars scaled between their own min and max.

    Longer series are resampled evenly, keeping the first and last value; missing values
    are left out, so a metric the API could not yet compute draws nothing.

    >>> sparkline([0, 1, 2, 3, 4, 5, 6, 7], 8)
    '▁▂▃▄▅▆▇█'
    >>> sparkline(list(range(100)), 4)
    '▁▃▆█'
    >>> sparkline([1.0, 1.0], 10), sparkline([None], 10)
    ('▄▄', '')
    """
    points = [v for v in values if isinstance(v, int | float)]
    if len(points) > width > 1:
        step = (len(points) - 1) / (width - 1)
        points = [points[round(i * step)] for i in range(width)]
    if not points:
        return ""
    low, high = min(points), max(points)
    if high == low:
        return SPARK_BARS[len(SPARK_BARS) // 2 - 1] * len(points)
    top = len(SPARK_BARS) - 1
    return "".join(SPARK_BARS[round((v - low) / (high - low) * top)] for v in points)
