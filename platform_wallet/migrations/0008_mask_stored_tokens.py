"""Issue 10: session tokens stored in full before tokens were masked (the transaction row, the
API error log's request bodies) are masked like every new one. In batches, each committed on
its own (the tables can be large); running it again changes nothing."""

from django.db import migrations

from platform_wallet.redact import MASK, mask_token, mask_tokens_in_text

BATCH = 1000


def mask_stored_tokens(apps, schema_editor):
    Transaction = apps.get_model("platform_wallet", "Transaction")
    ApiErrorLog = apps.get_model("platform_wallet", "ApiErrorLog")
    last = 0
    while True:
        rows = list(
            Transaction.objects.filter(pk__gt=last)
            .exclude(token="")
            .exclude(token__contains=MASK)
            .order_by("pk")
            .values_list("pk", "token")[:BATCH]
        )
        if not rows:
            break
        Transaction.objects.bulk_update(
            [Transaction(pk=pk, token=mask_token(token)) for pk, token in rows], ["token"]
        )
        last = rows[-1][0]
    last = 0
    while True:
        rows = list(
            ApiErrorLog.objects.filter(pk__gt=last, request_body__contains='"token"')
            .order_by("pk")
            .values_list("pk", "request_body")[:BATCH]
        )
        if not rows:
            break
        changed = [
            ApiErrorLog(pk=pk, request_body=masked)
            for pk, body in rows
            if (masked := mask_tokens_in_text(body)) != body
        ]
        if changed:
            ApiErrorLog.objects.bulk_update(changed, ["request_body"])
        last = rows[-1][0]


class Migration(migrations.Migration):
    atomic = False  # one transaction per batch

    dependencies = [
        ("platform_wallet", "0006_operator_allow_any_address"),
        ("platform_wallet", "0007_ledgerentry_approved_by"),
    ]

    operations = [migrations.RunPython(mask_stored_tokens, migrations.RunPython.noop)]
