"""Whether a phone call's caller ID may be trusted: only a carrier's full STIR/SHAKEN attestation.

Anyone can put any number in a SIP From header, so by default caller ID only pre-fills the
booking's phone and finds bookings (agent/call/identity.py). With TRUST_CALLER_ID=attested, a
call whose carrier verified the caller's right to the number (attestation level A) proves the
bookings under it. livekit-sip v1.11.0 attests nothing itself; it copies the SIP headers an
inbound trunk's `headers_to_attributes` names into participant attributes, and `receptionist up`
maps SIP_ATTESTATION_HEADER to ATTESTATION_ATTRIBUTE (ops/sip.py; docs/phone.md).
"""

from __future__ import annotations

import re
from collections.abc import Callable

# The participant attribute the trunk copies the carrier's verification header into.
ATTESTATION_ATTRIBUTE = "sip.attestation"
# What a carrier's verification service writes for a full attestation, in a header of its own
# ("A", e.g. an SBC's Attestation-Info) or as the verstat parameter of the caller's URI
# (ATIS-1000074; carriers that name the level append it). "TN-Validation-Passed" alone does
# not say the level, so it is not enough.
FULL_ATTESTATION = frozenset({"a", "tn-validation-passed-a"})
_VERSTAT = re.compile(r"verstat=([\w-]+)", re.IGNORECASE)
# The number in a header that carries a URI (P-Asserted-Identity, From): what was attested.
_URI_USER = re.compile(r"(?:sips?|tel):([^@;>\s]+)", re.IGNORECASE)


def fully_attested(
    header: str, caller_number: str, read_number: Callable[[str], str | None]
) -> bool:
    """Whether `header` (the carrier's verification, as the trunk passed it on) attests
    `caller_number` at level A. A header naming a number attests that number only, which
    must be the caller ID (`read_number` reads it into E.164, None if it is not one)."""
    verstat = _VERSTAT.search(header)
    level = verstat[1] if verstat else header.strip()
    if level.casefold() not in FULL_ATTESTATION:
        return False
    uri = _URI_USER.search(header)
    return uri is None or read_number(uri[1]) == caller_number
