from django.apps import AppConfig


class ModerationConfig(AppConfig):
    name = "backend.moderation"
    label = "moderation"

    def ready(self) -> None:
        # What moderation adds to chat's socket.
        from backend.chat import handlers
        from backend.moderation import selectors
        from backend.photos import attachments

        handlers.register("watch", selectors.watch_answer)
        # Moderators review the photos of what they moderate (after the apps that show them).
        attachments.register("post", rule=selectors.post_images_reviewable)
        attachments.register("message", rule=selectors.message_images_reviewable)

        # Her data (issue 15): moderation's part of her export, and of her erasure.
        from backend.accounts.domain_events import AccountErased
        from backend.common import domain_events, personal_data
        from backend.moderation import services

        personal_data.register("moderation", selectors.personal_data_export)
        domain_events.subscribe(AccountErased, services.account_erased)

        # A revocation through trust is appealable here (issue 10).
        from backend.trust.domain_events import MembershipDecided

        domain_events.subscribe(MembershipDecided, services.membership_decided)
