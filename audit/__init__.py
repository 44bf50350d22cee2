"""The staff audit trail: an append-only, hash-chained record of what staff did to money and
players (adjustments requested, approved, rejected; blocks; responsible-gambling limits;
session revocations; operator secret rotations).

A low layer: it depends on Django's auth only, so that every app's services (the wallet's
included) write to it without importing the backoffice. `services.audit_record` appends a row
in the caller's transaction; `selectors.audit_chain_verify` (and `manage.py
verify_audit_trail`) recompute the chain.
"""
