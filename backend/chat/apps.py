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

        # Her data (issue 15): chat's part of her export, and of her erasure.
        from backend.accounts.domain_events import AccountErased
        from backend.chat import services
        from backend.common import personal_data

        personal_data.register("chat", selectors.personal_data_export)

        # How long chat keeps what (backend.common.retention).
        from backend.chat import retention
        from backend.common import retention as retention_rules

        retention_rules.register(retention.rules)
        domain_events.subscribe(AccountErased, services.account_erased)
