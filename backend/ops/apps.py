from django.apps import AppConfig


class OpsConfig(AppConfig):
    """Operating the service: health and readiness probes, metrics, the task workers'
    lease, and the answers of an overloaded or failing server (docs/operations.md)."""

    name = "backend.ops"
    label = "ops"

    def ready(self) -> None:
        from backend.chat.domain_events import MessagesPosted
        from backend.common import domain_events
        from backend.ops import listeners

        domain_events.subscribe(MessagesPosted, listeners.messages_posted)
