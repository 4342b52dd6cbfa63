"""Measure every torch/paddle native pair of lrparity.parity.pairs and print the markdown table.

Usage: python bench/native_pairs.py   (needs torch and paddle)
"""

from __future__ import annotations

import time

from lrparity.parity.pairs import PAIRS, measure, table


def main() -> None:
    t0 = time.perf_counter()
    results = [(pair, measure(pair)) for pair in PAIRS]
    print(table(results))
    print(f"\n{len(PAIRS)} pairs measured in {time.perf_counter() - t0:.1f} s")


if __name__ == "__main__":
    main()
