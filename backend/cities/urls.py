from django.urls import path

from backend.cities import api

ORG = "organisations/<int:organisation_id>/"

urlpatterns = [
    # The organisations' console: agents only, each request checked again.
    path("organisations/", api.OrganisationListApi.as_view(), name="cities-organisations"),
    path(ORG, api.OrganisationDetailApi.as_view(), name="cities-organisation"),
    path(ORG + "agents/", api.AgentListApi.as_view(), name="cities-agents"),
    path(ORG + "agents/<int:agent_id>/", api.AgentDetailApi.as_view(), name="cities-agent"),
    path(ORG + "categories/", api.CategoryCreateApi.as_view(), name="cities-categories"),
    path(ORG + "announcements/", api.OrganisationAnnouncementsApi.as_view(), name="cities-organisation-announcements"),
    path(ORG + "announcements/<int:announcement_id>/thread/", api.AnnouncementThreadApi.as_view(),
         name="cities-announcement-thread"),
    path(ORG + "announcements/<int:announcement_id>/replies/", api.AnnouncementReplyApi.as_view(),
         name="cities-announcement-reply"),
    path(ORG + "alerts/", api.OrganisationAlertsApi.as_view(), name="cities-organisation-alerts"),
    path(ORG + "consultations/", api.OrganisationConsultationsApi.as_view(), name="cities-organisation-consultations"),
    path(ORG + "consultations/<int:consultation_id>/", api.OrganisationConsultationApi.as_view(),
         name="cities-organisation-consultation"),
    path(ORG + "reports/", api.QueueApi.as_view(), name="cities-queue"),
    path(ORG + "reports/figures/", api.FiguresApi.as_view(), name="cities-figures"),
    path(ORG + "reports/export/", api.ExportApi.as_view(), name="cities-export"),
    path(ORG + "reports/<int:report_id>/", api.QueueReportApi.as_view(), name="cities-queue-report"),
    path(ORG + "reports/<int:report_id>/status/", api.ReportStatusApi.as_view(), name="cities-report-status"),
    path(ORG + "reports/<int:report_id>/assignee/", api.ReportAssignApi.as_view(), name="cities-report-assign"),
    path(ORG + "reports/<int:report_id>/notes/", api.ReportNoteApi.as_view(), name="cities-report-note"),
    # Residents.
    path("announcements/", api.AnnouncementListApi.as_view(), name="cities-announcements"),
    path("alerts/", api.AlertListApi.as_view(), name="cities-alerts"),
    path("consultations/", api.ConsultationListApi.as_view(), name="cities-consultations"),
    path("consultations/<int:consultation_id>/", api.ConsultationDetailApi.as_view(), name="cities-consultation"),
    path("consultations/<int:consultation_id>/answer/", api.ConsultationAnswerApi.as_view(),
         name="cities-consultation-answer"),
    path("report-categories/", api.ReportCategoriesApi.as_view(), name="cities-report-categories"),
    path("reports/", api.ReportListApi.as_view(), name="cities-reports"),
    path("reports/mine/", api.MyReportListApi.as_view(), name="cities-my-reports"),
    path("reports/nearby/", api.NearbyReportsApi.as_view(), name="cities-reports-nearby"),
    path("reports/<int:report_id>/", api.ReportDetailApi.as_view(), name="cities-report"),
    path("reports/<int:report_id>/support/", api.ReportSupportApi.as_view(), name="cities-report-support"),
    path("reports/<int:report_id>/reopen/", api.ReportReopenApi.as_view(), name="cities-report-reopen"),
]
