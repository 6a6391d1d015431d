"""``python benchmarks/bench.py``: the benchmark behind the performance budgets (``make bench``).

The code is the package ``benchmarks/relu_bench`` (outside ``relu_course``: learners install the
course without it); this script puts it on the path and runs its command line.
"""

from __future__ import annotations

import sys
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent))

from relu_bench import *  # noqa: F403  (the names the tests and notebooks use)
from relu_bench import __all__  # noqa: F401
from relu_bench.activations import _twins  # noqa: F401

if __name__ == "__main__":
    sys.exit(main())  # noqa: F405
