"""Time expressions and report months."""
from datetime import date
from pathlib import Path

import pytest
import yaml

from indicators.model import Report
from indicators.periods import find_times, report_month

CASES = yaml.safe_load((Path(__file__).parent / "cases" / "periods.yaml").read_text(encoding="utf-8"))


@pytest.mark.parametrize("case", CASES, ids=[c["text"] for c in CASES])
def test_time_expressions(case):
    y, m = map(int, case["month"].split("-"))
    text = case["text"]
    got = [(text[t.start:t.end], t.begin, t.finish) for t in find_times(text, 0, len(text), (y, m)) if t.kind != "duration"]
    want = [(s, b if isinstance(b, date) else date.fromisoformat(b), e if isinstance(e, date) else date.fromisoformat(e))
            for s, b, e in case["expect"]]
    assert got == want


@pytest.mark.parametrize("title, text, month", [
    ("Analytical report (December 2020)", "The budget for 2021 was adopted on November 30, 2020.", "2020-12"),
    ("", "On November 19, 2020 the minister met X. On November 23, 2020 he said Y. As of October 1, 2020, Z.", "2020-11"),
    ("", "Report for March 2021\n\nOn March 3, 2021 there were drills.", "2021-03"),
    ("", "No dates here, but 2019 and 2019 again and 2018.", ""),  # years alone name no month
    ("Yearbook, 2023 edition", "The fleet counts 40 ships.", ""),
])
def test_report_month(title, text, month):
    assert report_month(Report(id="r", path="r.txt", format="txt", text=text, title=title)) == month
