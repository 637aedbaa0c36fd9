from django.http import FileResponse, Http404
from django.utils import timezone
from drf_spectacular.types import OpenApiTypes
from drf_spectacular.utils import OpenApiResponse, extend_schema
from rest_framework import serializers, status
from rest_framework.permissions import AllowAny
from rest_framework.response import Response

from backend.common.api import ApiView, error_responses
from backend.common import retention
from backend.privacy import selectors, services


class ExportOutput(serializers.Serializer):
    id = serializers.IntegerField()
    state = serializers.ChoiceField(choices=["building", "ready", "expired"])
    requested_at = serializers.DateTimeField()
    ready_at = serializers.DateTimeField(allow_null=True)
    expires_at = serializers.DateTimeField(allow_null=True, help_text="After it, the archive is deleted.")
    size = serializers.IntegerField(help_text="Bytes of the zip; 0 until ready.")
    download_url = serializers.CharField(
        allow_null=True, help_text="Once ready: GET it with her token or session (privacy_export_archive)."
    )


class ExportListApi(ApiView):
    @extend_schema(
        operation_id="privacy_exports",
        responses={200: ExportOutput(many=True), **error_responses(401)},
        description="Her exports, newest first (at most 10): being built, ready, or expired (past expires_at, "
        "without download_url; listed PRIVACY_EXPIRED_EXPORTS_DAYS days more).",
    )
    def get(self, request):
        return Response(ExportOutput([services.export_body(e) for e in selectors.exports_of(user=request.user)],
                                     many=True).data)

    @extend_schema(
        operation_id="privacy_export_request",
        request=None,
        responses={202: ExportOutput, 200: ExportOutput, **error_responses(401)},
        description="Asks for an archive of all her data (a zip of JSON files and her photos). 202: a worker "
        "builds it, then she gets `export.ready` on her sockets and an urgent push; the link lasts "
        "PRIVACY_EXPORT_DAYS days. 200: one is already being built, or one became ready in the last 24 hours "
        "and can still be downloaded: that one is returned as it is (at most one archive a day).",
    )
    def post(self, request):
        export, created = services.export_request(user=request.user)
        return Response(ExportOutput(services.export_body(export)).data,
                        status=status.HTTP_202_ACCEPTED if created else status.HTTP_200_OK)


class ExportApi(ApiView):
    @extend_schema(operation_id="privacy_export", responses={200: ExportOutput, **error_responses(401, 404)})
    def get(self, request, export_id: int):
        export = selectors.export_of(user=request.user, export_id=export_id)
        if export is None:
            raise Http404
        return Response(ExportOutput(services.export_body(export)).data)


class ExportArchiveApi(ApiView):
    @extend_schema(
        operation_id="privacy_export_archive",
        responses={
            (200, "application/zip"): OpenApiResponse(OpenApiTypes.BINARY, description="The zip."),
            **error_responses(401, 404, 409, 410),
        },
        description="Her archive, for her only (404 for anyone else's). 409 export_not_ready while it is built, "
        "410 export_expired after expires_at (or once its archive is deleted).",
    )
    def get(self, request, export_id: int):
        export, archive = selectors.export_archive(user=request.user, export_id=export_id, now=timezone.now())
        response = FileResponse(archive, as_attachment=True,
                                filename=f"voisins-export-{export.ready_at:%Y-%m-%d}.zip",
                                content_type="application/zip")
        response["Cache-Control"] = "private, no-store"
        return response


class RetentionRuleOutput(serializers.Serializer):
    key = serializers.CharField()
    what = serializers.CharField(help_text="In the language of the request.")
    kept_seconds = serializers.IntegerField(help_text="How long it is kept; 0: deleted at once.")
    setting = serializers.CharField(help_text="The setting (or constant) that says how long; empty: none.")
    applied_by = serializers.CharField(help_text="What deletes it.")


class RetentionApi(ApiView):
    permission_classes = [AllowAny]

    @extend_schema(
        operation_id="privacy_retention",
        responses={200: RetentionRuleOutput(many=True)},
        description="Every retention rule of the server, as the data page (/data/) lists them.",
    )
    def get(self, request):
        return Response(RetentionRuleOutput([
            {"key": r.key, "what": str(r.what), "kept_seconds": int(r.kept.total_seconds()), "setting": r.setting,
             "applied_by": r.applied_by} for r in retention.rules()
        ], many=True).data)
