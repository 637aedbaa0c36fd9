from django.apps import AppConfig


class ChatConfig(AppConfig):
    name = "backend.chat"
    label = "chat"

    def ready(self) -> None:
        from backend.chat import notices
        from backend.common import domain_events
        from backend.trust.domain_events import MembershipDecided

        domain_events.subscribe(MembershipDecided, notices.membership_decided)

        # Photos on messages, and who sees them (backend/photos/attachments.py).
        from backend.chat import domain, selectors
        from backend.photos import attachments

        attachments.register("message", limit=domain.MAX_IMAGES, rule=selectors.message_images_visible)
