"""Issue 14: the campaigns page (a proxy of the transactions with a campaign code); Support
and Finance may view it."""

from django.db import migrations

from backoffice.roles import roles_sync


class Migration(migrations.Migration):

    dependencies = [
        ('backoffice', '0004_roles_approvals'),
        ('platform_wallet', '0012_transaction_promotions'),
    ]

    operations = [
        migrations.CreateModel(
            name='Campaign',
            fields=[
            ],
            options={
                'verbose_name': 'campaign',
                'proxy': True,
                'default_permissions': ('view',),
                'indexes': [],
                'constraints': [],
            },
            bases=('platform_wallet.transaction',),
        ),
        # the roles again: Support and Finance see the campaigns
        migrations.RunPython(roles_sync, migrations.RunPython.noop),
    ]
