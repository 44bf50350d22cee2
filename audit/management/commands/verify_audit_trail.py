"""manage.py verify_audit_trail: recompute the audit trail's hash chain.

Exit 0 with the number of events and the head's hash (record it elsewhere: a chain cut short
at its end is only seen against an earlier head); exit 1 naming the first broken row.
"""

from __future__ import annotations

from typing import Any

from django.core.management.base import BaseCommand, CommandError

from audit.selectors import audit_chain_verify


class Command(BaseCommand):
    help = "Verify the staff audit trail's hash chain; exit 1 naming the first broken row."

    def handle(self, *args: Any, **options: Any) -> None:
        report = audit_chain_verify()
        if report.broken is not None:
            broken = report.broken
            raise CommandError(
                f"Audit trail BROKEN at event seq {broken.seq} (id {broken.pk}): {broken.why}. "
                f"The {report.count} event(s) before it are intact."
            )
        self.stdout.write(
            f"Audit trail intact: {report.count} events; head seq {report.head_seq}, "
            f"hash {report.head_hash}"
        )
