"""The worker's privacy tasks: each calls its service, imported when it runs."""

from django.utils import timezone
from django_tasks import task

from backend.common.periodic import next_run_ensure, periodic_tasks


@task()
def export_build(export_id: int) -> int | None:
    from backend.privacy import services

    export = services.export_build(export_id=export_id)
    return export.size if export is not None else None


@task()
def retention_sweep() -> dict[str, int]:
    from backend.privacy import services

    now = timezone.now()
    next_run_ensure(retention_sweep, every=periodic_tasks()[retention_sweep], now=now)
    return services.retention_sweep(now=now)
