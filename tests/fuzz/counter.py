"""How many hostile requests the fuzz suite sent, by back end, and how many examples it draws.

Counted in each process; tests/conftest.py adds up the workers' counts (pytest-xdist) and
prints the closing line.
"""

from __future__ import annotations

import os
from collections import Counter

EXAMPLES = int(os.environ.get("FUZZ_EXAMPLES", "4"))  # hypothesis examples a fuzz test draws; `make fuzz`: more
SENT: Counter[str] = Counter()
