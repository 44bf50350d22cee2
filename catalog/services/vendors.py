"""Vendor rows for the codes the catalog holds (`catalog.Vendor`): a code seen for the first
time gets its default display name (`catalog.vendor_names`); a name staff edited is never
overwritten."""

from __future__ import annotations

from collections.abc import Iterable

from catalog.models import Vendor
from catalog.vendor_names import default_vendor_name

NAME_LENGTH = Vendor._meta.get_field("name").max_length or 100


def vendors_ensure(*, codes: Iterable[str]) -> int:
    """Create the missing Vendor rows of `codes`; returns how many were created."""
    wanted = {code for code in codes if code}
    known = set(Vendor.objects.filter(code__in=wanted).values_list("code", flat=True))
    missing = sorted(wanted - known)
    Vendor.objects.bulk_create(
        [Vendor(code=code, name=default_vendor_name(code)[:NAME_LENGTH]) for code in missing],
        ignore_conflicts=True,  # a concurrent sync of another operator made it first
    )
    return len(missing)
