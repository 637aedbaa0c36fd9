from django.apps import AppConfig


class TrustConfig(AppConfig):
    name = "backend.trust"
    label = "trust"

    def ready(self) -> None:
        # Her data (issue 15): trust's part of her export, and of her erasure.
        from backend.accounts.domain_events import AccountErased
        from backend.common import domain_events, personal_data
        from backend.common import retention as retention_rules
        from backend.trust import retention, selectors, services

        personal_data.register("trust", selectors.personal_data_export)
        retention_rules.register(retention.rules)
        domain_events.subscribe(AccountErased, services.account_erased)
