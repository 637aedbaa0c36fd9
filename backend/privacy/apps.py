from django.apps import AppConfig


class PrivacyConfig(AppConfig):
    """Her data: export, erasure, retention, and the data page (backend/privacy/services.py
    says why this is an app of its own)."""

    name = "backend.privacy"
    label = "privacy"
    verbose_name = "Privacy"

    def ready(self) -> None:
        from backend.accounts.domain_events import AccountErased
        from backend.common import domain_events
        from backend.common import retention as retention_rules
        from backend.privacy import retention, services

        domain_events.subscribe(AccountErased, services.account_erased)
        retention_rules.register(retention.rules)
