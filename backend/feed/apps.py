from django.apps import AppConfig


class FeedConfig(AppConfig):
    name = "backend.feed"
    label = "feed"
