"""REST of cities: the organisations' console (/organisations/<id>/…, agents only) and
the residents' side (announcements, alerts, consultations, civic reports)."""

import csv
import io
from typing import Any

from django.http import HttpResponse
from django.utils import timezone, translation
from drf_spectacular.utils import OpenApiResponse, extend_schema
from rest_framework import serializers, status
from rest_framework.negotiation import DefaultContentNegotiation
from rest_framework.response import Response

from backend.cities import domain, frames, selectors, services
from backend.cities.models import Agent, Announcement, AreaAlert, Consultation, Organisation
from backend.common.api import ApiView, JsonInput, QueryInput, error_responses
from backend.common.errors import VoisinsError
from backend.feed import domain as feed_domain
from backend.photos.api import ImageOutput

CLIENT_ID = dict(regex=r"^[A-Za-z0-9_.:-]+$", max_length=64)


# Shapes (frontend-contract/websocket/city.json describes the same objects)


class CityOrganisationOutput(serializers.Serializer):
    id = serializers.IntegerField()
    name = serializers.CharField()
    kind = serializers.ChoiceField(choices=Organisation.Kind.choices)


class CityNamesOutput(serializers.Serializer):
    en = serializers.CharField()
    fr = serializers.CharField()


class CityCategoryOutput(serializers.Serializer):
    key = serializers.CharField(help_text="roadway, lighting, cleanliness, graffiti, green_spaces, other, or c<id> "
                                "for an organisation's own category.")
    name = CityNamesOutput()


class CityPlaceOutput(serializers.Serializer):
    id = serializers.IntegerField()
    name = serializers.CharField()


class CityHistoryOutput(serializers.Serializer):
    status = serializers.ChoiceField(choices=domain.STATUSES)
    previous = serializers.ChoiceField(choices=domain.STATUSES, allow_null=True)
    reason = serializers.CharField(allow_blank=True)
    by = serializers.ChoiceField(choices=["organisation", "reporter"])
    at = serializers.DateTimeField()


class CityAgentHistoryOutput(CityHistoryOutput):
    actor = serializers.CharField(allow_null=True, help_text="The agent who changed it; null for the reporter.")


class CityReportOutput(serializers.Serializer):
    """A civic report as residents see it: never who reported or supported it."""

    id = serializers.IntegerField()
    neighbourhood = CityPlaceOutput()
    organisation = CityOrganisationOutput(allow_null=True, help_text="Null: no organisation handles its position yet.")
    category = CityCategoryOutput()
    description = serializers.CharField()
    latitude = serializers.FloatField(help_text="Where the problem is, as the reporter placed it.")
    longitude = serializers.FloatField()
    status = serializers.ChoiceField(choices=domain.STATUSES)
    reason = serializers.CharField(allow_blank=True, help_text="Why it was rejected or is a duplicate.")
    duplicate_of = serializers.IntegerField(allow_null=True)
    supporters = serializers.IntegerField(help_text="Neighbours who said “me too”.")
    images = ImageOutput(many=True)
    created_at = serializers.DateTimeField()
    status_changed_at = serializers.DateTimeField()
    reopenable_until = serializers.DateTimeField(allow_null=True, help_text="Resolved: until when its reporter may reopen it.")
    history = CityHistoryOutput(many=True)


class CityMyReportOutput(CityReportOutput):
    mine = serializers.BooleanField(help_text="You reported it.")
    supported = serializers.BooleanField(help_text="You support it.")


class CityAgentRefOutput(serializers.Serializer):
    agent_id = serializers.IntegerField()
    display_name = serializers.CharField()


class CityReporterOutput(serializers.Serializer):
    display_name = serializers.CharField()


class CityNoteOutput(serializers.Serializer):
    id = serializers.IntegerField()
    author = serializers.CharField()
    text = serializers.CharField()
    at = serializers.DateTimeField()


class CityAgentReportOutput(CityReportOutput):
    """A report as its organisation sees it."""

    history = CityAgentHistoryOutput(many=True)
    reporter = CityReporterOutput(allow_null=True, help_text="Only if she agreed to show her name; else null.")
    reporter_label = serializers.CharField(help_text="Her name, or “a resident of <neighbourhood>”, in your language.")
    assignee = CityAgentRefOutput(allow_null=True)
    acknowledged_at = serializers.DateTimeField(allow_null=True)
    resolved_at = serializers.DateTimeField(allow_null=True)


class CityAgentReportDetailOutput(CityAgentReportOutput):
    notes = CityNoteOutput(many=True, help_text="Internal: residents never see them.")


class CityAlertOutput(serializers.Serializer):
    id = serializers.IntegerField()
    organisation = CityOrganisationOutput()
    neighbourhood_ids = serializers.ListField(child=serializers.IntegerField())
    title = serializers.CharField()
    text = serializers.CharField(allow_blank=True)
    created_at = serializers.DateTimeField()
    expires_at = serializers.DateTimeField()


class CityCardRefOutput(serializers.Serializer):
    neighbourhood_id = serializers.IntegerField()
    room_id = serializers.IntegerField(allow_null=True)
    message_id = serializers.IntegerField(allow_null=True, help_text="The card message in its default room.")


class CityAnnouncementOutput(serializers.Serializer):
    id = serializers.IntegerField()
    organisation = CityOrganisationOutput()
    title = serializers.CharField()
    text = serializers.CharField(allow_blank=True)
    images = ImageOutput(many=True)
    created_at = serializers.DateTimeField()
    cards = CityCardRefOutput(many=True)


class CityChoiceCountOutput(serializers.Serializer):
    label = serializers.CharField()
    count = serializers.IntegerField()


class CityResultsOutput(serializers.Serializer):
    answers = serializers.IntegerField()
    choices = CityChoiceCountOutput(many=True)
    free_answers = serializers.ListField(child=serializers.CharField(), allow_null=True,
                                         help_text="Free answers without names, sorted; the organisation only.")


class CityAnswerOutput(serializers.Serializer):
    choice = serializers.IntegerField(allow_null=True)
    text = serializers.CharField(allow_blank=True)


class CityConsultationOutput(serializers.Serializer):
    id = serializers.IntegerField()
    organisation = CityOrganisationOutput()
    neighbourhood_ids = serializers.ListField(child=serializers.IntegerField())
    question = serializers.CharField()
    text = serializers.CharField(allow_blank=True)
    answer_kind = serializers.ChoiceField(choices=["choices", "free"])
    choices = serializers.ListField(child=serializers.CharField())
    closes_at = serializers.DateTimeField()
    created_at = serializers.DateTimeField()
    closed = serializers.BooleanField()
    results = CityResultsOutput(allow_null=True, help_text="Residents: once closed. The organisation: always.")


class CityResidentConsultationOutput(CityConsultationOutput):
    my_answer = CityAnswerOutput(allow_null=True)


def _organisation(item) -> dict[str, Any]:
    return frames.organisation_body(item.organisation)


def _alert(alert: AreaAlert) -> dict[str, Any]:
    return CityAlertOutput(frames.alert_body(alert, [n.pk for n in alert.neighbourhoods.all()])).data


def _announcements(announcements: list[Announcement]) -> list[dict[str, Any]]:
    images = selectors.announcement_images([a.pk for a in announcements])
    return CityAnnouncementOutput([
        {
            "id": a.pk, "organisation": _organisation(a), "title": a.title, "text": a.text, "images": images[a.pk],
            "created_at": a.created_at,
            "cards": [{"neighbourhood_id": c.neighbourhood_id, "room_id": c.room_id, "message_id": c.message_id}
                      for c in a.cards.all()],
        }
        for a in announcements
    ], many=True).data


def _consultation(consultation: Consultation, *, for_organisation: bool, answer=None) -> dict[str, Any]:
    closed = timezone.now() >= consultation.closes_at
    body = {
        "id": consultation.pk, "organisation": _organisation(consultation),
        "neighbourhood_ids": sorted(c.neighbourhood_id for c in consultation.cards.all()),
        "question": consultation.question, "text": consultation.text, "answer_kind": consultation.answer_kind,
        "choices": consultation.choices, "closes_at": consultation.closes_at, "created_at": consultation.created_at,
        "closed": closed,
        "results": (selectors.consultation_results(consultation=consultation, for_organisation=for_organisation)
                    if for_organisation or closed else None),
    }
    if for_organisation:
        return CityConsultationOutput(body).data
    body["my_answer"] = {"choice": answer.choice, "text": answer.text} if answer else None
    return CityResidentConsultationOutput(body).data


def _bbox(raw: str | None):
    if not raw:
        return None
    try:
        return feed_domain.bbox_parse(raw)
    except feed_domain.DetailsError as exc:
        raise VoisinsError(exc.code, field=exc.field, detail=exc.detail) from exc


def _my_reports(user, reports) -> list[dict[str, Any]]:
    supported = selectors.supported_ids(user=user, report_ids=[r.pk for r in reports])
    bodies = selectors.report_bodies(reports)
    for report, body in zip(reports, bodies):
        body.update(mine=report.reporter_id == user.pk, supported=report.pk in supported)
    return CityMyReportOutput(bodies, many=True).data


def _agent_reports(reports, *, with_notes: bool = False) -> list[dict[str, Any]]:
    bodies = selectors.report_bodies(reports, for_agents=True, with_notes=with_notes,
                                     language=translation.get_language() or "en")
    serializer = CityAgentReportDetailOutput if with_notes else CityAgentReportOutput
    return serializer(bodies, many=True).data


# The organisations' console


class AgentView(ApiView):
    """Every request asks again whether she acts for the organisation: an agent removed
    while her console is open is refused from her next action."""

    @staticmethod
    def agent(request, organisation_id: int, *, admin: bool = False) -> Agent:
        return selectors.agent_for(user=request.user, organisation_id=organisation_id, admin=admin)


class CityResidenceOutput(serializers.Serializer):
    id = serializers.IntegerField()
    name = serializers.CharField()
    neighbourhood_id = serializers.IntegerField()


class CityOrganisationDetailOutput(CityOrganisationOutput):
    verified = serializers.BooleanField()
    role = serializers.ChoiceField(choices=Agent.Role.values, help_text="Yours.")
    alerts_per_day = serializers.IntegerField()
    alerts_left = serializers.IntegerField(help_text="Alerts it may still send in the current 24 hours.")
    neighbourhoods = CityPlaceOutput(many=True, help_text="Its area: where it publishes.")
    residences = CityResidenceOutput(many=True, help_text="Housing operators: reports positioned inside come to it.")
    categories = CityCategoryOutput(many=True, help_text="Its own report categories, besides the standard ones.")


def _organisation_detail(agent: Agent) -> dict[str, Any]:
    organisation, now = agent.organisation, timezone.now()
    sent = selectors.alerts_sent_since(organisation_id=organisation.pk, since=now - domain.ALERT_WINDOW)
    return CityOrganisationDetailOutput({
        **frames.organisation_body(organisation),
        "verified": organisation.verified_at is not None, "role": agent.role,
        "alerts_per_day": organisation.alerts_per_day, "alerts_left": max(0, organisation.alerts_per_day - len(sent)),
        "neighbourhoods": [{"id": n.pk, "name": n.name} for n in selectors.area_neighbourhoods(organisation=organisation)],
        "residences": [{"id": r.pk, "name": r.name, "neighbourhood_id": r.neighbourhood_id}
                       for r in organisation.residences.order_by("name", "pk")],
        "categories": [frames.category_body(c.key, {c.key: c.name})
                       for c in selectors.categories_of(organisation_ids=[organisation.pk])],
    }).data


class OrganisationListApi(ApiView):
    @extend_schema(operation_id="cities_organisations", responses={200: CityOrganisationDetailOutput(many=True),
                                                                    **error_responses(401)},
                   description="The organisations you act for, with your role (empty for residents).")
    def get(self, request):
        return Response([_organisation_detail(agent) for agent in selectors.agencies_of(user=request.user)])


class OrganisationDetailApi(AgentView):
    @extend_schema(operation_id="cities_organisation",
                   responses={200: CityOrganisationDetailOutput, **error_responses(401, 403)})
    def get(self, request, organisation_id: int):
        return Response(_organisation_detail(self.agent(request, organisation_id)))


class CityAgentOutput(serializers.Serializer):
    id = serializers.IntegerField(help_text="The agent id (not a user id).")
    display_name = serializers.CharField()
    email = serializers.EmailField(allow_null=True, help_text="For the organisation's administrators; null for "
                                   "other agents, who see colleagues by name only.")
    role = serializers.ChoiceField(choices=Agent.Role.values)
    added_at = serializers.DateTimeField()


def _agent_body(agent: Agent, *, with_email: bool = True) -> dict[str, Any]:
    return CityAgentOutput({"id": agent.pk, "display_name": agent.user.display_name,
                            "email": agent.user.email if with_email else None,
                            "role": agent.role, "added_at": agent.added_at}).data


class CityAgentAddInput(JsonInput):
    email = serializers.EmailField(help_text="Of an existing Voisins account.")
    role = serializers.ChoiceField(choices=Agent.Role.values)


class CityAgentRoleInput(JsonInput):
    role = serializers.ChoiceField(choices=Agent.Role.values)


class AgentListApi(AgentView):
    @extend_schema(operation_id="cities_agents", responses={200: CityAgentOutput(many=True), **error_responses(401, 403)},
                   description="The organisation's agents: whom a report can be assigned to (any agent); "
                   "administrators manage them.")
    def get(self, request, organisation_id: int):
        agent = self.agent(request, organisation_id)
        admin = agent.role == Agent.Role.ADMIN
        return Response([_agent_body(colleague, with_email=admin)
                         for colleague in selectors.agents_of(organisation=agent.organisation)])

    @extend_schema(operation_id="cities_agent_add", request=CityAgentAddInput,
                   responses={201: CityAgentOutput, **error_responses(400, 422, 401, 403, 404, 409)},
                   description="Administrators: someone with a Voisins account acts for the organisation from now "
                   "on. It gives her no access to any room, member list or address.")
    def post(self, request, organisation_id: int):
        admin = self.agent(request, organisation_id, admin=True)
        data = CityAgentAddInput(data=request.data)
        data.is_valid(raise_exception=True)
        agent = services.agent_add(organisation=admin.organisation, actor=request.user, **data.validated_data)
        return Response(_agent_body(agent), status=status.HTTP_201_CREATED)


class AgentDetailApi(AgentView):
    @extend_schema(operation_id="cities_agent_role", request=CityAgentRoleInput,
                   responses={200: CityAgentOutput, **error_responses(400, 422, 401, 403, 404, 409)},
                   description="Administrators: changes an agent's role; the last administrator stays one.")
    def patch(self, request, organisation_id: int, agent_id: int):
        admin = self.agent(request, organisation_id, admin=True)
        data = CityAgentRoleInput(data=request.data)
        data.is_valid(raise_exception=True)
        return Response(_agent_body(services.agent_role_set(admin=admin, agent_id=agent_id, **data.validated_data)))

    @extend_schema(operation_id="cities_agent_remove", responses={204: None, **error_responses(401, 403, 404, 409)},
                   description="Administrators: she stops acting for the organisation at once (her next request "
                   "answers not_agent, her sockets get city.agent.removed); her reports go back to nobody.")
    def delete(self, request, organisation_id: int, agent_id: int):
        admin = self.agent(request, organisation_id, admin=True)
        services.agent_remove(admin=admin, agent_id=agent_id)
        return Response(status=status.HTTP_204_NO_CONTENT)


class CityCategoryInput(JsonInput):
    name = serializers.CharField(max_length=60)


class CategoryCreateApi(AgentView):
    @extend_schema(operation_id="cities_category_create", request=CityCategoryInput,
                   responses={201: CityCategoryOutput, **error_responses(400, 422, 401, 403)},
                   description="Administrators: a report category of the organisation's own (key c<id>), offered "
                   "to residents reporting where it handles reports.")
    def post(self, request, organisation_id: int):
        admin = self.agent(request, organisation_id, admin=True)
        data = CityCategoryInput(data=request.data)
        data.is_valid(raise_exception=True)
        category = services.category_create(admin=admin, name=data.validated_data["name"])
        return Response(CityCategoryOutput(frames.category_body(category.key, {category.key: category.name})).data,
                        status=status.HTTP_201_CREATED)


class CityPageQuery(QueryInput):
    before = serializers.IntegerField(min_value=1, required=False, help_text="An id: older ones only.")


class CityAnnouncementInput(JsonInput):
    client_id = serializers.RegexField(help_text="Your id for it: sending it again returns the first one.", **CLIENT_ID)
    title = serializers.CharField(max_length=domain.TITLE_MAX)
    text = serializers.CharField(max_length=domain.TEXT_MAX, required=False, allow_blank=True, default="")
    neighbourhood_ids = serializers.ListField(child=serializers.IntegerField(min_value=1), required=False,
                                              max_length=200, help_text="Of its area; all of it if absent.")
    image_ids = serializers.ListField(child=serializers.IntegerField(min_value=1), required=False, max_length=50,
                                      help_text="Photos you uploaded (photos_upload), at most 6, in order.")


class OrganisationAnnouncementsApi(AgentView):
    @extend_schema(operation_id="cities_organisation_announcements", parameters=[CityPageQuery],
                   responses={200: CityAnnouncementOutput(many=True), **error_responses(401, 403)},
                   description="Its announcements, newest first, 20 a page.")
    def get(self, request, organisation_id: int):
        agent = self.agent(request, organisation_id)
        query = CityPageQuery(data=request.query_params)
        query.is_valid(raise_exception=True)
        return Response(_announcements(selectors.organisation_announcements(
            organisation_id=agent.organisation_id, before=query.validated_data.get("before"))))

    @extend_schema(operation_id="cities_announcement_publish", request=CityAnnouncementInput,
                   responses={201: CityAnnouncementOutput, 200: CityAnnouncementOutput,
                              **error_responses(400, 422, 401, 403, 404, 409)},
                   description="An official card (card kind `announcement`, written by the organisation) in the "
                   "default room of each neighbourhood, live and pushed like any card. 200 with the first one when "
                   "the client id was already used.")
    def post(self, request, organisation_id: int):
        agent = self.agent(request, organisation_id)
        data = CityAnnouncementInput(data=request.data)
        data.is_valid(raise_exception=True)
        result = services.announcement_publish(agent=agent, **data.validated_data)
        announcement = selectors.announcement_with_cards(announcement_id=result.item.pk)
        return Response(_announcements([announcement])[0],
                        status=status.HTTP_201_CREATED if result.created else status.HTTP_200_OK)


class CityReplyOutput(serializers.Serializer):
    id = serializers.IntegerField(help_text="The message id.")
    reply_to = serializers.IntegerField(allow_null=True)
    from_organisation = serializers.BooleanField()
    author = serializers.CharField(help_text="The resident's display name, or the organisation's name.")
    text = serializers.CharField()
    created_at = serializers.DateTimeField()


class CityReactionCountOutput(serializers.Serializer):
    emoji = serializers.CharField()
    count = serializers.IntegerField()


class CityThreadCardOutput(serializers.Serializer):
    neighbourhood = CityPlaceOutput()
    room_id = serializers.IntegerField(allow_null=True)
    message_id = serializers.IntegerField(allow_null=True)
    reactions = CityReactionCountOutput(many=True)
    replies = CityReplyOutput(many=True)


class AnnouncementThreadApi(AgentView):
    @extend_schema(operation_id="cities_announcement_thread",
                   responses={200: CityThreadCardOutput(many=True), **error_responses(401, 403, 404)},
                   description="Per neighbourhood: the reactions to its card, the replies to it and the replies "
                   "to those, oldest first; nothing removed or hidden by moderators. Nothing else of the room.")
    def get(self, request, organisation_id: int, announcement_id: int):
        agent = self.agent(request, organisation_id)
        announcement = selectors.announcement_of(agent=agent, announcement_id=announcement_id)
        return Response(CityThreadCardOutput(selectors.thread(announcement=announcement), many=True).data)


class CityReplyInput(JsonInput):
    client_id = serializers.RegexField(help_text="Your id for it: sending it again returns the first one.", **CLIENT_ID)
    reply_to = serializers.IntegerField(min_value=1, help_text="The card, or a reply under it (a message id).")
    text = serializers.CharField(max_length=domain.TEXT_MAX)


class CityReplyIdOutput(serializers.Serializer):
    message_id = serializers.IntegerField()


class AnnouncementReplyApi(AgentView):
    @extend_schema(operation_id="cities_announcement_reply", request=CityReplyInput,
                   responses={201: CityReplyIdOutput, **error_responses(400, 422, 401, 403, 404)},
                   description="The organisation answers in the thread: a message written by the organisation in "
                   "that room, replying to the card or to a resident's reply.")
    def post(self, request, organisation_id: int, announcement_id: int):
        agent = self.agent(request, organisation_id)
        data = CityReplyInput(data=request.data)
        data.is_valid(raise_exception=True)
        message_id = services.announcement_reply(agent=agent, announcement_id=announcement_id, **data.validated_data)
        return Response({"message_id": message_id}, status=status.HTTP_201_CREATED)


class CityAlertInput(JsonInput):
    client_id = serializers.RegexField(help_text="Your id for it: sending it again returns the first one.", **CLIENT_ID)
    title = serializers.CharField(max_length=domain.TITLE_MAX)
    text = serializers.CharField(max_length=1000, required=False, allow_blank=True, default="")
    expires_at = serializers.DateTimeField(help_text="At most 72 hours ahead.")
    neighbourhood_ids = serializers.ListField(child=serializers.IntegerField(min_value=1), required=False,
                                              max_length=200, help_text="Of its area; all of it if absent.")


class OrganisationAlertsApi(AgentView):
    @extend_schema(operation_id="cities_organisation_alerts",
                   responses={200: CityAlertOutput(many=True), **error_responses(401, 403)},
                   description="Its latest alerts, newest first.")
    def get(self, request, organisation_id: int):
        agent = self.agent(request, organisation_id)
        return Response([_alert(a) for a in selectors.organisation_alerts(organisation_id=agent.organisation_id)])

    @extend_schema(operation_id="cities_alert_publish", request=CityAlertInput,
                   responses={201: CityAlertOutput, 200: CityAlertOutput, **error_responses(400, 422, 401, 403, 429)},
                   description="An urgent message to every verified resident of the neighbourhoods: `city.alert` "
                   "to their sockets, an urgent push (through quiet hours and mutes), pinned in cities_alerts until "
                   "it expires. At most `alerts_per_day` per organisation per 24 hours (alert_limit_reached, 429, "
                   "with `limit` and `retry_after`). 200 with the first one when the client id was already used.")
    def post(self, request, organisation_id: int):
        agent = self.agent(request, organisation_id)
        data = CityAlertInput(data=request.data)
        data.is_valid(raise_exception=True)
        result = services.alert_publish(agent=agent, **data.validated_data)
        return Response(_alert(result.item), status=status.HTTP_201_CREATED if result.created else status.HTTP_200_OK)


class CityConsultationInput(JsonInput):
    client_id = serializers.RegexField(help_text="Your id for it: sending it again returns the first one.", **CLIENT_ID)
    question = serializers.CharField(max_length=domain.TITLE_MAX)
    text = serializers.CharField(max_length=domain.TEXT_MAX, required=False, allow_blank=True, default="")
    answer_kind = serializers.ChoiceField(choices=["choices", "free"])
    choices = serializers.ListField(child=serializers.CharField(max_length=domain.CHOICE_MAX), required=False,
                                    max_length=50, help_text="2 to 10 distinct choices; none for a free question.")
    closes_at = serializers.DateTimeField(help_text="At most 90 days ahead.")
    neighbourhood_ids = serializers.ListField(child=serializers.IntegerField(min_value=1), required=False,
                                              max_length=200, help_text="Of its area; all of it if absent.")


class OrganisationConsultationsApi(AgentView):
    @extend_schema(operation_id="cities_organisation_consultations",
                   responses={200: CityConsultationOutput(many=True), **error_responses(401, 403)},
                   description="Its consultations, newest first, with their aggregates.")
    def get(self, request, organisation_id: int):
        agent = self.agent(request, organisation_id)
        return Response([_consultation(c, for_organisation=True)
                         for c in selectors.organisation_consultations(organisation_id=agent.organisation_id)])

    @extend_schema(operation_id="cities_consultation_create", request=CityConsultationInput,
                   responses={201: CityConsultationOutput, 200: CityConsultationOutput, **error_responses(400, 422, 401, 403)},
                   description="A question (with choices, or a short free answer) to the residents of the "
                   "neighbourhoods, as a card (kind `consultation`) in each default room, open until `closes_at`.")
    def post(self, request, organisation_id: int):
        agent = self.agent(request, organisation_id)
        data = CityConsultationInput(data=request.data)
        data.is_valid(raise_exception=True)
        result = services.consultation_create(agent=agent, **data.validated_data)
        return Response(_consultation(result.item, for_organisation=True),
                        status=status.HTTP_201_CREATED if result.created else status.HTTP_200_OK)


class OrganisationConsultationApi(AgentView):
    @extend_schema(operation_id="cities_organisation_consultation",
                   responses={200: CityConsultationOutput, **error_responses(401, 403, 404)},
                   description="Aggregates only: a count per choice, free answers without names.")
    def get(self, request, organisation_id: int, consultation_id: int):
        agent = self.agent(request, organisation_id)
        consultation = selectors.consultation_of(agent=agent, consultation_id=consultation_id)
        return Response(_consultation(consultation, for_organisation=True))


class CityQueueQuery(QueryInput):
    status = serializers.MultipleChoiceField(choices=domain.STATUSES, required=False)
    category = serializers.ListField(child=serializers.CharField(max_length=40), required=False)
    neighbourhood_id = serializers.ListField(child=serializers.IntegerField(min_value=1), required=False)
    assignee = serializers.RegexField(r"^(me|none|[1-9][0-9]{0,9})$", required=False,
                                      help_text="me, none, or an agent id.")
    bbox = serializers.CharField(required=False, allow_blank=True,
                                 help_text="west,south,east,north, at most 0.5 degree a side: the map; empty: anywhere.")
    before = serializers.IntegerField(min_value=1, required=False, help_text="A report id: older ones only.")
    limit = serializers.IntegerField(min_value=1, max_value=200, default=50)


class QueueApi(AgentView):
    @extend_schema(operation_id="cities_queue", parameters=[CityQueueQuery],
                   responses={200: CityAgentReportOutput(many=True), **error_responses(400, 422, 401, 403)},
                   description="The organisation's reports, newest first, filtered by status, category and "
                   "neighbourhood (repeat a parameter for several), assignee and map box.")
    def get(self, request, organisation_id: int):
        agent = self.agent(request, organisation_id)
        query = CityQueueQuery(data=request.query_params)
        query.is_valid(raise_exception=True)
        data = query.validated_data
        reports = selectors.report_queue(
            organisation_id=agent.organisation_id, statuses=sorted(data.get("status", [])),
            categories=data.get("category"), neighbourhood_ids=data.get("neighbourhood_id"),
            assignee=data.get("assignee"), agent=agent, bbox=_bbox(data.get("bbox")), before=data.get("before"),
            limit=data["limit"],
        )
        return Response(_agent_reports(reports))


class QueueReportApi(AgentView):
    @extend_schema(operation_id="cities_queue_report",
                   responses={200: CityAgentReportDetailOutput, **error_responses(401, 403, 404)},
                   description="One of its reports, with its internal notes and who changed what.")
    def get(self, request, organisation_id: int, report_id: int):
        agent = self.agent(request, organisation_id)
        return Response(_agent_reports([selectors.report_for_agent(agent=agent, report_id=report_id)], with_notes=True)[0])


def _queue_report(agent: Agent, report_id: int) -> Response:
    return Response(_agent_reports([selectors.report_for_agent(agent=agent, report_id=report_id)], with_notes=True)[0])


class CityStatusInput(JsonInput):
    status = serializers.ChoiceField(choices=["acknowledged", "in_progress", "resolved", "rejected", "duplicate"])
    reason = serializers.CharField(max_length=2000, required=False, allow_blank=True, default="",
                                   help_text="Required for rejected and duplicate; told to the residents.")
    duplicate_of = serializers.IntegerField(min_value=1, required=False, allow_null=True,
                                            help_text="For duplicate: the original, another report of yours.")


class ReportStatusApi(AgentView):
    @extend_schema(operation_id="cities_report_status", request=CityStatusInput,
                   responses={200: CityAgentReportDetailOutput, **error_responses(400, 422, 401, 403, 404, 409)},
                   description="received → acknowledged → in_progress → resolved (acknowledged → resolved too), or "
                   "rejected / duplicate with a reason. Anything else answers invalid_report_transition with "
                   "`current` and `target`. The reporter and supporters are told live (city.report.updated) and by "
                   "push, in their language.")
    def post(self, request, organisation_id: int, report_id: int):
        agent = self.agent(request, organisation_id)
        data = CityStatusInput(data=request.data)
        data.is_valid(raise_exception=True)
        services.report_status_set(agent=agent, report_id=report_id, **data.validated_data)
        return _queue_report(agent, report_id)


class CityAssignInput(JsonInput):
    agent_id = serializers.IntegerField(min_value=1, allow_null=True, help_text="An agent of the organisation, or null.")


class ReportAssignApi(AgentView):
    @extend_schema(operation_id="cities_report_assign", request=CityAssignInput,
                   responses={200: CityAgentReportDetailOutput, **error_responses(400, 422, 401, 403, 404)})
    def post(self, request, organisation_id: int, report_id: int):
        agent = self.agent(request, organisation_id)
        data = CityAssignInput(data=request.data)
        data.is_valid(raise_exception=True)
        services.report_assign(agent=agent, report_id=report_id, agent_id=data.validated_data["agent_id"])
        return _queue_report(agent, report_id)


class CityNoteInput(JsonInput):
    text = serializers.CharField(max_length=domain.NOTE_MAX)


class ReportNoteApi(AgentView):
    @extend_schema(operation_id="cities_report_note", request=CityNoteInput,
                   responses={201: CityAgentReportDetailOutput, **error_responses(400, 422, 401, 403, 404)},
                   description="An internal note: the organisation's agents read it, residents never.")
    def post(self, request, organisation_id: int, report_id: int):
        agent = self.agent(request, organisation_id)
        data = CityNoteInput(data=request.data)
        data.is_valid(raise_exception=True)
        services.report_note_add(agent=agent, report_id=report_id, text=data.validated_data["text"])
        response = _queue_report(agent, report_id)
        response.status_code = status.HTTP_201_CREATED
        return response


class CityFiguresBlockOutput(serializers.Serializer):
    total = serializers.IntegerField()
    by_status = serializers.DictField(child=serializers.IntegerField(), help_text="Every status, with its count.")
    by_category = serializers.ListField(child=serializers.DictField(), help_text="{category, by_status} per category key.")
    median_seconds_to_acknowledge = serializers.IntegerField(allow_null=True)
    median_seconds_to_resolve = serializers.IntegerField(allow_null=True)


class CityNeighbourhoodFiguresOutput(CityFiguresBlockOutput):
    neighbourhood_id = serializers.IntegerField()


class CityFiguresOutput(CityFiguresBlockOutput):
    by_neighbourhood = CityNeighbourhoodFiguresOutput(many=True)


class FiguresApi(AgentView):
    @extend_schema(operation_id="cities_figures", responses={200: CityFiguresOutput, **error_responses(401, 403)},
                   description="Its reports by category and status, median times from report to acknowledgement "
                   "and to resolution, overall and per neighbourhood.")
    def get(self, request, organisation_id: int):
        agent = self.agent(request, organisation_id)
        return Response(CityFiguresOutput(domain.figures(selectors.figures_rows(organisation_id=agent.organisation_id))).data)


class AnyAccept(DefaultContentNegotiation):
    """The export answers CSV whatever Accept says; an error answers JSON."""

    def select_renderer(self, request, renderers, format_suffix=None):
        return renderers[0], renderers[0].media_type


class ExportApi(AgentView):
    content_negotiation_class = AnyAccept

    @extend_schema(operation_id="cities_export",
                   responses={(200, "text/csv"): OpenApiResponse(description="One line per report: " + ", ".join(
                       domain.CSV_COLUMNS) + ". No description, reporter, supporter or note; positions to 4 "
                       "decimals."), **error_responses(401, 403)},
                   description="Its reports as open data (CSV, UTF-8), without personal data.")
    def get(self, request, organisation_id: int):
        agent = self.agent(request, organisation_id)
        buffer = io.StringIO()
        writer = csv.writer(buffer)
        writer.writerow(domain.CSV_COLUMNS)
        for row in selectors.export_rows(organisation_id=agent.organisation_id):
            writer.writerow(domain.csv_row({**row, "neighbourhood": row["neighbourhood__name"]}))
        response = HttpResponse(buffer.getvalue(), content_type="text/csv; charset=utf-8")
        response["Content-Disposition"] = f'attachment; filename="reports-{agent.organisation.slug}.csv"'
        return response


# Residents


def _readable(request) -> list[int]:
    return selectors.readable_neighbourhood_ids(user=request.user)


class AnnouncementListApi(ApiView):
    @extend_schema(operation_id="cities_announcements", parameters=[CityPageQuery],
                   responses={200: CityAnnouncementOutput(many=True), **error_responses(401)},
                   description="Announcements of organisations to your neighbourhoods, newest first, 20 a page: "
                   "the feed shows them beside residents' posts (their cards are in your default room).")
    def get(self, request):
        query = CityPageQuery(data=request.query_params)
        query.is_valid(raise_exception=True)
        readable = _readable(request)
        announcements = selectors.announcements_for(neighbourhood_ids=readable, before=query.validated_data.get("before"))
        bodies = _announcements(announcements)
        for body in bodies:  # only the cards of her neighbourhoods
            body["cards"] = [card for card in body["cards"] if card["neighbourhood_id"] in readable]
        return Response(bodies)


class AlertListApi(ApiView):
    @extend_schema(operation_id="cities_alerts", responses={200: CityAlertOutput(many=True), **error_responses(401)},
                   description="Area alerts valid now in your neighbourhoods, newest first: show them pinned "
                   "until `expires_at`.")
    def get(self, request):
        return Response([_alert(a) for a in selectors.current_alerts(neighbourhood_ids=_readable(request),
                                                                     now=timezone.now())])


class ConsultationListApi(ApiView):
    @extend_schema(operation_id="cities_consultations",
                   responses={200: CityResidentConsultationOutput(many=True), **error_responses(401)},
                   description="Consultations of your neighbourhoods, newest first, with your answer; results once "
                   "closed (counts per choice; the number of free answers).")
    def get(self, request):
        consultations = selectors.consultations_for(neighbourhood_ids=_readable(request))
        answers = selectors.answers_of(user=request.user, consultation_ids=[c.pk for c in consultations])
        return Response([_consultation(c, for_organisation=False, answer=answers.get(c.pk)) for c in consultations])


class ConsultationDetailApi(ApiView):
    @extend_schema(operation_id="cities_consultation",
                   responses={200: CityResidentConsultationOutput, **error_responses(401, 404)})
    def get(self, request, consultation_id: int):
        consultation = selectors.consultation_for_resident(user=request.user, consultation_id=consultation_id)
        answer = selectors.answers_of(user=request.user, consultation_ids=[consultation.pk]).get(consultation.pk)
        return Response(_consultation(consultation, for_organisation=False, answer=answer))


class CityAnswerInput(JsonInput):
    choice = serializers.IntegerField(min_value=0, required=False, allow_null=True, default=None,
                                      help_text="The index of the choice.")
    text = serializers.CharField(max_length=domain.FREE_ANSWER_MAX, required=False, allow_blank=True, default="",
                                 help_text="A free question's answer.")


class ConsultationAnswerApi(ApiView):
    @extend_schema(operation_id="cities_consultation_answer", request=CityAnswerInput,
                   responses={201: CityResidentConsultationOutput, **error_responses(400, 422, 401, 403, 404, 409)},
                   description="Your one answer, while it is open, as a verified resident of one of its "
                   "neighbourhoods; a second answer is already_answered, after closes_at consultation_closed.")
    def post(self, request, consultation_id: int):
        data = CityAnswerInput(data=request.data)
        data.is_valid(raise_exception=True)
        answer = services.consultation_answer(user=request.user, consultation_id=consultation_id, **data.validated_data)
        consultation = selectors.consultation_for_resident(user=request.user, consultation_id=consultation_id)
        return Response(_consultation(consultation, for_organisation=False, answer=answer),
                        status=status.HTTP_201_CREATED)


class CityPositionQuery(QueryInput):
    latitude = serializers.FloatField(min_value=-90, max_value=90)
    longitude = serializers.FloatField(min_value=-180, max_value=180)


class CityCategoriesOutput(serializers.Serializer):
    organisation = CityOrganisationOutput(allow_null=True, help_text="Who a report of a standard category here goes to; "
                                      "null: nobody yet (it is kept).")
    categories = CityCategoryOutput(many=True, help_text="The standard ones, then the own ones of the organisations here.")


class ReportCategoriesApi(ApiView):
    @extend_schema(operation_id="cities_report_categories", parameters=[CityPositionQuery],
                   responses={200: CityCategoriesOutput, **error_responses(400, 422, 401, 403)},
                   description="Before reporting at a position of your neighbourhood: its categories and who "
                   "would receive the report.")
    def get(self, request):
        query = CityPositionQuery(data=request.query_params)
        query.is_valid(raise_exception=True)
        neighbourhood = selectors.report_neighbourhood(user=request.user, **query.validated_data)
        organisation, custom = selectors.categories_at(neighbourhood_id=neighbourhood.pk, **query.validated_data)
        categories = [frames.category_body(key) for key in domain.CATEGORIES]
        categories += [frames.category_body(c.key, {c.key: c.name}) for c in custom]
        return Response(CityCategoriesOutput({
            "organisation": frames.organisation_body(organisation) if organisation else None,
            "categories": categories,
        }).data)


class CityReportListQuery(QueryInput):
    neighbourhood_id = serializers.IntegerField(min_value=1, required=False, help_text="Yours by default.")
    status = serializers.MultipleChoiceField(choices=domain.STATUSES, required=False, help_text="Open ones by default.")
    category = serializers.ListField(child=serializers.CharField(max_length=40), required=False)
    bbox = serializers.CharField(required=False, allow_blank=True,
                                 help_text="west,south,east,north, at most 0.5 degree a side: the map; empty: anywhere.")
    before = serializers.IntegerField(min_value=1, required=False)
    limit = serializers.IntegerField(min_value=1, max_value=200, default=50)


class CityReportInput(JsonInput):
    client_id = serializers.RegexField(help_text="Your id for it: sending it again returns the first one.", **CLIENT_ID)
    category = serializers.CharField(max_length=40, help_text="A key of cities_report_categories at that position.")
    description = serializers.CharField(max_length=domain.DESCRIPTION_MAX)
    latitude = serializers.FloatField(help_text="Where the problem is, chosen on a map (not your address).")
    longitude = serializers.FloatField()
    show_name = serializers.BooleanField(default=False, help_text="Let the organisation see your name; else it sees "
                                         "“a resident of <neighbourhood>”.")
    image_ids = serializers.ListField(child=serializers.IntegerField(min_value=1), required=False, max_length=50,
                                      help_text="Photos you uploaded (photos_upload), at most 10, in order.")
    ignore_similar = serializers.BooleanField(default=False, help_text="Report even though similar_reports "
                                              "offered open reports of the same category nearby.")


class CityReportCreatedOutput(CityMyReportOutput):
    notice = serializers.CharField(allow_null=True, help_text="When no organisation handles the position yet: what "
                                   "to tell her, in her language.")


NO_ORGANISATION = {
    "en": "No organisation handles reports here yet: your report is kept, and your neighbours can see and support it.",
    "fr": "Aucune organisation ne traite encore les signalements ici : le vôtre est conservé, et vos voisins peuvent "
          "le voir et le soutenir.",
}


class ReportListApi(ApiView):
    @extend_schema(operation_id="cities_reports", parameters=[CityReportListQuery],
                   responses={200: CityMyReportOutput(many=True), **error_responses(400, 422, 401, 403)},
                   description="Reports of your neighbourhood for the list and the map, newest first: open ones by "
                   "default.")
    def get(self, request):
        query = CityReportListQuery(data=request.query_params)
        query.is_valid(raise_exception=True)
        data = query.validated_data
        readable = _readable(request)
        neighbourhood_id = data.get("neighbourhood_id", readable[0] if readable else None)
        if neighbourhood_id not in readable:
            raise VoisinsError("not_member")
        reports = selectors.neighbourhood_reports(
            neighbourhood_ids=[neighbourhood_id], statuses=sorted(data.get("status", [])),
            categories=data.get("category"), bbox=_bbox(data.get("bbox")), before=data.get("before"), limit=data["limit"],
        )
        return Response(_my_reports(request.user, reports))

    @extend_schema(operation_id="cities_report_create", request=CityReportInput,
                   responses={201: CityReportCreatedOutput, 200: CityReportCreatedOutput,
                              **error_responses(400, 422, 401, 403, 404, 409)},
                   description="Reports a problem in the public space of your neighbourhood. It goes to the "
                   "organisation handling the position (`organisation`), or is kept with none (`notice` says so). "
                   "Open reports of the same category within 150 m answer 409 similar_reports with `reports`: "
                   "support one (cities_report_support) or send again with ignore_similar. 200 with the first one "
                   "when the client id was already used.")
    def post(self, request):
        data = CityReportInput(data=request.data)
        data.is_valid(raise_exception=True)
        result = services.report_create(reporter=request.user, **data.validated_data)
        body = _my_reports(request.user, [selectors.report_with_counts(result.report.pk)])[0]
        language = translation.get_language() or "en"
        body["notice"] = None if result.report.organisation_id else NO_ORGANISATION["fr" if language == "fr" else "en"]
        return Response(CityReportCreatedOutput(body).data,
                        status=status.HTTP_201_CREATED if result.created else status.HTTP_200_OK)


class MyReportListApi(ApiView):
    @extend_schema(operation_id="cities_my_reports", responses={200: CityMyReportOutput(many=True), **error_responses(401)},
                   description="The reports you made or support, newest first: follow their status.")
    def get(self, request):
        return Response(_my_reports(request.user, selectors.my_reports(user=request.user)))


class CityNearbyQuery(CityPositionQuery):
    category = serializers.CharField(max_length=40)


class NearbyReportsApi(ApiView):
    @extend_schema(operation_id="cities_reports_nearby", parameters=[CityNearbyQuery],
                   responses={200: CityMyReportOutput(many=True), **error_responses(400, 422, 401, 403)},
                   description="Open reports of this category within 150 m of the position, nearest first: support "
                   "one instead of reporting the same problem again.")
    def get(self, request):
        query = CityNearbyQuery(data=request.query_params)
        query.is_valid(raise_exception=True)
        data = query.validated_data
        neighbourhood = selectors.report_neighbourhood(user=request.user, latitude=data["latitude"],
                                                       longitude=data["longitude"])
        return Response(_my_reports(request.user, selectors.reports_nearby(neighbourhood_id=neighbourhood.pk, **data)))


class ReportDetailApi(ApiView):
    @extend_schema(operation_id="cities_report", responses={200: CityMyReportOutput, **error_responses(401, 404)})
    def get(self, request, report_id: int):
        return Response(_my_reports(request.user, [selectors.report_for_resident(user=request.user,
                                                                                 report_id=report_id)])[0])


class ReportSupportApi(ApiView):
    @extend_schema(operation_id="cities_report_support", request=None,
                   responses={200: CityMyReportOutput, **error_responses(401, 403, 404, 409)},
                   description="“Me too”: you follow an open report of your neighbourhood (its changes reach you "
                   "live and by push) and it counts one more supporter. Twice changes nothing.")
    def post(self, request, report_id: int):
        report = services.report_support_set(user=request.user, report_id=report_id, present=True)
        return Response(_my_reports(request.user, [selectors.report_with_counts(report.pk)])[0])

    @extend_schema(operation_id="cities_report_unsupport", responses={200: CityMyReportOutput, **error_responses(401, 404)},
                   description="You no longer support it.")
    def delete(self, request, report_id: int):
        report = services.report_support_set(user=request.user, report_id=report_id, present=False)
        return Response(_my_reports(request.user, [selectors.report_with_counts(report.pk)])[0])


class CityReopenInput(JsonInput):
    reason = serializers.CharField(max_length=2000, help_text="What is still wrong.")


class ReportReopenApi(ApiView):
    @extend_schema(operation_id="cities_report_reopen", request=CityReopenInput,
                   responses={200: CityMyReportOutput, **error_responses(400, 422, 401, 403, 404, 409)},
                   description="Its reporter says a resolved problem is not fixed, within 14 days of its resolution "
                   "(reopen_too_late after): back to received.")
    def post(self, request, report_id: int):
        data = CityReopenInput(data=request.data)
        data.is_valid(raise_exception=True)
        report = services.report_reopen(user=request.user, report_id=report_id, reason=data.validated_data["reason"])
        return Response(_my_reports(request.user, [selectors.report_with_counts(report.pk)])[0])
