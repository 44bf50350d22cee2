"""Session tokens shown in part (issue 10, Trust: "session tokens never appear in full").

A game session token is a credential: whoever holds it can play with the player's money until
the session ends. Only the session table keeps it whole. Everywhere else (the API error log,
log lines, the transaction row, admin pages) it is masked with `mask_token`: its first and
last four characters, enough for staff to tell two tokens apart and to match a transaction to
its session, never enough to use it (the spec's tokens are 20-50 characters of [A-Za-z0-9];
ours are 40).
"""

from __future__ import annotations

import re

MASK = "…"
# Shorter values (not a token the spec allows) are hidden entirely.
_SHOWN_FROM_LENGTH = 16
_SHOWN = 4

# "token": "<value>" anywhere in a text: a request body (malformed JSON included: a value
# cut off by the end of the text is masked too) or the repr of a dict ('token': '<value>').
# Any key spelled exactly "token", at any depth; escaped characters stay inside the value.
_TOKEN_VALUE = re.compile(
    r"""(?P<key>(?P<q>["'])token(?P=q)\s*:\s*(?P<open>["']))"""
    r"""(?P<value>(?:\\.|(?!(?P=open))[^\\])*)"""
)


def mask_token(token: str) -> str:
    """The token with only its first and last four characters shown ("AbCd…WxYz"); an
    empty value stays empty, a short one becomes "…". Masking a masked token changes
    nothing."""
    if not token or MASK in token:
        return token
    if len(token) < _SHOWN_FROM_LENGTH:
        return MASK
    return f"{token[:_SHOWN]}{MASK}{token[-_SHOWN:]}"


def _masked(match: re.Match[str]) -> str:
    return match.group("key") + mask_token(match.group("value"))


def mask_tokens_in_text(text: str) -> str:
    """The text (a request body, a log message) with every "token" value masked."""
    if "token" not in text:  # the common case costs one substring search
        return text
    return _TOKEN_VALUE.sub(_masked, text)


def mask_tokens_in_body(raw: bytes, limit: int | None = None) -> str:
    """A request body as text (undecodable bytes replaced) with every "token" value masked,
    then cut to `limit` characters (masked first: a cut never reveals a token's middle)."""
    text = mask_tokens_in_text(raw.decode("utf-8", errors="replace"))
    return text if limit is None else text[:limit]
