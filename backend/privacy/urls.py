from django.urls import path

from backend.privacy import api

urlpatterns = [
    path("exports/", api.ExportListApi.as_view(), name="privacy-exports"),
    path("exports/<int:export_id>/", api.ExportApi.as_view(), name="privacy-export"),
    path("exports/<int:export_id>/archive/", api.ExportArchiveApi.as_view(), name="privacy-export-archive"),
    path("retention/", api.RetentionApi.as_view(), name="privacy-retention"),
]
