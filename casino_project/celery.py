"""The Celery app: Redis broker (REDIS_URL / CELERY_BROKER_URL), settings from Django's
CELERY_* names, tasks autodiscovered in every installed app's `tasks` module, schedules held by
django-celery-beat in the database (staff edit them in the admin).

    celery -A casino_project worker -l info
    celery -A casino_project beat -l info      # DatabaseScheduler (CELERY_BEAT_SCHEDULER)
"""

from __future__ import annotations

import os

from celery import Celery

os.environ.setdefault("DJANGO_SETTINGS_MODULE", "casino_project.settings")

app = Celery("casino_project")
app.config_from_object("django.conf:settings", namespace="CELERY")
app.autodiscover_tasks()
