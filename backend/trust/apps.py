from django.apps import AppConfig


class TrustConfig(AppConfig):
    name = "backend.trust"
    label = "trust"
