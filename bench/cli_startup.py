"""Cold start of `wallet --help` and `wallet --json accounts list` (100 accounts), and unlock time; and the
same start-ups in Chinese (WALLET_LANG=zh_CN) against English, run in alternating pairs so that both see
the same machine (target: within 10 ms of English).

Each command runs as a fresh process (what a user or script pays), with .pyc files allowed as in a normal
install. The vault is made with the real default KDF; the unlock figure is the Argon2id derivation plus
decryption in-process. Prints one JSON object.
"""

from __future__ import annotations

import json
import os
import platform
import statistics
import subprocess
import sys
import tempfile
import time
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))
from bench.harness import wallet_env  # noqa: E402

RUNS = 15
ABANDON = "abandon " * 11 + "about"


def median_run(argv: list[str], env: dict[str, str]) -> float:
    times = []
    for _ in range(RUNS):
        t0 = time.perf_counter()
        subprocess.run(argv, env=env, check=True, capture_output=True)
        times.append(time.perf_counter() - t0)
    return statistics.median(times)


def paired_runs(argv: list[str], env: dict[str, str]) -> dict[str, float]:
    """Median seconds in English and in Chinese, and the median of the per-pair differences, in ms."""
    en, zh, diff = [], [], []
    for _ in range(RUNS):
        pair = []
        for lang in ("en", "zh_CN"):
            t0 = time.perf_counter()
            subprocess.run(argv, env={**env, "WALLET_LANG": lang}, check=True, capture_output=True)
            pair.append(time.perf_counter() - t0)
        en.append(pair[0])
        zh.append(pair[1])
        diff.append(pair[1] - pair[0])
    return {"en_median_s": round(statistics.median(en), 3), "zh_CN_median_s": round(statistics.median(zh), 3),
            "zh_minus_en_median_ms": round(statistics.median(diff) * 1000, 1)}


def main() -> None:
    os.environ.pop("WALLET_INSECURE_TEST_KDF", None)
    from keystore import vault
    from wallet_cli.main import main as wallet

    with tempfile.TemporaryDirectory() as tmp:
        home = Path(tmp) / "home"
        pw = Path(tmp) / "pw"
        pw.write_text("bench password\n")
        pw.chmod(0o600)
        base = [sys.executable, "-m", "wallet_cli", "--home", str(home)]
        env = wallet_env(home)
        env.pop("WALLET_INSECURE_TEST_KDF")  # the real KDF: its unlock time is one of the figures
        sys.stdin = open(os.devnull)  # noqa: SIM115
        subprocess.run([*base, "--password-file", str(pw), "restore"], input=ABANDON, text=True, env=env,
                       check=True, capture_output=True)
        subprocess.run([*base, "--password-file", str(pw), "accounts", "derive", "--chain", "evm", "--count", "96"],
                       env=env, check=True, capture_output=True)
        n_accounts = len(vault.read_info(home, "default").accounts)

        help_s = median_run([*base, "--help"], env)
        list_s = median_run([*base, "--json", "accounts", "list"], env)
        languages = {"help": paired_runs([*base, "--help"], env),
                     "accounts_list_table": paired_runs([*base, "accounts", "list"], env)}
        imports = subprocess.run(
            [sys.executable, "-c", "import sys; from wallet_cli.main import main; "
             f"main(['--home', {str(home)!r}, '--json', 'accounts', 'list']); "
             "print(sorted(m for m in ('web3','eth_account','bdkpython','solders','bip_utils','chains.evm') "
             "if m in sys.modules), file=sys.stderr)"],
            env=env, capture_output=True, text=True, check=True).stderr.strip()

        info = vault.read_info(home, "default")
        unlock = []
        for _ in range(5):
            t0 = time.perf_counter()
            vault.unlock(home, "default", "bench password")
            unlock.append(time.perf_counter() - t0)
        del wallet
    print(json.dumps({
        "bench": "cli_startup", "runs": RUNS, "python": platform.python_version(), "cpus": os.cpu_count(),
        "help_median_s": round(help_s, 3), "accounts_list_median_s": round(list_s, 3),
        "accounts_in_vault": n_accounts, "heavy_modules_imported_by_list": imports,
        "kdf": info.kdf | {"salt": "…"}, "unlock_median_s": round(statistics.median(unlock), 3),
        "languages": languages,
        "targets": {"cold_start_s": 0.3, "zh_minus_en_ms": 10},
    }))


if __name__ == "__main__":
    main()
