"""The cycle collector is settled once the server is up (chat/web/service.py): what
exists then is frozen out of full collections, which run less often; cycles made
afterwards are still collected."""

from __future__ import annotations

import gc
import weakref

from chat.web.service import GC_THRESHOLDS, settle_garbage_collector


class Node:
    pass


def test_settling_freezes_what_exists_and_still_collects_new_cycles():
    before = gc.get_threshold()
    try:
        settle_garbage_collector()
        assert gc.get_freeze_count() > 1000
        assert gc.get_threshold() == GC_THRESHOLDS
        assert GC_THRESHOLDS[2] > 10  # full collections rarer than Python's default
        a, b = Node(), Node()
        a.other, b.other = b, a
        gone = weakref.ref(a)
        del a, b
        gc.collect()
        assert gone() is None
    finally:
        gc.unfreeze()
        gc.set_threshold(*before)
