from django.apps import AppConfig


class WebConfig(AppConfig):
    """The pages this server serves: the resident app at `/` and the foundation the
    moderators' console shares (layout, Content-Security-Policy, catalogues, the socket
    and REST clients under static/web/js/core/)."""

    name = "backend.web"
    label = "web"
