from django.apps import AppConfig


class CitiesConfig(AppConfig):
    name = "backend.cities"
    label = "cities"
    verbose_name = "Organisations (cities)"

    def ready(self) -> None:
        # Photos on announcements and civic reports, and who sees them.
        from backend.cities import domain, selectors
        from backend.photos import attachments

        attachments.register("announcement", limit=domain.ANNOUNCEMENT_IMAGES, rule=selectors.announcement_images_visible,
                             outlives_uploader=True)
        attachments.register("city_report", limit=domain.REPORT_IMAGES, rule=selectors.report_images_visible)
        attachments.register_uploader(selectors.is_active_agent)

        # Her data (issue 15): the organisations' part of her export, and of her erasure.
        from backend.accounts.domain_events import AccountErased
        from backend.cities import services
        from backend.common import domain_events, personal_data

        personal_data.register("cities", selectors.personal_data_export)
        domain_events.subscribe(AccountErased, services.account_erased)
