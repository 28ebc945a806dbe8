"""The review overlay: edits validated, re-attached when offsets move, folded into review states, shared as CSV."""
from pathlib import Path

import pandas as pd
import pytest

from indicators import extract
from indicators.catalog import load_catalog
from indicators.review import ReviewError, active, from_csv, make_edit, overlay, to_csv

ROOT = Path(__file__).parent.parent


@pytest.fixture(scope="module")
def seeds() -> pd.DataFrame:
    return extract(ROOT / "seeds")


def cyber(df):
    return df[df["indicator"] == "cybercrime.registered"]


def test_correct_reject_accept_fold_into_states(seeds):
    rows = cyber(seeds)
    a, b, c = (rows.iloc[i] for i in range(3))
    edits = [make_edit(a, "correct", "Olga", changes={"value": "9,100", "qualifier": "exact"}, note="table 2 says 9,100"),
             make_edit(b, "reject", "Olga", note="duplicate of the figure above"),
             make_edit(c, "accept", "Ivan")]
    out, orphans = overlay(seeds, edits)
    assert orphans == []
    got = out.loc[[a.name, b.name, c.name], ["review", "value", "qualifier"]].values.tolist()
    assert got == [["corrected", 9100.0, "exact"], ["rejected", b["value"], b["qualifier"]],
                   ["accepted", c["value"], c["qualifier"]]]
    assert out.loc[a.name, "review_note"] == "table 2 says 9,100"
    untouched = out.drop(index=[a.name, b.name, c.name])
    assert set(untouched["review"]) == {"unreviewed"}
    assert seeds.loc[a.name, "value"] != 9100  # the extraction itself is untouched


def test_undo_takes_an_edit_back_and_history_stays(seeds):
    a = cyber(seeds).iloc[0]
    first = make_edit(a, "reject", "Olga")
    undo = make_edit(a, "undo", "Olga", undoes=first.edit_id, note="rejected by mistake")
    assert active([first, undo]) == []
    out, _ = overlay(seeds, [first, undo])
    assert out.loc[a.name, "review"] == "unreviewed"


def test_edits_follow_the_sentence_when_offsets_move(seeds):
    a = cyber(seeds).iloc[1]
    edit = make_edit(a, "correct", "Olga", changes={"value": 1})
    moved = seeds.copy()
    moved["char_start"] += 37  # a new normaliser shifted every offset
    moved["char_end"] += 37
    out, orphans = overlay(moved, [edit])
    assert orphans == [] and out.loc[a.name, "value"] == 1 and out.loc[a.name, "review"] == "corrected"


def test_an_edit_whose_claim_is_gone_is_reported(seeds):
    a = cyber(seeds).iloc[0]
    edit = make_edit(a, "accept", "Olga")
    gone = seeds.drop(index=a.name)
    out, orphans = overlay(gone, [edit])
    assert orphans == [edit] and set(out["review"]) == {"unreviewed"}


def test_an_edit_follows_the_content_to_another_file_name(seeds):
    a = cyber(seeds).iloc[0]
    edit = make_edit(a, "reject", "Olga", content_hash="abc")
    renamed = seeds.replace({"report": {a["report"]: "renamed"}})
    out, orphans = overlay(renamed, [edit], hashes={"renamed": "abc"})
    assert orphans == [] and out.loc[a.name, "review"] == "rejected"


@pytest.mark.parametrize("changes, message", [
    ({"value": "lots"}, "value must be a number"),
    ({"value": "inf"}, "finite"),
    ({"period_start": "2021-13-01"}, "YYYY-MM-DD"),
    ({"period_start": "2021-05-01", "period_end": "2021-04-30"}, "after period_end"),
    ({"role": "guessed"}, "role must be one of"),
    ({"qualifier": "roughly"}, "qualifier must be one of"),
    ({"indicator": "no.such"}, "unknown indicator"),
    ({"unit": "zorkmids per 3"}, "not one pint knows"),
    ({"surface": "x"}, "cannot be corrected"),
    ({}, "at least one changed field"),
])
def test_bad_corrections_are_clear_errors(seeds, changes, message):
    with pytest.raises(ReviewError, match=message):
        make_edit(seeds.iloc[0], "correct", "Olga", changes=changes, catalog=load_catalog())


def test_an_edit_needs_a_name(seeds):
    with pytest.raises(ReviewError, match="reviewer's name"):
        make_edit(seeds.iloc[0], "accept", "  ")


def test_edits_round_trip_through_csv(seeds):
    a, b = cyber(seeds).iloc[0], cyber(seeds).iloc[1]
    edits = [make_edit(a, "correct", "Olga", changes={"value": 5, "source": "Ministry, of \"Internal\" Affairs"},
                       note="line\nbreak, comma"),
             make_edit(b, "reject", "Ivan")]
    back = from_csv(to_csv(edits), catalog=load_catalog())
    assert sorted(back, key=lambda e: e.edit_id) == sorted(edits, key=lambda e: e.edit_id)


@pytest.mark.parametrize("mangle, message", [
    (lambda t: t.replace("correct", "fix"), "unknown action"),
    (lambda t: t.replace("edit_id,", "id,", 1), "columns edit_id are missing"),
    (lambda t: t.replace('"{""value"": 5.0}"', '"{oops"'), "not JSON"),
])
def test_bad_edit_files_name_the_line(seeds, mangle, message):
    text = to_csv([make_edit(cyber(seeds).iloc[0], "correct", "Olga", changes={"value": 5})])
    with pytest.raises(ReviewError, match=message):
        from_csv(mangle(text))
