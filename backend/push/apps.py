from django.apps import AppConfig


class PushConfig(AppConfig):
    name = "backend.push"
    label = "push"
