from django.apps import AppConfig


class ModerationConfig(AppConfig):
    name = "backend.moderation"
    label = "moderation"

    def ready(self) -> None:
        # What moderation adds to chat's socket.
        from backend.chat import handlers
        from backend.moderation import selectors

        handlers.register("watch", selectors.watch_answer)
