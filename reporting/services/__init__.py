"""Reporting services: business reports, reconciliation, limits checks and hand history."""
