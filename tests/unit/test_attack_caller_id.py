"""A spoofed caller ID proves nothing: only a carrier's full attestation of that very number,
and only where the operator trusts it (TRUST_CALLER_ID=attested), makes it proof."""

from __future__ import annotations

from dataclasses import replace

import pytest

from agent.phone.attestation import ATTESTATION_ATTRIBUTE, fully_attested
from agent.phone.line import caller_id, read_line
from core.errors import StartupError
from core.restaurant import Restaurant
from core.settings import Settings, get_settings
from ops.sip import PhoneLines, inbound_trunk

VICTIM = "+6598207272"
TRUSTING = Settings(trust_caller_id="attested")


def read(raw: str) -> str | None:
    return caller_id(raw, "SG")


@pytest.mark.parametrize(
    "header",
    [
        "A",
        " a ",
        f'"Mei Ling" <sip:{VICTIM}@carrier.example;verstat=TN-Validation-Passed-A>;tag=1',
        f"<tel:{VICTIM};verstat=TN-Validation-Passed-A>",
    ],
)
def test_a_full_attestation_of_the_callers_number_is_proof(header: str) -> None:
    assert fully_attested(header, VICTIM, read)


@pytest.mark.parametrize(
    "header",
    [
        "",
        "B",  # partial: the carrier knows the customer, not their right to the number
        "C",  # gateway: the call merely came in through the carrier
        "TN-Validation-Passed",  # verified, but at what level is not said
        "TN-Validation-Passed-B",
        "TN-Validation-Failed-A",
        "No-TN-Validation",
        "anything else",
        # A full attestation, of another number than the one in From.
        "<sip:+6581112222@carrier.example;verstat=TN-Validation-Passed-A>",
    ],
)
def test_anything_less_is_not(header: str) -> None:
    assert not fully_attested(header, VICTIM, read)


def test_caller_id_is_never_proof_by_default(restaurant: Restaurant) -> None:
    attributes = {"sip.phoneNumber": VICTIM, ATTESTATION_ATTRIBUTE: "A"}
    line = read_line("sip_" + VICTIM, attributes, restaurant, Settings())
    assert line.caller_number == VICTIM and not line.attested
    trusted = read_line("sip_" + VICTIM, attributes, restaurant, TRUSTING)
    assert trusted.attested


def test_with_trust_on_a_call_without_the_attestation_is_not_proof(restaurant: Restaurant) -> None:
    # What a spoofer's INVITE looks like to the agent: a From number, no carrier verification.
    line = read_line("sip_" + VICTIM, {"sip.phoneNumber": VICTIM}, restaurant, TRUSTING)
    assert line.caller_number == VICTIM and not line.attested
    withheld = {"sip.phoneNumber": "anonymous", ATTESTATION_ATTRIBUTE: "A"}
    assert not read_line("sip_anonymous", withheld, restaurant, TRUSTING).attested


def test_the_trunk_copies_the_carriers_header_into_the_attribute_the_agent_reads() -> None:
    lines = PhoneLines(
        numbers=("+6562214780",),
        allowed_addresses=("192.0.2.0/24",),
        auth_username="",
        auth_password="",
        attestation_header="P-Asserted-Identity",
        sip_config={},
        redis={},
    )
    trunk = inbound_trunk(lines)
    assert dict(trunk.headers_to_attributes) == {"P-Asserted-Identity": ATTESTATION_ATTRIBUTE}
    plain = inbound_trunk(replace(lines, attestation_header=""))
    assert dict(plain.headers_to_attributes) == {}


def test_trusting_attested_caller_id_without_its_header_is_refused(
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    monkeypatch.setenv("TRUST_CALLER_ID", "attested")
    monkeypatch.setenv("SIP_ENABLED", "true")
    monkeypatch.delenv("SIP_ATTESTATION_HEADER", raising=False)
    get_settings.cache_clear()
    try:
        with pytest.raises(StartupError, match="SIP_ATTESTATION_HEADER"):
            get_settings()
        monkeypatch.setenv("TRUST_CALLER_ID", "always")
        get_settings.cache_clear()
        with pytest.raises(StartupError, match="TRUST_CALLER_ID"):
            get_settings()
    finally:
        get_settings.cache_clear()
