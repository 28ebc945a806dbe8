from pathlib import Path

import pytest
import yaml

from indicators.model import Report
from indicators.sentences import split_sentences

CASES = yaml.safe_load((Path(__file__).parent / "cases" / "sentences.yaml").read_text(encoding="utf-8"))


@pytest.mark.parametrize("case", CASES, ids=[c["text"][:40] for c in CASES])
def test_sentences(case):
    report = Report(id="r", path="r.txt", format="txt", text=case["text"])
    got = split_sentences(report)
    assert [s.text for s in got] == case["expect"]
    assert all(report.text[s.start:s.end] == s.text for s in got)


def test_paragraphs_always_end_sentences():
    report = Report(id="r", path="r.txt", format="txt", text="Heading without stop\n\nBody starts here. And ends")
    got = split_sentences(report)
    assert [(s.text, s.paragraph) for s in got] == [("Heading without stop", 0), ("Body starts here.", 1), ("And ends", 1)]
