from django.apps import AppConfig


class FeedConfig(AppConfig):
    name = "backend.feed"
    label = "feed"

    def ready(self) -> None:
        # What the feed adds to chat: the socket's post.create, and the description of
        # the cards that messages carry.
        from backend.chat import api as chat_api
        from backend.chat import handlers
        from backend.feed import api, domain, selectors
        from backend.photos import attachments

        handlers.register("post.create", api.post_create_frame)
        chat_api.register_card_output(api.CardOutput)
        # Photos on posts, and who sees them.
        attachments.register("post", limit=domain.MAX_IMAGES, rule=selectors.post_images_visible)

        # Her data (issue 15): the feed's part of her export, and of her erasure.
        from backend.accounts.domain_events import AccountErased
        from backend.common import domain_events, personal_data
        from backend.feed import services

        personal_data.register("feed", selectors.personal_data_export)
        domain_events.subscribe(AccountErased, services.account_erased)

        # A post's card deleted through chat deletes its post (chat does not import feed).
        from backend.chat.domain_events import CardMessageDeleted

        domain_events.subscribe(CardMessageDeleted, services.card_message_deleted)
