from django.urls import path

from backend.moderation import api

urlpatterns = [
    path("reports/", api.ReportCreateApi.as_view(), name="moderation-report"),
    path("reports/<int:report_id>/dismiss/", api.ReportDismissApi.as_view(), name="moderation-report-dismiss"),
    path("messages/<int:message_id>/remove/", api.MessageRemoveApi.as_view(), name="moderation-message-remove"),
    path("messages/<int:message_id>/restore/", api.MessageRestoreApi.as_view(), name="moderation-message-restore"),
    path("posts/<int:post_id>/remove/", api.PostRemoveApi.as_view(), name="moderation-post-remove"),
    path("posts/<int:post_id>/restore/", api.PostRestoreApi.as_view(), name="moderation-post-restore"),
    path("decisions/", api.MyDecisionsApi.as_view(), name="moderation-my-decisions"),
    path("decisions/<int:action_id>/appeal/", api.AppealCreateApi.as_view(), name="moderation-appeal"),
    path("appeals/<int:appeal_id>/decide/", api.AppealDecideApi.as_view(), name="moderation-appeal-decide"),
    path("neighbourhoods/<int:neighbourhood_id>/reports/", api.ReportQueueApi.as_view(), name="moderation-reports"),
    path("neighbourhoods/<int:neighbourhood_id>/log/", api.LogApi.as_view(), name="moderation-log"),
    path("neighbourhoods/<int:neighbourhood_id>/appeals/", api.AppealQueueApi.as_view(), name="moderation-appeals"),
    path("neighbourhoods/<int:neighbourhood_id>/members/<int:user_id>/mute/", api.MemberMuteApi.as_view(),
         name="moderation-mute"),
    path("neighbourhoods/<int:neighbourhood_id>/members/<int:user_id>/ban/", api.MemberBanApi.as_view(),
         name="moderation-ban"),
]
