"""After start-up the long-lived heap is frozen, out of the collector's full passes."""

from __future__ import annotations

import gc

from pulse_mirror.runtime.app import settle_heap


def test_settle_heap_freezes_what_start_up_built() -> None:
    before = gc.get_freeze_count()
    try:
        settle_heap()
        assert gc.get_freeze_count() > before
    finally:
        gc.unfreeze()
