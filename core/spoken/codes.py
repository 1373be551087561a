"""Confirmation codes: drawn, and read back however a caller or staff member says them."""

from __future__ import annotations

import secrets

from core.errors import InvalidValue

__all__ = [
    "CODE_ALPHABET",
    "CODE_LENGTH",
    "InvalidConfirmationCode",
    "new_confirmation_code",
    "normalize_confirmation_code",
]

# Crockford base32 without I, L, O and U: nothing that sounds or looks like another character.
CODE_ALPHABET = "0123456789ABCDEFGHJKMNPQRSTVWXYZ"
CODE_LENGTH = 6
# Callers and staff read codes aloud and type them: forgive the look-alikes Crockford forgives.
_LOOKALIKES = str.maketrans({"O": "0", "I": "1", "L": "1"})


class InvalidConfirmationCode(InvalidValue):
    """Not something a confirmation code could be."""

    default_message = "A confirmation code is six letters and digits."


def normalize_confirmation_code(raw: str) -> str:
    """`raw` as a canonical confirmation code ("hrz-t1n" -> "HRZT1N")."""
    code = "".join(raw.split()).replace("-", "").upper().translate(_LOOKALIKES)
    if len(code) != CODE_LENGTH or any(c not in CODE_ALPHABET for c in code):
        raise InvalidConfirmationCode()
    return code


def new_confirmation_code() -> str:
    return "".join(secrets.choice(CODE_ALPHABET) for _ in range(CODE_LENGTH))
