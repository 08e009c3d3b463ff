"""Benchmark: `wallet send` through a running signing agent against a send that runs the default KDF.

All rows are fresh `wallet` processes against one local anvil, from homes restored from anvil's public
dev mnemonic, each sending 0.001 ETH with --no-wait:

    kdf_send     default Argon2id vault (64 MiB, t=3, p=4), --password-file: one KDF run per send
    agent_send   the same kind of vault, unlocked once by `wallet agent start`; the send has no password
                 and runs no KDF (the agent decodes, checks, signs and journals)
    weak_send    reference: the weak test KDF (about 1 ms), as bench/evm_vs_cast.py measures sends

Rounds are interleaved so load from other processes hits every row alike. Also measured in-process:
vault.reseal (the journal high-water mark written after each signature: one payload re-seal and an
atomic file write, no KDF) and vault.unlock with the default KDF.

    .venv/bin/python bench/agent_send.py [--n 10]

Prints one JSON object and writes it to bench/results/agent_send.json.
"""

from __future__ import annotations

import argparse
import json
import os
import platform
import secrets
import statistics
import sys
import tempfile
import time
from pathlib import Path

REPO = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(REPO))

from bench.harness import PY, cpu_model, private_file, run  # noqa: E402
from devnet import anvil  # noqa: E402

MNEMONIC = "test test test test test test test test test test test junk"
PASSWORD = "bench password"

_RESEAL = """
import json, statistics, sys, time
from pathlib import Path
from keystore import vault
home = Path(sys.argv[1])
t0 = time.perf_counter(); uv = vault.unlock(home, "default", sys.argv[2]); unlock = (time.perf_counter() - t0) * 1000
t = []
for i in range(20):
    def mark(fresh, i=i):
        fresh.secrets.journal = {"id": "bench", "count": i}
    t0 = time.perf_counter(); uv = vault.reseal(home, "default", uv, mark); t.append((time.perf_counter() - t0) * 1000)
print(json.dumps({"reseal_median_ms": round(statistics.median(t), 2), "default_kdf_unlock_ms": round(unlock, 1)}))
"""


def _env(home: Path, url: str, weak: bool) -> dict[str, str]:
    env = {k: v for k, v in os.environ.items() if not k.startswith("WALLET_")}
    env.pop("PYTHONDONTWRITEBYTECODE", None)
    env.update(WALLET_HOME=str(home), WALLET_RPC_LOCAL_EVM=url, NO_COLOR="1", PYTHONPATH=str(REPO))
    if weak:
        env["WALLET_INSECURE_TEST_KDF"] = "1"
    return env


def _home(tmp: Path, name: str, url: str, pw: Path, index: int, weak: bool) -> tuple[dict[str, str], str]:
    env = _env(tmp / name, url, weak)
    run([PY, "-m", "wallet_cli", "--json", "--password-file", str(pw), "restore"], env, MNEMONIC + "\n")
    for _ in range(index):
        run([PY, "-m", "wallet_cli", "--json", "--password-file", str(pw), "accounts", "derive", "--chain", "evm"], env)
    return env, f"evm:{index}"


def main() -> None:
    ap = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    ap.add_argument("--n", type=int, default=10)
    ap.add_argument("--out", type=Path, default=REPO / "bench" / "results" / "agent_send.json")
    args = ap.parse_args()
    with anvil.Sandbox() as sb, tempfile.TemporaryDirectory() as tmp_name:
        tmp = Path(tmp_name)
        pw = private_file(tmp / "password", PASSWORD + "\n")
        to = "0x" + secrets.token_hex(20)
        homes = {"kdf_send": _home(tmp, "kdf", sb.url, pw, 0, weak=False),
                 "agent_send": _home(tmp, "agent", sb.url, pw, 1, weak=False),
                 "weak_send": _home(tmp, "weak", sb.url, pw, 2, weak=True)}
        agent_env = homes["agent_send"][0]
        run([PY, "-m", "wallet_cli", "--json", "--password-file", str(pw), "agent", "start", "--ttl", "1h",
             "--idle", "1h"], agent_env)
        try:
            cmds = {}
            for name, (env, ref) in homes.items():
                pw_args = [] if name == "agent_send" else ["--password-file", str(pw)]
                cmds[name] = ([PY, "-m", "wallet_cli", "--json", "--yes", *pw_args, "send", "--network", "local-evm",
                               "--from", ref, "--to", to, "--amount", "0.001", "--no-wait"], env)
            for argv, env in cmds.values():
                run(argv, env)  # warm-up
            samples: dict[str, list[float]] = {n: [] for n in cmds}
            for _ in range(args.n):
                for name, (argv, env) in cmds.items():
                    t0 = time.perf_counter()
                    out = run(argv, env)
                    samples[name].append((time.perf_counter() - t0) * 1000)
                    if '"txid": "0x' not in out:
                        raise RuntimeError(f"{name} printed no txid: {out[:200]}")
            status = json.loads(run([PY, "-m", "wallet_cli", "--json", "agent", "status"], agent_env))
        finally:
            run([PY, "-m", "wallet_cli", "agent", "stop"], agent_env)
        inproc = json.loads(run([PY, "-c", _RESEAL, str(tmp / "kdf"), PASSWORD], homes["kdf_send"][0]))
        mined = {n: int(anvil.rpc(sb.url, "eth_getTransactionCount",
                                  [anvil.rpc(sb.url, "eth_accounts")[i], "latest"]), 16)
                 for i, n in enumerate(cmds)}
    med = {n: round(statistics.median(v), 1) for n, v in samples.items()}
    result = {
        "benchmark": "agent_send", "n": args.n, "unit": "ms wall time per `wallet send` process (median)",
        "medians_ms": med,
        "p90_ms": {n: round(statistics.quantiles(v, n=10)[-1], 1) for n, v in samples.items()},
        "agent_saves_ms": round(med["kdf_send"] - med["agent_send"], 1),
        "agent_over_kdf": round(med["agent_send"] / med["kdf_send"], 2),
        "agent_over_weak_kdf": round(med["agent_send"] / med["weak_send"], 2),
        "in_process": inproc, "agent_mlock": status.get("mlock"),
        "sends_mined_per_account": mined, "sends_expected_per_account": args.n + 1,
        "env": {"python": platform.python_version(), "cpu": cpu_model(), "cpus": os.cpu_count(),
                "load_avg_1m": round(os.getloadavg()[0], 2)},
    }
    args.out.parent.mkdir(parents=True, exist_ok=True)
    args.out.write_text(json.dumps(result, indent=1) + "\n")
    print(json.dumps(result))


if __name__ == "__main__":
    main()
