#!/usr/bin/env python3
"""Run a Python script under cProfile, timing the main thread's CPU (not wall) time.

  python bench/profiled.py OUT.prof server.py --port 9000 ...

bench/load.py --profile uses it for Teahouse; read the result with
  python -c "import pstats; pstats.Stats('OUT.prof').sort_stats('tottime').print_stats(30)"
"""

from __future__ import annotations

import cProfile
import runpy
import sys
import time


def main() -> None:
    out, script, *rest = sys.argv[1:]
    sys.argv = [script, *rest]
    sys.path.insert(0, ".")
    profile = cProfile.Profile(time.thread_time)
    try:
        profile.runcall(runpy.run_path, script, run_name="__main__")
    except SystemExit:
        pass
    finally:
        profile.dump_stats(out)


if __name__ == "__main__":
    main()
