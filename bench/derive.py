"""Benchmark: 10,000 default-path addresses per family with keystore.hd.derive_addresses.

Prints one JSON object: {"evm_s", "btc_s", "tron_s", "sol_s", "count", "python", "cpu"}.
Each figure is the best of `--repeat` runs (default 3) of one derive_addresses call, seed fixed,
timed with perf_counter. Targets on the 2-core dev machine: < 1 s for evm/btc/tron, < 2 s for sol.
"""

from __future__ import annotations

import argparse
import json
import platform
import sys
import time
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parents[1]))

from bench.harness import cpu_model  # noqa: E402
from keystore.hd import derive_addresses, seed_from_mnemonic  # noqa: E402

MNEMONIC = "abandon abandon abandon abandon abandon abandon abandon abandon abandon abandon abandon about"


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument("--count", type=int, default=10_000)
    parser.add_argument("--repeat", type=int, default=3)
    parser.add_argument("--out", type=Path, help="also write the JSON object to this file")
    args = parser.parse_args()
    seed = seed_from_mnemonic(MNEMONIC)
    result: dict[str, object] = {}
    for chain in ("evm", "btc", "tron", "sol"):
        best = float("inf")
        for _ in range(args.repeat):
            start = time.perf_counter()
            addresses = derive_addresses(seed, chain, args.count)
            best = min(best, time.perf_counter() - start)
        if len(addresses) != args.count:
            raise SystemExit(f"{chain}: got {len(addresses)} addresses")
        result[f"{chain}_s"] = round(best, 3)
    result.update(count=args.count, python=platform.python_version(), cpu=cpu_model())
    text = json.dumps(result)
    print(text)
    if args.out:
        args.out.write_text(text + "\n")


if __name__ == "__main__":
    main()
