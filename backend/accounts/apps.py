from django.apps import AppConfig


class AccountsConfig(AppConfig):
    name = "backend.accounts"
    label = "accounts"

    def ready(self) -> None:
        # Her account in her data export (backend.common.personal_data).
        from backend.accounts import selectors
        from backend.common import personal_data

        personal_data.register("account", selectors.personal_data_export)

        # How long accounts keep what (backend.common.retention).
        from backend.accounts import retention
        from backend.common import retention as retention_rules

        retention_rules.register(retention.rules)
