from django.apps import AppConfig


class PhotosConfig(AppConfig):
    name = "backend.photos"
    label = "photos"

    def ready(self) -> None:
        # HEIC and HEIF (iPhones) open through Pillow like the other formats.
        from pillow_heif import register_heif_opener

        register_heif_opener()

        # Her data (issue 15): her photos in her export, and gone with her erasure.
        from backend.accounts.domain_events import AccountErased
        from backend.common import domain_events, personal_data
        from backend.common import retention as retention_rules
        from backend.photos import retention, selectors, services

        personal_data.register("photos", selectors.personal_data_export)
        retention_rules.register(retention.rules)
        domain_events.subscribe(AccountErased, services.account_erased)
