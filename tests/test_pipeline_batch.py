"""A batch of reports: the cyclic collector is run less often while it lasts, and is as it was after."""
from __future__ import annotations

import gc
from pathlib import Path

from indicators.catalog import load_catalog
from indicators.pipeline import _YOUNG_THRESHOLD, iter_extract

SEEDS = Path(__file__).resolve().parent.parent / "seeds"


def test_a_batch_collects_cycles_less_often_and_restores_the_collector(tmp_path):
    before = gc.get_threshold()
    seen = []
    batch = iter_extract([SEEDS], load_catalog())
    for _path, claims in batch:
        seen.append(gc.get_threshold()[0])
        assert isinstance(claims, list) and claims  # each seed report gives claims
    assert len(seen) >= 2 and all(t == max(before[0], _YOUNG_THRESHOLD) for t in seen)
    assert gc.get_threshold() == before


def test_a_batch_closed_early_restores_the_collector():
    before = gc.get_threshold()
    batch = iter_extract([SEEDS], load_catalog())
    next(batch)
    assert gc.get_threshold()[0] == max(before[0], _YOUNG_THRESHOLD)
    batch.close()
    assert gc.get_threshold() == before

