"""What the views share: labels in place of ids, grid defaults, the claim id used in links."""
from __future__ import annotations

from urllib.parse import urlencode

from ...catalog import Catalog

# AG Grid defaults: human headers, resizable, text filters that mean "contains"; the grid fills its box
DEFAULT_COL = {"resizable": True, "sortable": True, "filter": False, "minWidth": 80,
               "wrapHeaderText": True, "autoHeaderHeight": True}
GRID_STYLE = {"height": "560px", "width": "100%"}
TEXT_FILTER = {"filter": "agTextColumnFilter", "floatingFilter": True,
               "filterParams": {"filterOptions": ["contains", "equals"], "maxNumConditions": 1, "debounceMs": 300}}


def labels(catalog: Catalog) -> dict[str, str]:
    """{indicator id: label} from the catalog."""
    return {i.id: i.label for i in catalog.indicators}


def indicator_name(catalog: Catalog, indicator_id: str) -> str:
    if not indicator_id:
        return "no indicator"
    return labels(catalog).get(indicator_id, indicator_id)


def claim_id(report: str, char_start) -> str:
    """A claim in links and grids: report@char_start (unique within a report's text)."""
    return f"{report}@{int(char_start)}"


def report_link(report: str, char_start) -> str:
    """The URL that opens a report at one of its figures, marked and scrolled to."""
    return "?" + urlencode({"tab": "report", "report": report, "claim": claim_id(report, char_start)})


def mark_at(sentence: str, surface: str) -> int:
    """Where the figure stands in its sentence (-1 when the sentence does not hold it as written)."""
    return str(sentence).find(str(surface)) if surface else -1


def minute(ts) -> str:
    """An ISO timestamp to the minute, in UTC: 2026-11-30T07:14:06.123456+00:00 -> 2026-11-30 07:14 UTC."""
    ts = str(ts or "")
    return f"{ts[:10]} {ts[11:16]} UTC" if len(ts) >= 16 else ts
