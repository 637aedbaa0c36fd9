from django.apps import AppConfig


class DemoConfig(AppConfig):
    """The demo neighbourhood of `make run` (manage.py seed_demo): above every other app,
    since it goes through their services; nothing imports it."""

    name = "backend.demo"
    label = "demo"
