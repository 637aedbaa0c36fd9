from drf_spectacular.utils import extend_schema
from rest_framework import serializers, status
from rest_framework.response import Response

from backend.common.api import ApiView, JsonInput, PersonOutput, QueryInput, ReasonInput, error_responses
from backend.photos.api import ImageOutput
from backend.moderation import domain, selectors, services
from backend.moderation.models import Action, Report
from backend.trust.api import LogEntryOutput, RevokeInput


class ReportInput(JsonInput):
    message_id = serializers.IntegerField(required=False)
    post_id = serializers.IntegerField(required=False)
    member_id = serializers.IntegerField(required=False)
    category = serializers.ChoiceField(choices=Report.Category.choices)
    text = serializers.CharField(max_length=2000, required=False, allow_blank=True, default="")


class ReportedOutput(serializers.Serializer):
    author = PersonOutput()
    text = serializers.CharField(allow_blank=True)
    images = ImageOutput(many=True, help_text="The photos of the reported message or post, for the moderators "
                         "(removed or hidden ones too); empty in the answer to the reporter.")


class ReportOutput(serializers.Serializer):
    """The object of the report.created frame (frontend-contract/websocket/moderation.json)."""

    about = ReportedOutput(help_text="What is reported: its author and text (a post: its title; a member: empty).")
    id = serializers.IntegerField()
    neighbourhood_id = serializers.IntegerField()
    reporter_id = serializers.IntegerField()
    message_id = serializers.IntegerField(allow_null=True)
    post_id = serializers.IntegerField(allow_null=True)
    member_id = serializers.IntegerField(allow_null=True)
    category = serializers.ChoiceField(choices=Report.Category.choices)
    text = serializers.CharField(allow_blank=True)
    status = serializers.ChoiceField(choices=Report.Status.choices)
    created_at = serializers.DateTimeField()


class ActionOutput(serializers.Serializer):
    """An entry of the moderation log (the object of moderation.notice and moderation.logged)."""

    id = serializers.IntegerField()
    neighbourhood_id = serializers.IntegerField()
    kind = serializers.ChoiceField(choices=Action.Kind.choices)
    actor_id = serializers.IntegerField()
    subject_id = serializers.IntegerField()
    message_id = serializers.IntegerField(allow_null=True)
    post_id = serializers.IntegerField(allow_null=True)
    until = serializers.DateTimeField(allow_null=True)
    reason = serializers.CharField()
    at = serializers.DateTimeField()


def _action(action: Action) -> Response:
    return Response(ActionOutput(domain.notice_body(action)).data)


class ReportCreateApi(ApiView):
    @extend_schema(
        operation_id="moderation_report",
        request=ReportInput,
        responses={201: ReportOutput, 200: ReportOutput, **error_responses(400, 422, 401, 404)},
        description="Reports one message, post or member of your neighbourhood. Reporting it again returns your "
        "first report (200) and counts once; enough distinct reports hide it until a moderator reviews it.",
    )
    def post(self, request):
        data = ReportInput(data=request.data)
        data.is_valid(raise_exception=True)
        report, created = services.report_create(reporter=request.user, **data.validated_data)
        return Response(ReportOutput(domain.report_body(report)).data,
                        status=status.HTTP_201_CREATED if created else status.HTTP_200_OK)


class ReportQueueApi(ApiView):
    @extend_schema(
        operation_id="moderation_reports",
        responses={200: ReportOutput(many=True), **error_responses(401, 403)},
        description="The open reports of a neighbourhood, newest first: its moderators and staff.",
    )
    def get(self, request, neighbourhood_id: int):
        reports = selectors.report_queue(viewer=request.user, neighbourhood_id=neighbourhood_id)
        images = selectors.reported_images(reports)
        return Response(ReportOutput([domain.report_body(r, images[r.pk]) for r in reports], many=True).data)


class ReportDismissApi(ApiView):
    @extend_schema(operation_id="moderation_report_dismiss", request=ReasonInput,
                   responses={200: ActionOutput, **error_responses(400, 422, 401, 403, 404)},
                   description="Nothing wrong: its reports close and hidden content shows again.")
    def post(self, request, report_id: int):
        data = ReasonInput(data=request.data)
        data.is_valid(raise_exception=True)
        return _action(services.reports_dismiss(actor=request.user, report_id=report_id, **data.validated_data))


class LogQuery(QueryInput):
    kind = serializers.MultipleChoiceField(
        choices=selectors.LOG_KINDS, required=False, help_text="Keep these kinds only (repeat the parameter)."
    )
    before = serializers.DateTimeField(required=False, help_text="The `at` of the last entry seen: older ones.")
    limit = serializers.IntegerField(min_value=1, max_value=200, default=50)


class LogApi(ApiView):
    @extend_schema(
        operation_id="moderation_log",
        parameters=[LogQuery],
        responses={200: LogEntryOutput(many=True), **error_responses(400, 422, 401, 403)},
        description="The neighbourhood's one log, newest first: its trust decisions (applications, proofs, vouches, "
        "letter codes, verifications, revocations, reinstatements) and its moderation actions, with names and "
        "reasons. Its moderators and staff read it; new entries arrive live as trust.logged and moderation.logged.",
    )
    def get(self, request, neighbourhood_id: int):
        query = LogQuery(data=request.query_params)
        query.is_valid(raise_exception=True)
        entries = selectors.neighbourhood_log(
            viewer=request.user, neighbourhood_id=neighbourhood_id, kinds=sorted(query.validated_data.get("kind", [])),
            before=query.validated_data.get("before"), limit=query.validated_data["limit"],
        )
        return Response(LogEntryOutput(entries, many=True).data)


def _content_view(service, operation_id: str, description: str, key: str):
    class ContentActionApi(ApiView):
        @extend_schema(operation_id=operation_id, request=ReasonInput, description=description,
                       responses={200: ActionOutput, **error_responses(400, 422, 401, 403, 404, 409)})
        def post(self, request, **kwargs):
            data = ReasonInput(data=request.data)
            data.is_valid(raise_exception=True)
            return _action(service(actor=request.user, **{key: kwargs[key]}, **data.validated_data))

    ContentActionApi.__name__ = operation_id.title().replace("_", "") + "Api"
    return ContentActionApi


MessageRemoveApi = _content_view(services.message_remove, "moderation_message_remove",
                                 "Removes a message: gone for residents, live; its text is kept for the log.", "message_id")
MessageRestoreApi = _content_view(services.message_restore, "moderation_message_restore",
                                  "Puts back a removed message, or shows one that reports hid.", "message_id")
PostRemoveApi = _content_view(services.post_remove, "moderation_post_remove",
                              "Removes a post and its cards: out of the rooms, the feed and the map.", "post_id")
PostRestoreApi = _content_view(services.post_restore, "moderation_post_restore", "Puts back a removed post.", "post_id")


class MemberMuteInput(ReasonInput):
    minutes = serializers.IntegerField(
        min_value=domain.MUTE_MINUTES_MIN, max_value=domain.MUTE_MINUTES_MAX, help_text="From 5 minutes to 90 days."
    )


class MemberMuteApi(ApiView):
    @extend_schema(operation_id="moderation_member_mute", request=MemberMuteInput,
                   responses={200: ActionOutput, **error_responses(400, 422, 401, 403)},
                   description="Her sends in the neighbourhood's rooms are refused (muted) until the end.")
    def post(self, request, neighbourhood_id: int, user_id: int):
        data = MemberMuteInput(data=request.data)
        data.is_valid(raise_exception=True)
        return _action(services.member_mute(actor=request.user, user_id=user_id, neighbourhood_id=neighbourhood_id,
                                            **data.validated_data))


class MemberBanApi(ApiView):
    @extend_schema(operation_id="moderation_member_ban", request=RevokeInput,
                   responses={200: ActionOutput, **error_responses(400, 422, 401, 403)},
                   description="Revokes her membership: her sockets leave the neighbourhood's rooms at once, and "
                   "she cannot come back by vouches or a letter code, only by an appeal or `trust_reinstate`. "
                   "With `chain`, the members whose only way in was her vouch go back to pending "
                   "(`trust_membership` shows that chain before you decide).")
    def post(self, request, neighbourhood_id: int, user_id: int):
        data = RevokeInput(data=request.data)
        data.is_valid(raise_exception=True)
        return _action(services.member_ban(actor=request.user, user_id=user_id, neighbourhood_id=neighbourhood_id,
                                           **data.validated_data))


class MyDecisionOutput(ActionOutput):
    appealed = serializers.BooleanField()


class MyDecisionsApi(ApiView):
    @extend_schema(operation_id="moderation_my_decisions", responses={200: MyDecisionOutput(many=True), **error_responses(401)},
                   description="What moderators decided about you, and whether you appealed (once per decision).")
    def get(self, request):
        actions = selectors.actions_about(user=request.user)
        body = [{**domain.notice_body(a), "appealed": hasattr(a, "appeal_made")} for a in actions]
        return Response(MyDecisionOutput(body, many=True).data)


class AppealInput(JsonInput):
    text = serializers.CharField(max_length=2000)


class AppealOutput(serializers.Serializer):
    id = serializers.IntegerField()
    action_id = serializers.IntegerField()
    text = serializers.CharField()
    status = serializers.CharField()
    created_at = serializers.DateTimeField()


class AppealCreateApi(ApiView):
    @extend_schema(operation_id="moderation_appeal", request=AppealInput,
                   responses={201: AppealOutput, **error_responses(400, 422, 401, 404, 409)},
                   description="Contests a decision about you, once; another moderator or staff decides.")
    def post(self, request, action_id: int):
        data = AppealInput(data=request.data)
        data.is_valid(raise_exception=True)
        appeal = services.appeal_create(appellant=request.user, action_id=action_id, **data.validated_data)
        return Response(AppealOutput(appeal).data, status=status.HTTP_201_CREATED)


class AppealDecisionInput(ReasonInput):
    grant = serializers.BooleanField()


class AppealDecideApi(ApiView):
    @extend_schema(operation_id="moderation_appeal_decide", request=AppealDecisionInput,
                   responses={200: ActionOutput, **error_responses(400, 422, 401, 403, 404, 409)},
                   description="Another moderator of the neighbourhood, or staff: granting undoes the decision.")
    def post(self, request, appeal_id: int):
        data = AppealDecisionInput(data=request.data)
        data.is_valid(raise_exception=True)
        return _action(services.appeal_decide(actor=request.user, appeal_id=appeal_id, **data.validated_data))


class AppealQueueApi(ApiView):
    @extend_schema(operation_id="moderation_appeals", responses={200: AppealOutput(many=True), **error_responses(401, 403)})
    def get(self, request, neighbourhood_id: int):
        appeals = selectors.open_appeals(viewer=request.user, neighbourhood_id=neighbourhood_id)
        return Response(AppealOutput(appeals, many=True).data)
