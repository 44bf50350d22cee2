"""Errors of the reporting services: each says what is missing and what to do about it."""

from __future__ import annotations


class ReportingError(Exception):
    """A report, reconciliation or hand history that cannot be produced as asked."""


class BusinessReportInvalid(ReportingError):
    """The PLATFORM's business report does not describe the date asked for: nothing stored."""


class BusinessReportMissing(ReportingError):
    """No stored business report for the date: fetch it before reconciling."""


class HandHistoryUnavailable(ReportingError):
    """A hand history cannot be asked for (no history_id, or the game's vendor is unknown)."""


class LimitsInvalid(ReportingError):
    """The PLATFORM's balance limits do not fit what we store: nothing stored, no alert changed."""


class HandHistoryInvalid(ReportingError):
    """The PLATFORM's hand history cannot be shown safely (too deep, too large, not storable)."""
