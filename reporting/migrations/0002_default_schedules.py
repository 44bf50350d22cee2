"""Default schedules of the PLATFORM jobs in django-celery-beat (staff change them in the
admin: Periodic tasks). Times are UTC. Existing entries (by name) are left as staff set them."""

from django.db import migrations

CATALOG_SYNC = "PLATFORM catalog sync (nightly)"
REPORTS = "PLATFORM business report and reconciliation of yesterday (nightly)"
BALANCE_LIMITS = "PLATFORM balance limits check (hourly)"

SCHEDULES = [
    # name, task, crontab (minute, hour), description
    (
        CATALOG_SYNC,
        "reporting.catalog_sync_all",
        ("0", "2"),
        "Sync games and lobbies of every active operator from the PLATFORM.",
    ),
    (
        REPORTS,
        "reporting.reports_nightly_all",
        ("30", "3"),
        "Fetch yesterday's business report of every active operator and reconcile it with "
        "our ledger.",
    ),
    (
        BALANCE_LIMITS,
        "reporting.balance_limits_check_all",
        ("5", "*"),
        "Store balance limits (and GGR limits) of every active operator; alert the admins.",
    ),
]


def create_schedules(apps, schema_editor):
    CrontabSchedule = apps.get_model("django_celery_beat", "CrontabSchedule")
    PeriodicTask = apps.get_model("django_celery_beat", "PeriodicTask")
    PeriodicTasks = apps.get_model("django_celery_beat", "PeriodicTasks")
    for name, task, (minute, hour), description in SCHEDULES:
        if PeriodicTask.objects.filter(name=name).exists():
            continue
        crontab, _ = CrontabSchedule.objects.get_or_create(
            minute=minute,
            hour=hour,
            day_of_week="*",
            day_of_month="*",
            month_of_year="*",
            timezone="UTC",
        )
        PeriodicTask.objects.create(
            name=name,
            task=task,
            crontab=crontab,
            args="[]",
            kwargs="{}",
            enabled=True,
            description=description,
        )
    # Tell a running beat that the schedule changed (what PeriodicTask's save signal does).
    from django.utils import timezone

    PeriodicTasks.objects.update_or_create(ident=1, defaults={"last_update": timezone.now()})


def remove_schedules(apps, schema_editor):
    PeriodicTask = apps.get_model("django_celery_beat", "PeriodicTask")
    PeriodicTask.objects.filter(name__in=[name for name, *_ in SCHEDULES]).delete()


class Migration(migrations.Migration):
    dependencies = [
        ("reporting", "0001_initial"),
        ("django_celery_beat", "0019_alter_periodictasks_options"),
    ]

    operations = [migrations.RunPython(create_schedules, remove_schedules)]
