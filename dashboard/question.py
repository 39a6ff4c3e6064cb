"""The question the "Ask about a person" panel asks, and how it lives in the page's URL.

A question is the person asked about: `{"competence": 0.71, "network_ability": 0.37,
"promoted": True}` (the classifier reads the first two, the regression the first and
the last). It is written into the URL as `?competence=0.71&network_ability=0.37&promoted=true`,
so a link shares it, and read back from there. Values are kept within the sliders' range
and to four decimals, so the question a URL holds and the one the sliders show are the
same; a value the URL gets wrong (not a number, missing) is the default's. Pure.

>>> from_search("?competence=0.71&network_ability=0.37&promoted=true")
{'competence': 0.71, 'network_ability': 0.37, 'promoted': True}
>>> to_search({"competence": 0.2, "network_ability": 1.0, "promoted": False})
'?competence=0.2&network_ability=1&promoted=false'
>>> from_search("?competence=lots&network_ability=7")
{'competence': 0.7, 'network_ability': 1.0, 'promoted': True}
"""

import math
from typing import Any
from urllib.parse import parse_qs, urlencode

from dashboard.client import Json

FEATURES = ("competence", "network_ability")
FIELDS = (*FEATURES, "promoted")
# The range of the stream's features, which the sliders span.
LOW, HIGH = 0.0, 1.0
STEP = 0.01
DIGITS = 4
DEFAULT: Json = {"competence": 0.7, "network_ability": 0.4, "promoted": True}
TRUE, FALSE = "true", "false"


def _number(value: Any, default: float) -> float:
    try:
        number = float(value)
    except (TypeError, ValueError):
        return default
    if not math.isfinite(number):
        return default
    # + 0.0: a -0.0 would be written "-0".
    return round(min(max(number, LOW), HIGH), DIGITS) + 0.0


def _flag(value: Any, default: bool) -> bool:
    if isinstance(value, bool):
        return value
    text = str(value).strip().lower()
    return {TRUE: True, FALSE: False}.get(text, default)


def settled(
    competence: Any, network_ability: Any, promoted: Any, *, fallback: Json = DEFAULT
) -> Json:
    """The question these values ask: each one within range and rounded, or the
    fallback's where it is missing or not a value at all."""
    return {
        "competence": _number(competence, fallback["competence"]),
        "network_ability": _number(network_ability, fallback["network_ability"]),
        "promoted": _flag(promoted, fallback["promoted"]),
    }


def from_search(search: str | None) -> Json:
    """The question a URL's query asks (`?competence=...`); the default's values where it
    asks nothing or nothing valid."""
    query = parse_qs((search or "").lstrip("?"))
    first = {name: query[name][0] if name in query else None for name in FIELDS}
    return settled(first["competence"], first["network_ability"], first["promoted"])


def _text(value: float) -> str:
    return f"{value:.{DIGITS}f}".rstrip("0").rstrip(".")


def to_search(question: Json) -> str:
    """The URL query that asks `question`, read back by `from_search` as the same."""
    fields = {name: _text(question[name]) for name in FEATURES}
    fields["promoted"] = TRUE if question["promoted"] else FALSE
    return "?" + urlencode(fields)
