"""What a changebalance says about promotions and jackpots (issue 14), read from its context.

Pure: `recognise` turns a transaction's type and context into the three columns the ledger
stores with it (`Transaction.is_freespin`, `campaign_code`, `is_jackpot`), from data the request
already parsed, so that the hot path pays no query for them.

- A promotional free-spin win: a WIN whose context.reason is PROMO-FREESPIN (spec:
  changebalance, context.reason), compared in capitals.
- A jackpot win: a WIN whose context.reason is one of `settings.JACKPOT_REASONS` (capitals).
  The spec names no jackpot reason; a vendor that sends another value is not recognised until
  the setting lists it, and one that marks jackpots elsewhere in the context not at all.
- The campaign: context.campaign_code as sent, on any transaction type (a string; a number is
  read as its digits; anything else, or more than 255 characters, is kept only in the stored
  context: a campaign's data never refuses a WIN). context.campaign_details is never read here:
  it is stored with the whole context as it came (object, array or string).
"""

from __future__ import annotations

from dataclasses import dataclass
from decimal import Decimal
from typing import Any

from django.conf import settings
from django.core.signals import setting_changed
from django.dispatch import receiver

FREESPIN_REASON = "PROMO-FREESPIN"
CAMPAIGN_CODE_MAX_LENGTH = 255

# Read once (a settings lookup costs more than the whole rule); tests that change the setting
# are followed by `_jackpot_reasons_changed`.
_jackpot_reasons = frozenset(reason.upper() for reason in settings.JACKPOT_REASONS)


@receiver(setting_changed)
def _jackpot_reasons_changed(*, setting: str, **kwargs: Any) -> None:
    global _jackpot_reasons
    if setting == "JACKPOT_REASONS":
        _jackpot_reasons = frozenset(reason.upper() for reason in settings.JACKPOT_REASONS)


@dataclass(frozen=True)
class Promotion:
    is_freespin: bool = False
    campaign_code: str = ""
    is_jackpot: bool = False


NONE = Promotion()


def recognise(*, transaction_type: str, reason: str, context: dict[str, Any]) -> Promotion:
    """The promotion columns of one transaction (see the module docstring). `reason` is the
    full context.reason as read (not truncated)."""
    value = context.get("campaign_code")
    code = "" if value is None else campaign_code(value)
    if transaction_type != "WIN":
        return NONE if not code else Promotion(campaign_code=code)
    upper = reason.upper()
    freespin = upper == FREESPIN_REASON
    jackpot = upper in _jackpot_reasons
    if not (code or freespin or jackpot):
        return NONE
    return Promotion(is_freespin=freespin, campaign_code=code, is_jackpot=jackpot)


def jackpot_reasons() -> frozenset[str]:
    """The context.reason values (in capitals) of a jackpot win."""
    return _jackpot_reasons


def campaign_code(value: Any) -> str:
    """context.campaign_code as a column value: "" when it is missing or not a code."""
    if isinstance(value, int | Decimal) and not isinstance(value, bool):
        value = str(value)
    if not isinstance(value, str) or len(value) > CAMPAIGN_CODE_MAX_LENGTH:
        return ""
    return value
