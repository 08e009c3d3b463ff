"""The EVM sandbox: a Foundry anvil process on loopback, plus helpers to fund accounts and deploy a token.

JSON-RPC here goes through urllib so that starting a sandbox does not import web3; the adapter under
test talks to anvil through its own client, which keeps the two independent.
"""

from __future__ import annotations

import json
import os
import shutil
import socket
import subprocess
import tempfile
import time
import urllib.error
import urllib.request
from pathlib import Path
from types import TracebackType
from typing import Any

_REPO = Path(__file__).resolve().parent.parent
_CONTRACTS = Path(__file__).resolve().parent / "contracts"

# Anvil's first dev account (from the "test test ... junk" mnemonic); it pays for fund() and deploys.
DEV_ADDRESS = "0xf39Fd6e51aad88F6F4ce6aB8827279cffFb92266"
DEFAULT_PORT = 8545


class SandboxError(RuntimeError):
    """The sandbox could not be started or a helper call failed."""


def _find_tool(name: str) -> str:
    # Prefer the native binary inside the npm platform package: the .bin entry is a node wrapper that
    # costs ~80 ms per call and runs the tool as a child, which terminate() would not reach directly.
    modules = _REPO / ".tools" / "node" / "node_modules"
    for native in sorted(modules.glob(f"@foundry-rs/{name}-*/bin/{name}")):
        if os.access(native, os.X_OK):
            return str(native)
    local = modules / ".bin" / name
    if local.exists() and os.access(local, os.X_OK):
        return str(local)
    found = shutil.which(name)
    if found:
        return found
    raise SandboxError(f"{name} is not installed; run .ci/bootstrap to install it into .tools/node")


def find_anvil() -> str:
    return _find_tool("anvil")


def find_cast() -> str:
    return _find_tool("cast")


def port_free(port: int) -> bool:
    """Whether nothing listens on the port. SO_REUSEADDR, as anvil itself binds: connections of a devnet
    just stopped linger in TIME_WAIT for a minute and must not count as "in use"."""
    with socket.socket(socket.AF_INET, socket.SOCK_STREAM) as s:
        s.setsockopt(socket.SOL_SOCKET, socket.SO_REUSEADDR, 1)
        try:
            s.bind(("127.0.0.1", port))
        except OSError:
            return False
    return True


def free_port() -> int:
    with socket.socket(socket.AF_INET, socket.SOCK_STREAM) as s:
        s.bind(("127.0.0.1", 0))
        return int(s.getsockname()[1])


def rpc(url: str, method: str, params: list[Any] | None = None, timeout: float = 10.0) -> Any:
    """One JSON-RPC call; raises SandboxError with the node's message on an error response."""
    if not url.startswith(("http://", "https://")):
        raise SandboxError(f"not an HTTP JSON-RPC URL: {url}")
    body = json.dumps({"jsonrpc": "2.0", "id": 1, "method": method, "params": params or []}).encode()
    req = urllib.request.Request(url, body, {"Content-Type": "application/json"})  # noqa: S310 (http only)
    with urllib.request.urlopen(req, timeout=timeout) as resp:  # noqa: S310
        reply = json.loads(resp.read())
    if reply.get("error"):
        raise SandboxError(f"{method} failed: {reply['error'].get('message')}")
    return reply.get("result")


class Sandbox:
    """An anvil process on 127.0.0.1. port=0 picks a free port; no_mining keeps transactions pending."""

    def __init__(self, port: int = 0, chain_id: int = 31337, *, no_mining: bool = False,
                 block_time: float | None = None, extra_args: list[str] | None = None) -> None:
        self.requested_port = port
        self.port = port
        self.chain_id = chain_id
        self.no_mining = no_mining
        self.block_time = block_time
        self.extra_args = list(extra_args or [])
        self._proc: subprocess.Popen[bytes] | None = None
        self._log: Any = None

    @property
    def url(self) -> str:
        return f"http://127.0.0.1:{self.port}"

    def start(self, timeout: float = 20.0) -> Sandbox:
        if self._proc is not None:
            return self
        if self.requested_port and not port_free(self.requested_port):
            raise SandboxError(f"anvil did not start: 127.0.0.1:{self.requested_port} is already in use")
        # A free port can be taken between our probe and anvil's bind; try a few times.
        for _attempt in range(3):
            self.port = self.requested_port or free_port()
            if self._spawn(timeout):
                return self
            if self.requested_port:
                break
        raise SandboxError(f"anvil did not start on 127.0.0.1:{self.port}: {self._last_error}")

    def _spawn(self, timeout: float) -> bool:
        args = [find_anvil(), "--host", "127.0.0.1", "--port", str(self.port),
                "--chain-id", str(self.chain_id), "--quiet"]
        if self.no_mining:
            args.append("--no-mining")
        if self.block_time:
            args += ["--block-time", str(self.block_time)]
        args += self.extra_args
        self._log = tempfile.TemporaryFile()
        self._proc = subprocess.Popen(args, stdin=subprocess.DEVNULL, stdout=subprocess.DEVNULL,
                                      stderr=self._log)
        deadline = time.monotonic() + timeout
        while time.monotonic() < deadline:
            if self._proc.poll() is not None:
                break
            try:
                answered = int(rpc(self.url, "eth_chainId", timeout=1.0), 16)
            except (OSError, urllib.error.URLError, ValueError):
                time.sleep(0.05)
                continue
            # Someone else may have taken the port between our probe and anvil's bind.
            if answered == self.chain_id and self._proc.poll() is None:
                return True
            break
        self._log.seek(0)
        self._last_error = self._log.read().decode(errors="replace").strip()[-500:] or "no answer"
        self.stop()
        return False

    _last_error = ""

    def stop(self) -> None:
        proc, self._proc = self._proc, None
        if proc is not None and proc.poll() is None:
            proc.terminate()
            try:
                proc.wait(timeout=5)
            except subprocess.TimeoutExpired:
                proc.kill()
                proc.wait()
        if self._log is not None:
            self._log.close()
            self._log = None

    @property
    def running(self) -> bool:
        return self._proc is not None and self._proc.poll() is None

    def __enter__(self) -> Sandbox:
        return self.start()

    def __exit__(self, exc_type: type[BaseException] | None, exc: BaseException | None,
                 tb: TracebackType | None) -> None:
        self.stop()

    def __del__(self) -> None:
        # Last resort so a forgotten sandbox does not outlive the interpreter's objects.
        try:
            self.stop()
        except Exception:  # noqa: S110 (interpreter shutdown: nothing useful to report)
            pass


def wait_receipt(url: str, txid: str, timeout: float = 30.0) -> dict[str, Any]:
    deadline = time.monotonic() + timeout
    while True:
        receipt = rpc(url, "eth_getTransactionReceipt", [txid])
        if receipt:
            return dict(receipt)
        if time.monotonic() > deadline:
            raise SandboxError(f"transaction {txid} was not mined within {timeout:.0f} s (is mining off?)")
        time.sleep(0.05)


def _send_from_dev(url: str, tx: dict[str, Any]) -> dict[str, Any]:
    accounts = rpc(url, "eth_accounts")
    sender = accounts[0] if accounts else DEV_ADDRESS
    txid = rpc(url, "eth_sendTransaction", [{"from": sender, **tx}])
    try:
        automine = bool(rpc(url, "anvil_getAutomine"))
    except SandboxError:
        automine = True  # not anvil: assume the node mines on its own
    if not automine:
        rpc(url, "evm_mine")  # a --no-mining sandbox: mine it now (this also mines anything else pending)
    receipt = wait_receipt(url, txid)
    if int(receipt["status"], 16) != 1:
        raise SandboxError(f"transaction {txid} from the dev account reverted")
    return receipt


def fund(url: str, address: str, amount: int) -> str:
    """Send `amount` wei from anvil's first (unlocked) dev account and wait for the receipt."""
    receipt = _send_from_dev(url, {"to": address, "value": hex(amount)})
    return str(receipt["transactionHash"])


def load_token_artifact() -> dict[str, Any]:
    return dict(json.loads((_CONTRACTS / "TestToken.json").read_text()))


def deploy_token(url: str, name: str, symbol: str, decimals: int, supply: int, to: str) -> str:
    """Deploy devnet/contracts/TestToken from the first dev account, minting `supply` to `to`."""
    from eth_abi import encode
    from eth_utils import to_checksum_address

    art = load_token_artifact()
    args = encode(["string", "string", "uint8", "uint256", "address"], [name, symbol, decimals, supply, to])
    receipt = _send_from_dev(url, {"data": art["bytecode"] + args.hex(), "gas": hex(3_000_000)})
    return str(to_checksum_address(receipt["contractAddress"]))


def token_call(url: str, token: str, data: str) -> str:
    return str(rpc(url, "eth_call", [{"to": token, "data": data}, "latest"]))


def set_blocked(url: str, token: str, account: str, blocked: bool = True) -> str:
    """Make every transfer from or to `account` revert with "TestToken: address blocked"."""
    from eth_abi import encode
    from eth_utils import function_signature_to_4byte_selector

    data = function_signature_to_4byte_selector("setBlocked(address,bool)") + encode(
        ["address", "bool"], [account, blocked])
    receipt = _send_from_dev(url, {"to": token, "data": "0x" + data.hex()})
    return str(receipt["transactionHash"])


if __name__ == "__main__":
    with Sandbox(DEFAULT_PORT) as sb:
        print(f"anvil on {sb.url} (chain id {sb.chain_id}); Ctrl-C stops it")
        try:
            while sb.running:
                time.sleep(1)
        except KeyboardInterrupt:
            pass
