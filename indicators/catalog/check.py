"""`indicators catalog check FILE`: a catalog validated, and each indicator's examples run through the extractor.

An example is a sentence in the author's own words whose figure measures the indicator. It passes when the
extractor, reading it as a one-paragraph report, attaches at least one figure of it to that indicator. A
failing example says what the extractor did attach instead, so the author knows which words to add.
"""
from __future__ import annotations

from dataclasses import dataclass
from pathlib import Path

from ..model import Report
from . import Catalog, load_catalog

EXAMPLE_MONTH = "June 2024"  # the dateline the examples are read under (they rarely give a year)


@dataclass(frozen=True)
class ExampleResult:
    indicator: str
    example: str
    ok: bool
    got: tuple[str, ...]  # "value unit -> indicator" for each figure the extractor found

    def describe(self) -> str:
        found = "; ".join(self.got) or "no figure at all"
        return f"{'ok  ' if self.ok else 'FAIL'} {self.indicator}: {self.example!r} -> {found}"


def run_examples(catalog: Catalog) -> list[ExampleResult]:
    """Each example of each indicator through the whole pipeline with this catalog, in catalog order."""
    from ..pipeline import extract_report

    out = []
    for ind in catalog.indicators:
        for n, example in enumerate(ind.examples):
            text = f"Example report ({EXAMPLE_MONTH})\n\n{example}\n"
            report = Report(id=f"example-{ind.id}-{n}", path="", format="txt", text=text, title="")
            claims = extract_report(report, catalog)
            got = tuple(f"{c.surface} {c.unit} -> {c.indicator or '(none)'}" for c in claims)
            out.append(ExampleResult(ind.id, example, any(c.indicator == ind.id for c in claims), got))
    return out


@dataclass(frozen=True)
class CheckReport:
    path: str
    indicators: int
    results: tuple[ExampleResult, ...]
    without_examples: tuple[str, ...]

    @property
    def ok(self) -> bool:
        return all(r.ok for r in self.results)

    def lines(self) -> list[str]:
        out = [r.describe() for r in self.results]
        out += [f"note {i}: no examples; add 1 to 3 sentences under 'examples:' so this check can test it"
                for i in self.without_examples]
        failed = sum(not r.ok for r in self.results)
        out.append(f"{self.path}: {self.indicators} indicators, {len(self.results)} examples, {failed} failed")
        return out


def check(path: str | Path | None = None) -> CheckReport:
    """Validate the catalog at `path` (the shipped one when None) and run its examples.

    Raises CatalogError (file:line, what is wrong, what to write instead) for a catalog that does not load."""
    catalog = load_catalog(path)
    return CheckReport(path=str(path or catalog.path), indicators=len(catalog.indicators),
                       results=tuple(run_examples(catalog)),
                       without_examples=tuple(i.id for i in catalog.indicators if not i.examples))
