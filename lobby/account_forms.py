"""Forms of the player's account pages: the activity filter (GET), the loss and wager limits
and the break (POST)."""

from __future__ import annotations

import datetime as dt
from decimal import Decimal
from typing import Any

from django import forms

from platform_wallet.limits_rules import BREAK_PERIODS, KINDS, PERIODS, LimitsInForce

ACTIVITY_DEFAULT_DAYS = 30


class ActivityFilterForm(forms.Form):
    """Dates are whole UTC days, both inclusive; a bad value falls back to the default."""

    start = forms.DateField(required=False, label="From")
    end = forms.DateField(required=False, label="To")
    currency = forms.CharField(required=False, max_length=4)
    cursor = forms.CharField(required=False, max_length=60)

    def dates(self, today: dt.date) -> tuple[dt.date, dt.date]:
        data = self.cleaned_data if self.is_valid() else {}
        last = data.get("end") or today
        first = data.get("start") or last - dt.timedelta(days=ACTIVITY_DEFAULT_DAYS - 1)
        return first, last


def _amount_field(label: str) -> forms.DecimalField:
    return forms.DecimalField(
        required=False,
        min_value=Decimal("0"),
        max_digits=18,
        decimal_places=2,
        label=label,
        widget=forms.NumberInput(attrs={"step": "0.01", "min": "0", "inputmode": "decimal"}),
    )


class LimitsForm(forms.Form):
    """The six limits, empty for none. Each starts at the value the player last asked for (a
    pending change's, else the one in force): only fields the player changed are requests
    (`requested`), so saving the form unchanged never restarts a cooling-off."""

    daily_loss_limit = _amount_field("Daily loss limit")
    weekly_loss_limit = _amount_field("Weekly loss limit")
    monthly_loss_limit = _amount_field("Monthly loss limit")
    daily_wager_limit = _amount_field("Daily wager limit")
    weekly_wager_limit = _amount_field("Weekly wager limit")
    monthly_wager_limit = _amount_field("Monthly wager limit")

    @staticmethod
    def initial_from(in_force: LimitsInForce) -> dict[str, Any]:
        initial: dict[str, Any] = {}
        for period in PERIODS:
            for kind in KINDS:
                name = f"{period}_{kind}_limit"
                pending = in_force.pending_for(name)
                initial[name] = pending.value if pending is not None else in_force.value(name)
        return initial

    def requested(self) -> dict[str, Decimal | None]:
        return {name: self.cleaned_data[name] for name in self.changed_data}


class BreakForm(forms.Form):
    """A break or self-exclusion: the period, then a second step with `confirm` set."""

    period = forms.ChoiceField(
        choices=list(BREAK_PERIODS.items()), widget=forms.RadioSelect, label="Break for"
    )
    confirm = forms.BooleanField(required=False, widget=forms.HiddenInput)
