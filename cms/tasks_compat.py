"""The task decorator from Django (6.0+) or its backport (5.2), so apps need not care which."""

try:  # pragma: no cover - which branch runs depends on the Django version
    from django.tasks import task
except ImportError:  # pragma: no cover
    from django_tasks import task

__all__ = ["task"]
