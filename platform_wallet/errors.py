"""The PLATFORM's error codes (spec: Exception handling) and the exception that carries them.

Code raises `WalletError(ErrorCode.OP_31)`; one place (`api.serve_call`) renders it as a signed
ERROR envelope with HTTP 200.
"""

from __future__ import annotations

from enum import StrEnum


class ErrorCode(StrEnum):
    OP_20 = "OP_20"
    OP_21 = "OP_21"
    OP_22 = "OP_22"
    OP_30 = "OP_30"
    OP_31 = "OP_31"
    OP_32 = "OP_32"
    OP_33 = "OP_33"
    OP_34 = "OP_34"
    OP_35 = "OP_35"
    OP_40 = "OP_40"
    OP_41 = "OP_41"
    OP_47 = "OP_47"
    OP_49 = "OP_49"
    OP_50 = "OP_50"

    @property
    def reason(self) -> str:
        return _REASONS[self]


_REASONS = {
    ErrorCode.OP_20: "Invalid hash",
    ErrorCode.OP_21: "Invalid token",
    ErrorCode.OP_22: "Authorization failed",
    ErrorCode.OP_30: "Invalid currency",
    ErrorCode.OP_31: "Insufficient funds",
    ErrorCode.OP_32: "Limits reached",
    ErrorCode.OP_33: "Player is blocked",
    ErrorCode.OP_34: "Player is not found",
    ErrorCode.OP_35: "Game is disabled",
    ErrorCode.OP_40: "Duplicated transaction ID",
    ErrorCode.OP_41: "Transaction not found",
    ErrorCode.OP_47: "Timeout",
    ErrorCode.OP_49: "Operation failed",
    ErrorCode.OP_50: "Internal error",
}

# Business errors decided about a changebalance transaction. They are recorded with the
# transaction, so that an identical retry is answered the same way and status says ERROR.
RECORDED_CODES = frozenset(
    {
        ErrorCode.OP_21,
        ErrorCode.OP_30,
        ErrorCode.OP_31,
        ErrorCode.OP_32,
        ErrorCode.OP_33,
        ErrorCode.OP_35,
    }
)


class WalletError(Exception):
    """An answer with status ERROR. `message` is free text for the PLATFORM's error log."""

    def __init__(self, code: ErrorCode, message: str | None = None) -> None:
        self.code = code
        self.message = message or code.reason
        super().__init__(f"{code}: {self.message}")


class InvalidRequest(WalletError):
    """A malformed request: bad JSON, a missing or mistyped field. Answered as OP_50 (the
    spec's code for every error no other code describes), naming the field."""

    def __init__(self, message: str, field: str | None = None) -> None:
        self.field = field
        super().__init__(ErrorCode.OP_50, message)
