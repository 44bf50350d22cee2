"""Django project of the casino operator's side of the PLATFORM integration."""

# The Celery app is loaded with Django, so that @shared_task binds to it.
from casino_project.celery import app as celery_app

__all__ = ["celery_app"]
