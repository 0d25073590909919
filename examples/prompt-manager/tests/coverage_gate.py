"""Hold line and branch coverage to their own thresholds (coverage's fail_under sees only the total).

Run after pytest, which writes ``coverage.json``::

    python tests/coverage_gate.py coverage.json --lines 90 --branches 85
"""

from __future__ import annotations

import argparse
import json
import sys
from collections.abc import Sequence


def main(argv: Sequence[str] | None = None) -> int:
    """Exit 1 (naming the measure) when lines or branches are under their threshold."""
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0] if __doc__ else None)
    parser.add_argument("report", help="the JSON report of coverage.py")
    parser.add_argument("--lines", type=float, default=90.0)
    parser.add_argument("--branches", type=float, default=85.0)
    args = parser.parse_args(argv)
    with open(args.report, encoding="utf-8") as file:
        totals = json.load(file)["totals"]
    lines = 100.0 * totals["covered_lines"] / max(totals["num_statements"], 1)
    branches = 100.0 * totals["covered_branches"] / max(totals["num_branches"], 1)
    failed = False
    for measure, value, threshold in (("lines", lines, args.lines), ("branches", branches, args.branches)):
        ok = value >= threshold
        failed |= not ok
        print(f"coverage of {measure}: {value:.2f}% (threshold {threshold:g}%) {'ok' if ok else 'FAIL'}")
    return 1 if failed else 0


if __name__ == "__main__":
    sys.exit(main())
