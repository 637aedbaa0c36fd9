from django.urls import path

from backend.trust import api

urlpatterns = [
    path("memberships/", api.MembershipApplyApi.as_view(), name="trust-apply"),
    path("memberships/<int:membership_id>/", api.MembershipDetailApi.as_view(), name="trust-membership"),
    path("memberships/<int:membership_id>/proofs/", api.ProofUploadApi.as_view(), name="trust-proof-upload"),
    path("memberships/<int:membership_id>/vouches/", api.VouchCreateApi.as_view(), name="trust-vouch"),
    path("memberships/<int:membership_id>/letter-code/", api.LetterCodeIssueApi.as_view(), name="trust-letter-code"),
    path(
        "memberships/<int:membership_id>/letter-code/redeem/",
        api.LetterCodeRedeemApi.as_view(),
        name="trust-letter-code-redeem",
    ),
    path("memberships/<int:membership_id>/reject/", api.MembershipRejectApi.as_view(), name="trust-reject"),
    path("memberships/<int:membership_id>/revoke/", api.MembershipRevokeApi.as_view(), name="trust-revoke"),
    path("memberships/<int:membership_id>/reinstate/", api.MembershipReinstateApi.as_view(), name="trust-reinstate"),
    path("history/", api.HistoryApi.as_view(), name="trust-history"),
    path("proofs/<int:proof_id>/file/", api.ProofFileApi.as_view(), name="trust-proof-file"),
    path("proofs/<int:proof_id>/review/", api.ProofReviewApi.as_view(), name="trust-proof-review"),
    path("neighbourhoods/<int:neighbourhood_id>/members/", api.MemberListApi.as_view(), name="trust-members"),
    path("neighbourhoods/<int:neighbourhood_id>/applicants/", api.ApplicantListApi.as_view(), name="trust-applicants"),
]
