from django.apps import AppConfig


class PushConfig(AppConfig):
    name = "backend.push"
    label = "push"

    def ready(self) -> None:
        from backend.accounts.domain_events import AccountErased, InactivityWarned, SignedOut
        from backend.chat.domain_events import MessagesPosted, ReadMarked
        from backend.cities.domain_events import AreaAlertPublished, ReportChanged
        from backend.common import domain_events
        from backend.moderation.domain_events import ModerationActed
        from backend.push import services
        from backend.trust.domain_events import MembershipDecided

        domain_events.subscribe(SignedOut, services.signed_out)
        domain_events.subscribe(MessagesPosted, services.messages_posted)
        domain_events.subscribe(ReadMarked, services.read_marked)
        domain_events.subscribe(MembershipDecided, services.membership_decided)
        domain_events.subscribe(ModerationActed, services.moderation_acted)
        domain_events.subscribe(AreaAlertPublished, services.area_alert_published)
        domain_events.subscribe(ReportChanged, services.report_changed)

        # Her data (issue 15).
        from backend.common import personal_data
        from backend.feed.domain_events import PartnerLeft
        from backend.privacy.domain_events import ExportReady
        from backend.common import retention as retention_rules
        from backend.push import retention, selectors

        personal_data.register("push", selectors.personal_data_export)
        retention_rules.register(retention.rules)
        domain_events.subscribe(AccountErased, services.account_erased)
        domain_events.subscribe(PartnerLeft, services.partner_left)
        domain_events.subscribe(ExportReady, services.export_ready)
        domain_events.subscribe(InactivityWarned, services.inactivity_warned)
