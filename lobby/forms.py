"""Forms of the lobby pages: the game filter (GET) and the launch forms (POST)."""

from __future__ import annotations

from django import forms

from lobby.launch import DEVICES

DEVICE_CHOICES = [("", "detect"), *((d, d) for d in DEVICES)]


class GameFilterForm(forms.Form):
    q = forms.CharField(required=False, max_length=100, strip=True)
    vendor = forms.CharField(required=False, max_length=100)
    type = forms.CharField(required=False, max_length=100)
    device = forms.ChoiceField(required=False, choices=DEVICE_CHOICES)
    # the game chosen before logging in (Play as a visitor: the login's ?next= comes back here)
    game = forms.IntegerField(required=False, min_value=1, max_value=2**63 - 1)


class FavouriteForm(forms.Form):
    favourite = forms.BooleanField(required=False)


class LaunchForm(forms.Form):
    """Play (real money): the currency of the wallet to play with (default: the active one)
    and an optional device that overrides the User-Agent's."""

    currency = forms.RegexField(required=False, regex=r"^[A-Z0-9]{3,4}$", max_length=4)
    device = forms.ChoiceField(required=False, choices=DEVICE_CHOICES)


class DemoForm(forms.Form):
    device = forms.ChoiceField(required=False, choices=DEVICE_CHOICES)


class CurrencyForm(forms.Form):
    currency = forms.RegexField(regex=r"^[A-Z0-9]{3,4}$", max_length=4)
