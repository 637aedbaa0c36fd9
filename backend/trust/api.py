from django.conf import settings
from django.http import FileResponse
from django.shortcuts import get_object_or_404
from drf_spectacular.utils import OpenApiResponse, extend_schema
from rest_framework import serializers, status
from rest_framework.parsers import MultiPartParser
from rest_framework.response import Response

from backend.common.api import ApiView, JsonInput, PersonOutput, ReasonInput, error_responses
from backend.common.errors import VoisinsError
from backend.neighbourhoods.api import NeighbourhoodOutput
from backend.neighbourhoods.models import Neighbourhood
from backend.trust import domain, selectors, services
from backend.trust.models import Membership, ProofOfAddress


class AddressOutput(serializers.Serializer):
    street = serializers.CharField()
    number = serializers.CharField()
    postcode = serializers.CharField()
    city = serializers.CharField()
    latitude = serializers.FloatField()
    longitude = serializers.FloatField()


class ProofOutput(serializers.ModelSerializer):
    size = serializers.IntegerField(help_text="Bytes.")
    file_available = serializers.SerializerMethodField()

    class Meta:
        model = ProofOfAddress
        fields = ["id", "state", "content_type", "size", "uploaded_at", "reviewed_at", "reason", "file_available"]

    def get_file_available(self, proof: ProofOfAddress) -> bool:
        return bool(proof.file)


class VouchReceivedOutput(serializers.Serializer):
    voucher_id = serializers.IntegerField()
    display_name = serializers.CharField()
    voucher_membership_id = serializers.IntegerField(allow_null=True)
    voucher_route = serializers.CharField(allow_null=True, help_text="How the voucher herself was verified.")
    counts = serializers.BooleanField(help_text="False once the voucher is no longer a verified member.")
    created_at = serializers.DateTimeField()


class VouchGivenOutput(serializers.Serializer):
    membership_id = serializers.IntegerField()
    display_name = serializers.CharField()
    state = serializers.CharField()
    created_at = serializers.DateTimeField()


class ChainLinkOutput(serializers.Serializer):
    membership_id = serializers.IntegerField()
    user = PersonOutput()
    state = serializers.ChoiceField(choices=Membership.State.choices, help_text="Her state now.")
    route = serializers.ChoiceField(choices=Membership.Route.choices, allow_null=True)
    vouched_at = serializers.DateTimeField()
    only_route = serializers.BooleanField(
        help_text="His vouch was her only way in: revoking him `with the chain` sends her back to pending."
    )


class LetterCodeStatusOutput(serializers.Serializer):
    issued_at = serializers.DateTimeField()
    expires_at = serializers.DateTimeField()
    used = serializers.BooleanField()
    attempts_left = serializers.IntegerField()


class MembershipOutput(serializers.Serializer):
    """The whole application: for the applicant, the neighbourhood's moderators and staff."""

    id = serializers.IntegerField()
    user = PersonOutput()
    neighbourhood = NeighbourhoodOutput()
    state = serializers.ChoiceField(choices=Membership.State.choices)
    route = serializers.ChoiceField(choices=Membership.Route.choices, allow_null=True)
    address = AddressOutput()
    applied_at = serializers.DateTimeField()
    decided_at = serializers.DateTimeField(allow_null=True)
    reason = serializers.CharField(allow_blank=True)
    proofs = ProofOutput(many=True)
    vouched_by = VouchReceivedOutput(many=True)
    vouched_for = VouchGivenOutput(many=True, help_text="Applicants this member vouched for, anywhere.")
    chain = ChainLinkOutput(
        many=True, help_text="The members this member vouched for in this neighbourhood: what revoking him touches."
    )
    letter_code = LetterCodeStatusOutput(allow_null=True)


def _membership_output(membership: Membership) -> dict:
    code = selectors.current_letter_code(membership=membership)
    return MembershipOutput(
        {
            "id": membership.id,
            "user": membership.user,
            "neighbourhood": membership.neighbourhood,
            "state": membership.state,
            "route": membership.route,
            "address": membership,
            "applied_at": membership.applied_at,
            "decided_at": membership.decided_at,
            "reason": membership.reason,
            "proofs": membership.proofs.order_by("uploaded_at"),
            "vouched_by": selectors.vouches_received(membership=membership),
            "vouched_for": selectors.vouches_given(user=membership.user),
            "chain": selectors.vouch_chain(membership=membership),
            "letter_code": None
            if code is None
            else {
                "issued_at": code.issued_at,
                "expires_at": code.expires_at,
                "used": code.used_at is not None,
                "attempts_left": max(0, settings.TRUST_LETTER_CODE_MAX_ATTEMPTS - code.failed_attempts),
            },
        }
    ).data


def _membership(membership_id: int) -> Membership:
    return get_object_or_404(Membership.objects.select_related("user", "neighbourhood"), pk=membership_id)


def _reason(request) -> str:
    data = ReasonInput(data=request.data)
    data.is_valid(raise_exception=True)
    return data.validated_data["reason"]


class ApplyInput(JsonInput):
    street = serializers.CharField(max_length=200)
    number = serializers.CharField(max_length=20)
    postcode = serializers.CharField(max_length=20)
    city = serializers.CharField(max_length=120)
    latitude = serializers.FloatField(min_value=-90, max_value=90)
    longitude = serializers.FloatField(min_value=-180, max_value=180)


class MembershipApplyApi(ApiView):
    @extend_schema(
        operation_id="trust_apply",
        request=ApplyInput,
        responses={201: MembershipOutput, **error_responses(400, 422, 401, 403, 409)},
        description="Applies to the neighbourhood covering the address. The address stays private to the "
        "applicant and the neighbourhood's moderators; other members only ever see the street. "
        "Someone its moderators revoked or banned there, and did not reinstate, is refused with "
        "403 banned: neither vouches nor a letter code can bring her back; she appeals the decision "
        "(moderation_appeal, from moderation_my_decisions) or asks them to reinstate her. A rejected "
        "application does not hold: she may apply again at once.",
    )
    def post(self, request):
        data = ApplyInput(data=request.data)
        data.is_valid(raise_exception=True)
        membership = services.membership_apply(user=request.user, **data.validated_data)
        return Response(_membership_output(membership), status=status.HTTP_201_CREATED)


class MembershipDetailApi(ApiView):
    @extend_schema(operation_id="trust_membership", responses={200: MembershipOutput, **error_responses(401, 403, 404)})
    def get(self, request, membership_id: int):
        membership = _membership(membership_id)
        if not selectors.membership_visible_in_full(user=request.user, membership=membership):
            raise VoisinsError("forbidden")
        return Response(_membership_output(membership))


class ProofUploadInput(serializers.Serializer):
    file = serializers.FileField(help_text="PDF, JPEG or PNG, at most 10 MB; the type is read from the content.")


class ProofUploadApi(ApiView):
    parser_classes = [MultiPartParser]

    @extend_schema(
        operation_id="trust_proof_upload",
        request={"multipart/form-data": ProofUploadInput},
        responses={201: ProofOutput, **error_responses(400, 422, 401, 403, 409, 413, 415)},
    )
    def post(self, request, membership_id: int):
        membership = _membership(membership_id)
        upload = request.FILES.get("file")
        if upload is None:
            raise VoisinsError("file_missing")
        proof = services.proof_upload(actor=request.user, membership=membership, upload=upload)
        return Response(ProofOutput(proof).data, status=status.HTTP_201_CREATED)


class ProofFileApi(ApiView):
    @extend_schema(
        operation_id="trust_proof_file",
        responses={
            (200, "application/octet-stream"): OpenApiResponse(description="The document, as an attachment."),
            **error_responses(401, 403, 404, 410),
        },
        description="Readable by the applicant and the neighbourhood's moderators only; gone once reviewed.",
    )
    def get(self, request, proof_id: int):
        proof = get_object_or_404(ProofOfAddress.objects.select_related("membership"), pk=proof_id)
        if not selectors.proof_file_readable(user=request.user, proof=proof):
            raise VoisinsError("forbidden")
        if not proof.file:
            raise VoisinsError("proof_file_deleted")
        extension = {"application/pdf": "pdf", "image/jpeg": "jpg", "image/png": "png"}[proof.content_type]
        response = FileResponse(
            proof.file.open("rb"),
            as_attachment=True,
            filename=f"proof-{proof.id}.{extension}",
            content_type=proof.content_type,
        )
        response["Cache-Control"] = "private, no-store"
        response["X-Content-Type-Options"] = "nosniff"
        return response


class ProofReviewInput(JsonInput):
    decision = serializers.ChoiceField(choices=["approve", "reject"])
    reason = serializers.CharField(max_length=2000, required=False, default="", allow_blank=True)


class ProofReviewApi(ApiView):
    @extend_schema(
        operation_id="trust_proof_review",
        request=ProofReviewInput,
        responses={200: ProofOutput, **error_responses(400, 422, 401, 403, 404, 409)},
        description="Moderators of the neighbourhood only. Approving verifies the applicant; rejecting needs a "
        "reason and leaves the application pending so she can send another proof. The file is deleted either way.",
    )
    def post(self, request, proof_id: int):
        proof = get_object_or_404(ProofOfAddress.objects.select_related("membership"), pk=proof_id)
        data = ProofReviewInput(data=request.data)
        data.is_valid(raise_exception=True)
        proof = services.proof_review(
            actor=request.user,
            proof=proof,
            approve=data.validated_data["decision"] == "approve",
            reason=data.validated_data["reason"],
        )
        return Response(ProofOutput(proof).data)


class VouchOutput(serializers.Serializer):
    membership_id = serializers.IntegerField()
    state = serializers.ChoiceField(
        choices=Membership.State.choices, help_text="The applicant's state after this vouch: verified once enough."
    )
    counting_vouches = serializers.IntegerField()
    vouches_needed = serializers.IntegerField()


class VouchCreateApi(ApiView):
    @extend_schema(
        operation_id="trust_vouch",
        request=None,
        responses={201: VouchOutput, **error_responses(401, 403, 404, 409, 429)},
        description="A verified member vouches for a pending applicant of her own neighbourhood "
        "(3 vouches per 30 days by default). Enough vouches (1 by default) verify the applicant.",
    )
    def post(self, request, membership_id: int):
        vouch = services.vouch_create(voucher=request.user, membership=_membership(membership_id))
        membership = vouch.membership
        return Response(
            VouchOutput(
                {
                    "membership_id": membership.id,
                    "state": membership.state,
                    "counting_vouches": selectors.counting_vouches(membership=membership),
                    "vouches_needed": settings.TRUST_VOUCHES_NEEDED,
                }
            ).data,
            status=status.HTTP_201_CREATED,
        )


class LetterOutput(serializers.Serializer):
    code = serializers.CharField(help_text="Shown once, here; only a keyed hash is stored.")
    expires_at = serializers.DateTimeField()
    letter = serializers.CharField(help_text="The letter to post, in the applicant's language.")


class LetterCodeIssueApi(ApiView):
    @extend_schema(
        operation_id="trust_letter_code_issue",
        request=None,
        responses={201: LetterOutput, **error_responses(401, 403, 404, 409)},
        description="Moderators only. Replaces any earlier code of the application, and unlocks it.",
    )
    def post(self, request, membership_id: int):
        issued = services.letter_code_issue(actor=request.user, membership=_membership(membership_id))
        return Response(
            LetterOutput(
                {"code": issued.code, "expires_at": issued.letter_code.expires_at, "letter": issued.text}
            ).data,
            status=status.HTTP_201_CREATED,
        )


class LetterCodeRedeemInput(JsonInput):
    code = serializers.CharField(max_length=32)


class LetterCodeRedeemApi(ApiView):
    @extend_schema(
        operation_id="trust_letter_code_redeem",
        request=LetterCodeRedeemInput,
        responses={200: MembershipOutput, **error_responses(400, 422, 401, 403, 404, 409, 410, 423)},
        description="The applicant enters the code of her letter. 5 wrong codes lock it (423 code_locked).",
    )
    def post(self, request, membership_id: int):
        data = LetterCodeRedeemInput(data=request.data)
        data.is_valid(raise_exception=True)
        membership = services.letter_code_redeem(
            actor=request.user, membership=_membership(membership_id), code=data.validated_data["code"]
        )
        return Response(_membership_output(membership))


class MembershipRejectApi(ApiView):
    @extend_schema(
        operation_id="trust_reject",
        request=ReasonInput,
        responses={200: MembershipOutput, **error_responses(400, 422, 401, 403, 404, 409)},
        description="Moderators only: refuses a pending application, with a reason shown to the applicant.",
    )
    def post(self, request, membership_id: int):
        membership = services.membership_reject(
            actor=request.user, membership=_membership(membership_id), reason=_reason(request)
        )
        return Response(_membership_output(membership))


class RevokeInput(ReasonInput):
    chain = serializers.BooleanField(
        default=False,
        help_text="Also send back to pending the members whose only way in was this member's vouch.",
    )


class MembershipRevokeApi(ApiView):
    @extend_schema(
        operation_id="trust_revoke",
        request=RevokeInput,
        responses={200: MembershipOutput, **error_responses(400, 422, 401, 403, 404, 409)},
        description="Moderators of the neighbourhood and staff: ends a verified membership, with a reason (nobody "
        "revokes herself: 403 self_decision). The revocation holds: she cannot come back by vouches or a letter "
        "code (403 banned), only by `trust_reinstate` or a granted appeal. She loses the neighbourhood's "
        "moderation unless she is staff. With `chain`, those whose only way in was her vouch go back to pending "
        "(see `chain` in the answer); each decision is told to its subject (trust.notice and a push).",
    )
    def post(self, request, membership_id: int):
        data = RevokeInput(data=request.data)
        data.is_valid(raise_exception=True)
        revocation = services.membership_revoke(
            actor=request.user, membership=_membership(membership_id), **data.validated_data
        )
        return Response(_membership_output(revocation.membership))


class MembershipReinstateApi(ApiView):
    @extend_schema(
        operation_id="trust_reinstate",
        request=ReasonInput,
        responses={200: MembershipOutput, **error_responses(400, 422, 401, 403, 404, 409)},
        description="Moderators of the neighbourhood and staff: undoes a revocation or a ban, with a reason "
        "(409 not_revoked if it is not revoked, 409 already_member if she has joined another neighbourhood since).",
    )
    def post(self, request, membership_id: int):
        membership = services.membership_reinstate(
            actor=request.user, membership=_membership(membership_id), reason=_reason(request)
        )
        return Response(_membership_output(membership))


class LogEntryOutput(serializers.Serializer):
    """One entry of a log: a trust decision (`source` trust) or a moderation action
    (`source` moderation), in one shape (the object of the trust.logged frame)."""

    source = serializers.ChoiceField(choices=["trust", "moderation"])
    id = serializers.IntegerField(help_text="Unique within its source.")
    neighbourhood_id = serializers.IntegerField(allow_null=True)
    kind = serializers.CharField(
        help_text="trust: apply, proof_upload, approve, reject, vouch, verify, code_issued, code_failed, code_used, "
        "revoke, reinstate, chain_reverify, moderator_removed; moderation: remove, restore, mute, ban, dismiss, "
        "appeal_granted, appeal_denied."
    )
    route = serializers.CharField(allow_null=True, help_text="trust: proof, vouch or letter, where it applies.")
    actor = PersonOutput(allow_null=True, help_text="Who decided; null for the system.")
    subject = PersonOutput(allow_null=True, help_text="Whom it is about.")
    membership_id = serializers.IntegerField(allow_null=True)
    message_id = serializers.IntegerField(allow_null=True)
    post_id = serializers.IntegerField(allow_null=True)
    until = serializers.DateTimeField(allow_null=True)
    reason = serializers.CharField(allow_blank=True)
    at = serializers.DateTimeField()


class HistoryApi(ApiView):
    @extend_schema(
        operation_id="trust_history",
        responses={200: LogEntryOutput(many=True), **error_responses(401)},
        description="Her own trust history, newest first: applications, proofs, vouches received, letter codes, "
        "decisions and their reasons (at most 200 entries). Decisions of moderation about her: moderation_my_decisions.",
    )
    def get(self, request):
        entries = selectors.audit_entries(subject_id=request.user.pk, limit=200)
        return Response(LogEntryOutput([domain.audit_entry_body(e) for e in entries], many=True).data)


class MemberOutput(serializers.Serializer):
    membership_id = serializers.IntegerField(source="id", help_text="For moderators: trust_membership (the chain before a ban).")
    user_id = serializers.IntegerField(source="user.id")
    display_name = serializers.CharField(source="user.display_name")
    street = serializers.CharField(help_text="The street only: never the number or coordinates.")
    verified_at = serializers.DateTimeField(source="decided_at")


class ApplicantOutput(serializers.Serializer):
    """What a verified neighbour sees of an applicant, to decide whether to vouch."""

    id = serializers.IntegerField()
    user_id = serializers.IntegerField(source="user.id")
    display_name = serializers.CharField(source="user.display_name")
    street = serializers.CharField()
    applied_at = serializers.DateTimeField()
    vouch_count = serializers.IntegerField()
    vouched_by_me = serializers.BooleanField(source="vouched_by_viewer")


def _neighbourhood_for_reader(request, neighbourhood_id: int) -> Neighbourhood:
    neighbourhood = get_object_or_404(Neighbourhood, pk=neighbourhood_id)
    access = selectors.neighbourhood_access(user=request.user, neighbourhood_id=neighbourhood.id)
    if not (access.can_read or request.user.is_staff):
        raise VoisinsError("not_member")
    return neighbourhood


class MemberListApi(ApiView):
    @extend_schema(
        operation_id="trust_members",
        responses={200: MemberOutput(many=True), **error_responses(401, 403, 404)},
        description="Verified members of the neighbourhood, for its members, moderators and staff.",
    )
    def get(self, request, neighbourhood_id: int):
        neighbourhood = _neighbourhood_for_reader(request, neighbourhood_id)
        return Response(MemberOutput(selectors.member_list(neighbourhood=neighbourhood), many=True).data)


class ApplicantListApi(ApiView):
    @extend_schema(
        operation_id="trust_applicants",
        responses={200: ApplicantOutput(many=True), **error_responses(401, 403, 404)},
        description="Pending applicants of the neighbourhood, so that neighbours who know them can vouch. "
        "Moderators open each one with trust_membership for the whole application.",
    )
    def get(self, request, neighbourhood_id: int):
        neighbourhood = _neighbourhood_for_reader(request, neighbourhood_id)
        applicants = selectors.applicant_list(neighbourhood=neighbourhood, viewer=request.user)
        return Response(ApplicantOutput(applicants, many=True).data)
