"""Whole reports against gold: the seeds, and reports of other months in all four formats."""
import importlib.util
import shutil
from pathlib import Path

import pandas as pd
import pytest
from scoring import CONTRACT_IDS, score

from indicators import extract

HERE = Path(__file__).parent
ROOT = HERE.parent


def _read_gold(path: Path) -> pd.DataFrame:
    return pd.read_csv(path, dtype=str, keep_default_na=False)


def _report(result) -> str:
    return (f"value_f1={result['value_f1']:.3f} full_f1={result['full_f1']:.3f}\n"
            f"missed={result['missed']}\nspurious={result['spurious']}\nwrong={result['wrong']}")


def test_seed_reports_meet_the_contract():
    result = score(_read_gold(HERE / "golden" / "seeds_gold.csv"), extract(ROOT / "seeds"), CONTRACT_IDS)
    assert result["value_f1"] >= 0.95 and result["full_f1"] >= 0.90, _report(result)


def _as_a_user_has_them(src: Path, make_pdf_script: Path, dst: Path) -> Path:
    """Copy a folder of reports; each `X.pdf.txt` becomes the PDF `X.pdf`, built by the set's own script."""
    spec = importlib.util.spec_from_file_location(f"make_pdf_{dst.name}", make_pdf_script)
    make_pdf = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(make_pdf)
    for f in src.iterdir():
        if f.name.endswith(".pdf.txt"):
            make_pdf.build_pdf(f, dst / f.name[: -len(".txt")])
        else:
            shutil.copy(f, dst / f.name)
    return dst


@pytest.fixture(scope="module")
def golden_folder(tmp_path_factory) -> Path:
    """The golden reports as a user would have them: the PDF one is built from its text here."""
    return _as_a_user_has_them(HERE / "golden" / "reports", HERE / "golden" / "make_pdf.py",
                               tmp_path_factory.mktemp("golden"))


def test_reports_of_other_months_in_all_formats(golden_folder):
    formats = {p.suffix for p in golden_folder.iterdir()}
    assert {".txt", ".md", ".html", ".pdf"} <= formats
    result = score(_read_gold(HERE / "golden" / "gold.csv"), extract(golden_folder), CONTRACT_IDS)
    assert result["value_f1"] >= 0.95 and result["full_f1"] >= 0.90, _report(result)


def test_held_out_reports():
    """Six more reports by another author (tests/heldout/README.md); scored like the seeds."""
    result = score(_read_gold(HERE / "heldout" / "gold.csv"), extract(HERE / "heldout" / "reports"), CONTRACT_IDS)
    assert result["value_f1"] >= 0.95 and result["full_f1"] >= 0.90, _report(result)


def test_third_report_set():
    """Five dense reports by a third author (tests/unseen3/README.md); first scored 0.865 / 0.638 before any
    change for them; the floor below guards what general rules since then achieved."""
    result = score(_read_gold(HERE / "unseen3" / "gold.csv"), extract(HERE / "unseen3" / "reports"), CONTRACT_IDS)
    assert result["value_f1"] >= 0.95 and result["full_f1"] >= 0.85, _report(result)


def test_fourth_report_set(tmp_path):
    """Five reports by a fourth author (tests/unseen4/README.md), one of them a PDF built here; first scored
    0.819 / 0.724 before any change for them."""
    _as_a_user_has_them(HERE / "unseen4" / "reports", HERE / "unseen4" / "make_pdf.py", tmp_path)
    result = score(_read_gold(HERE / "unseen4" / "gold.csv"), extract(tmp_path), CONTRACT_IDS)
    assert result["value_f1"] >= 0.95 and result["full_f1"] >= 0.88, _report(result)


@pytest.mark.parametrize("name, first, floor", [
    ("unseen5", (0.808, 0.603), (0.91, 0.75)),
    ("unseen6", (0.759, 0.558), (0.94, 0.87)),
    ("unseen7", (0.763, 0.382), (0.84, 0.65)),
    ("unseen8", (0.775, 0.580), (0.88, 0.77)),
    ("unseen9", (0.850, 0.652), (0.89, 0.73)),
    ("unseen10", (0.624, 0.384), (0.89, 0.77)),
    ("unseen11", (0.791, 0.536), (0.90, 0.70)),
    ("unseen12", (0.853, 0.604), (0.86, 0.62)),
    ("unseen13", (0.808, 0.394), (0.81, 0.59)),
    ("unseen14", (0.874, 0.762), (0.92, 0.87)),
    ("unseen15", (0.846, 0.652), (0.88, 0.80)),
    ("unseen16", (0.805, 0.648), (0.87, 0.80)),
])
def test_sets_of_the_genres_other_series(name, first, floor):
    """Sets written blind for the starter catalog (tests/<name>/README.md): monthly reviews and weekly
    bulletins on airspace, repression, exercises, budget, border; hedged policy briefs; a newsroom's month in
    numbers; an NGO's weekly bulletin in translated English; a defence-economics monitor of tables; an exiled newsroom's
    dated chronicle; a think tank's weekly data newsletter; a fact-checking desk's digest; a human-rights group's
    monitoring bulletin translated into English; an analytical centre's threat assessment; an OSINT researcher's
    newsletter in online shorthand. `first` is their first contact, scored with the starter catalog written without
    reading them; the floor guards what general fixes since then reached."""
    result = score(_read_gold(HERE / name / "gold.csv"), extract(HERE / name / "reports"))
    assert result["value_f1"] >= floor[0] and result["full_f1"] >= floor[1], _report(result)
