"""The worker's push tasks: each calls its service. The services enqueue these tasks, so
the tasks import the services only when they run."""

from typing import Any

from django.conf import settings
from django.utils import timezone
from django_tasks import task

from backend.common.periodic import next_run_ensure, periodic_tasks


@task()
def messages_push(rooms: list[tuple[int, list[int]]]) -> int:
    """The pushes of a stored batch of messages: [room id, [message ids]] per room."""
    from backend.push import services

    return services.messages_push(rooms=rooms)


@task()
def room_messages_push(room_id: int, message_ids: list[int]) -> int:
    """One room's: what stored batches enqueued before messages_push. Kept so that the
    tasks waiting in the queue across that deploy still run."""
    from backend.push import services

    return services.room_messages_push(room_id=room_id, message_ids=message_ids)


@task()
def notification_clear(user_id: int, room_id: int, seq: int) -> int:
    from backend.push import services

    return services.notification_clear(user_id=user_id, room_id=room_id, seq=seq)


@task()
def user_alert(user_id: int, text_key: str, params: dict[str, Any], event: str) -> int:
    from backend.push import services

    return services.user_alert(user_id=user_id, text_key=text_key, params=params, event=event)


@task()
def people_alert(user_ids: list[int], neighbourhood_ids: list[int], text_key: str, params: dict[str, Any],
                 data: dict[str, Any], event: str) -> int:
    from backend.push import services

    return services.people_alert(user_ids=user_ids, neighbourhood_ids=neighbourhood_ids, text_key=text_key,
                                 params=params, data=data, event=event)


@task()
def deliveries_retry(event: str) -> int:
    from backend.push import services

    return services.deliveries_retry(event=event)


@task()
def devices_prune() -> int:
    from backend.push import services

    now = timezone.now()
    next_run_ensure(devices_prune, every=periodic_tasks()[devices_prune], now=now)
    return services.devices_prune(now=now, after_days=settings.PRIVACY_PUSH_DEVICES_DAYS)
