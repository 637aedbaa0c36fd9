from django.apps import AppConfig


class PushConfig(AppConfig):
    name = "backend.push"
    label = "push"

    def ready(self) -> None:
        from backend.chat.domain_events import MessagesPosted, ReadMarked
        from backend.cities.domain_events import AreaAlertPublished, ReportChanged
        from backend.common import domain_events
        from backend.moderation.domain_events import ModerationActed
        from backend.push import services
        from backend.trust.domain_events import MembershipDecided

        domain_events.subscribe(MessagesPosted, services.messages_posted)
        domain_events.subscribe(ReadMarked, services.read_marked)
        domain_events.subscribe(MembershipDecided, services.membership_decided)
        domain_events.subscribe(ModerationActed, services.moderation_acted)
        domain_events.subscribe(AreaAlertPublished, services.area_alert_published)
        domain_events.subscribe(ReportChanged, services.report_changed)
