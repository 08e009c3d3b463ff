"""Real TRON mainnet transactions (tests/vectors/tron_mainnet.json) against our encoder and fee rules.

Each vector's raw bytes are decoded by Google's protobuf runtime over TRON's official schema (not our
decoder; trezorlib's TRON reader must agree), re-encoded by chains.tron.tx from those decoded fields,
and must come out byte for byte, with the published txID. The published signatures must recover to the
owner with our recovery code, and the bandwidth the network charged (net_usage, recorded next to the
Ledger vectors) must equal our size rule.
"""

from __future__ import annotations

import hashlib
import json
from pathlib import Path

import pytest

from chains.tron import fees
from chains.tron import tx as ttx
from chains.tron.address import from_bytes21
from chains.tron.sign import recover_address
from tests.unit.tron.decoder import schema, trc20_transfer, trezor_agrees

VECTORS = json.loads((Path(__file__).parents[2] / "vectors" / "tron_mainnet.json").read_text())["vectors"]


@pytest.mark.parametrize("v", VECTORS, ids=[v["txid"][:8] for v in VECTORS])
def test_reencoded_byte_for_byte_from_fields_decoded_by_googles_runtime(v: dict) -> None:
    pb = schema()
    raw = pb.Transaction.raw()
    blob = bytes.fromhex(v["raw_data_hex"])
    raw.ParseFromString(blob)
    c = raw.contract[0]
    if c.type == pb.Transaction.Contract.TransferContract:
        value = pb.TransferContract()
        assert c.parameter.Unpack(value)
        to, amount, data = value.to_address, value.amount, b""
    else:
        assert c.type == pb.Transaction.Contract.TriggerSmartContract
        value = pb.TriggerSmartContract()
        assert c.parameter.Unpack(value)
        to, amount, data = value.contract_address, value.call_value, value.data
    # What the third party's JSON says the fields are, read from Google's decoding.
    assert value.owner_address.hex() == v["owner_hex"] and to.hex() == v["to_hex"] and amount == v["amount"]
    assert raw.data.decode() == v.get("memo", "") and raw.fee_limit == v.get("fee_limit", 0)
    if "trc20_value" in v:
        recipient, units = trc20_transfer(data)
        assert recipient == from_bytes21(bytes.fromhex(v["trc20_to_hex"])) and units == v["trc20_value"]
    ours = ttx.Raw(raw.ref_block_bytes, raw.ref_block_hash, raw.expiration, raw.timestamp, c.type,
                   value.owner_address, to, amount, data, raw.data, raw.fee_limit)
    assert ours.encode() == blob
    assert ttx.txid(ours.encode()) == v["txid"] == hashlib.sha256(blob).hexdigest()
    assert ttx.decode_raw(blob) == ours                    # and our own decoder reads the same fields
    trezor_agrees(blob, "TransferContract" if c.type == 1 else "TriggerSmartContract", value.owner_address, to,
                  amount, data, raw)                       # and so does trezorlib's TRON reader


@pytest.mark.parametrize("v", [v for v in VECTORS if "signature" in v], ids=lambda v: v["txid"][:8])
def test_published_signatures_recover_to_the_owner(v: dict) -> None:
    sig = bytes.fromhex(v["signature"])
    assert recover_address(bytes.fromhex(v["txid"]), sig) == from_bytes21(bytes.fromhex(v["owner_hex"]))
    tampered = bytes.fromhex(v["txid"])[:-1] + b"\0"
    assert recover_address(tampered, sig) != from_bytes21(bytes.fromhex(v["owner_hex"]))


# getchainparameters as mainnet answers it (the keys used; values as of the vectors' blocks).
MAINNET_PARAMS = {"chainParameter": [
    {"key": "getMaintenanceTimeInterval", "value": 21600000}, {"key": "getCreateAccountFee", "value": 100000},
    {"key": "getTransactionFee", "value": 1000}, {"key": "getCreateNewAccountFeeInSystemContract",
                                                  "value": 1000000},
    {"key": "getCreateNewAccountBandwidthRate", "value": 1}, {"key": "getEnergyFee", "value": 210}]}


def test_bandwidth_size_is_what_mainnet_charged() -> None:
    # The Ledger fixture records net_usage 265 for this transfer, paid from free bandwidth.
    first = VECTORS[0]
    size = ttx.bandwidth_bytes(bytes.fromhex(first["raw_data_hex"]))
    assert size == 265
    prices = fees.Prices.from_chain_parameters(MAINNET_PARAMS)
    res = fees.Resources.from_account_resource({"freeNetLimit": 600, "freeNetUsed": 100})
    c = fees.cost(size, prices, res, creates_account=False)
    assert (c.bandwidth_from, c.total) == ("free", 0)


def test_activation_costs_what_mainnet_charged() -> None:
    # Recorded: fee 1100000 sun, net_fee 100000, net_usage 0, for a transfer creating the recipient.
    v = VECTORS[1]
    size = ttx.bandwidth_bytes(bytes.fromhex(v["raw_data_hex"]))
    prices = fees.Prices.from_chain_parameters(MAINNET_PARAMS)
    res = fees.Resources.from_account_resource({"freeNetLimit": 600})     # free bandwidth cannot pay for it
    c = fees.cost(size, prices, res, creates_account=True)
    assert (c.bandwidth_burn, c.activation_burn, c.total) == (100_000, 1_000_000, 1_100_000)
    staked = fees.cost(size, prices, fees.Resources(0, 5000, 0), creates_account=True)
    assert (staked.bandwidth_from, staked.total) == ("staked", 1_000_000)


def test_energy_is_priced_live_and_staked_energy_pays_first() -> None:
    prices = fees.Prices.from_chain_parameters(MAINNET_PARAMS)
    c = fees.cost(345, prices, fees.Resources.from_account_resource(
        {"freeNetLimit": 600, "freeNetUsed": 600, "EnergyLimit": 30000, "EnergyUsed": 5000}),
        creates_account=False, energy=64_285)
    assert c.bandwidth_burn == 345 * 1000 and c.energy_from_stake == 25_000
    assert c.energy_burn == (64_285 - 25_000) * 210
    cheaper = dict(MAINNET_PARAMS, chainParameter=[*MAINNET_PARAMS["chainParameter"][:-1],
                                                   {"key": "getEnergyFee", "value": 100}])
    assert fees.cost(345, fees.Prices.from_chain_parameters(cheaper), fees.Resources(0, 0, 0),
                     creates_account=False, energy=64_285).energy_burn == 6_428_500


def test_chain_parameters_missing_a_price_are_refused() -> None:
    from chains.errors import Unavailable

    with pytest.raises(Unavailable, match="getEnergyFee"):
        fees.Prices.from_chain_parameters({"chainParameter": MAINNET_PARAMS["chainParameter"][:-1]})
    with pytest.raises(Unavailable):
        fees.Resources.from_account_resource({"freeNetLimit": "600"})


def test_documented_replies_and_omitted_zero_values() -> None:
    # TronWeb's documented getChainParameters reply (energy at 280 sun then), abridged to the keys used.
    documented = {"chainParameter": [
        {"key": "getCreateAccountFee", "value": 100000}, {"key": "getTransactionFee", "value": 1000},
        {"key": "getCreateNewAccountFeeInSystemContract", "value": 1000000},
        {"key": "getCreateNewAccountBandwidthRate", "value": 1}, {"key": "getEnergyFee", "value": 280},
        {"key": "getAllowUpdateAccountName"}]}                   # java-tron omits a value of 0
    p = fees.Prices.from_chain_parameters(documented)
    assert (p.bandwidth_sun, p.energy_sun, p.create_account_sun, p.activation_sun) == (1000, 280, 100000, 1000000)
    zero = {"chainParameter": [dict(d) for d in documented["chainParameter"]]}
    del zero["chainParameter"][2]["value"]                      # a chain with no activation fee
    assert fees.Prices.from_chain_parameters(zero).activation_sun == 0
    # getaccountresource omits every field that is 0: a fresh account has only freeNetLimit.
    assert fees.Resources.from_account_resource({"freeNetLimit": 600}) == fees.Resources(600, 0, 0)
    assert fees.Resources.from_account_resource({}) == fees.Resources(0, 0, 0)
