from django.apps import AppConfig


class ChatConfig(AppConfig):
    name = "backend.chat"
    label = "chat"

    def ready(self) -> None:
        from backend.chat import notices
        from backend.common import domain_events
        from backend.trust.domain_events import MembershipDecided

        domain_events.subscribe(MembershipDecided, notices.membership_decided)
