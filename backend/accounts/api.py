import re

from django.conf import settings
from django.contrib.auth import login as session_login
from django.core.exceptions import ValidationError as DjangoValidationError
from django.middleware.csrf import CsrfViewMiddleware
from django.shortcuts import get_object_or_404
from django.utils.translation import gettext_lazy
from django.utils.translation.trans_real import parse_accept_lang_header
from drf_spectacular.utils import extend_schema, extend_schema_field
from rest_framework import serializers, status
from rest_framework.permissions import AllowAny
from rest_framework.response import Response

from backend.accounts import domain, selectors, services
from backend.accounts.models import DeviceToken, Language, User
from backend.common.api import ApiView, JsonInput, error_responses
from backend.common.errors import VoisinsError
from backend.common.schema import NO_NUL, VoisinsAutoSchema
from backend.trust.selectors import user_trust_summary


class UserOutput(serializers.ModelSerializer):
    class Meta:
        model = User
        fields = ["id", "email", "display_name", "language", "is_staff", "date_joined"]


class MembershipSummaryOutput(serializers.Serializer):
    id = serializers.IntegerField()
    neighbourhood_id = serializers.IntegerField()
    neighbourhood_name = serializers.CharField()
    state = serializers.CharField()
    route = serializers.CharField(allow_null=True)


class MeOutput(serializers.Serializer):
    user = UserOutput()
    membership = MembershipSummaryOutput(
        allow_null=True, help_text="The pending or verified membership, or the latest decided one; null before applying."
    )
    moderates = serializers.ListField(child=serializers.IntegerField(), help_text="Ids of the neighbourhoods she moderates.")


class TokenOutput(serializers.ModelSerializer):
    current = serializers.SerializerMethodField()

    class Meta:
        model = DeviceToken
        fields = ["id", "device_name", "created_at", "last_used_at", "expires_at", "current"]

    def get_current(self, token: DeviceToken) -> bool:
        return token == self.context.get("current_token")


class LoginOutput(serializers.Serializer):
    token = serializers.CharField(help_text="Secret shown once: send it as `Authorization: Bearer <token>`.")
    token_id = serializers.IntegerField()
    expires_at = serializers.DateTimeField(help_text="Slides forward while the token is used.")
    user = UserOutput()


def _login_output(user: User, device_name: str) -> dict:
    token, raw = services.token_create(user=user, device_name=device_name)
    return {"token": raw, "token_id": token.id, "expires_at": token.expires_at, "user": user}


def _client_ip(request) -> str:
    return request.META.get("REMOTE_ADDR", "")


PASSWORD_MAX_LENGTH = 128
_ONLY_DIGITS = re.compile(r"[0-9]*")


def _not_only_digits(password: str) -> None:
    if _ONLY_DIGITS.fullmatch(password):
        # Django's own words (and code) for its NumericPasswordValidator.
        raise DjangoValidationError(
            gettext_lazy("This password is entirely numeric."), code="password_entirely_numeric"
        )


@extend_schema_field({
    "type": "string", "minLength": settings.PASSWORD_MIN_LENGTH, "maxLength": PASSWORD_MAX_LENGTH,
    "pattern": rf"^(?![0-9]*$){NO_NUL.removeprefix('^')}",
})
class NewPasswordField(serializers.CharField):
    """A new password, as sent (never trimmed): what the document can state of
    AUTH_PASSWORD_VALIDATORS, its length and not only digits, is refused here
    (validation_failed); what it cannot, too common or too like her email or name,
    answers 422 weak_password (services.user_signup)."""

    def __init__(self, **kwargs):
        super().__init__(
            min_length=settings.PASSWORD_MIN_LENGTH, max_length=PASSWORD_MAX_LENGTH, trim_whitespace=False, **kwargs
        )
        self.validators.append(_not_only_digits)


class SignupInput(JsonInput):
    email = serializers.EmailField(max_length=254)
    password = NewPasswordField(
        help_text=f"At least {settings.PASSWORD_MIN_LENGTH} characters, not only digits; one too common or too like "
        "her email or name answers 422 weak_password."
    )
    display_name = serializers.CharField(max_length=60)
    language = serializers.ChoiceField(
        choices=Language.choices, required=False, help_text="Defaults to the request's Accept-Language, else fr."
    )
    device_name = serializers.CharField(max_length=100, required=False, default="")


class SignupApi(ApiView):
    permission_classes = [AllowAny]

    @extend_schema(
        operation_id="auth_signup",
        request=SignupInput,
        responses={201: LoginOutput, **error_responses(409, 422)},
        description="Creates an account and returns an API token for this device.",
    )
    def post(self, request):
        data = SignupInput(data=request.data)
        data.is_valid(raise_exception=True)
        fields = data.validated_data
        language = domain.signup_language(
            chosen=fields.get("language"),
            accepted=[tag for tag, _ in parse_accept_lang_header(request.headers.get("Accept-Language", ""))],
            supported=Language.values,
        )
        user = services.user_signup(
            email=fields["email"], password=fields["password"], display_name=fields["display_name"], language=language
        )
        return Response(LoginOutput(_login_output(user, fields["device_name"])).data, status=status.HTTP_201_CREATED)


class CredentialsInput(JsonInput):
    email = serializers.CharField(max_length=254)
    password = serializers.CharField(max_length=PASSWORD_MAX_LENGTH, trim_whitespace=False)


class LoginInput(CredentialsInput):
    device_name = serializers.CharField(max_length=100, required=False, default="")


class LoginApi(ApiView):
    permission_classes = [AllowAny]
    authentication_classes: list = []

    @extend_schema(
        operation_id="auth_login",
        request=LoginInput,
        responses={200: LoginOutput, **error_responses(422, 429)},
        description="Trades email and password for an API token of this device; 422 invalid_credentials when "
        "they match no account. 5 failures per 15 minutes per account or per IP answer 429 login_throttled with "
        "retry_after.",
    )
    def post(self, request):
        data = LoginInput(data=request.data)
        data.is_valid(raise_exception=True)
        user = services.login_check(
            email=data.validated_data["email"], password=data.validated_data["password"], ip=_client_ip(request)
        )
        return Response(LoginOutput(_login_output(user, data.validated_data["device_name"])).data)


def _enforce_csrf(request) -> None:
    """Django's own CSRF check (CsrfViewMiddleware) on a view DRF exempts; 403 forbidden
    when it fails."""
    check = CsrfViewMiddleware(lambda _: None)
    check.process_request(request)
    if check.process_view(request, None, (), {}) is not None:
        raise VoisinsError("forbidden")


class SessionLoginApi(ApiView):
    permission_classes = [AllowAny]
    authentication_classes: list = []

    @extend_schema(
        operation_id="auth_session_login",
        request=CredentialsInput,
        responses={200: UserOutput, **error_responses(403, 422, 429)},
        description="Logs in with a session cookie, for the pages this server serves. Same throttling as auth_login. "
        "CSRF-protected like a login form: send the `csrftoken` cookie's value as `X-CSRFToken` (403 `forbidden` otherwise).",
    )
    def post(self, request):
        # A login form's CSRF check, as Django's LoginView has (no login CSRF: nobody's
        # page logs her into someone else's account): the pages send the csrftoken
        # cookie's value as X-CSRFToken. Apps log in with auth_login (a token) instead.
        _enforce_csrf(request._request)
        data = CredentialsInput(data=request.data)
        data.is_valid(raise_exception=True)
        user = services.login_check(
            email=data.validated_data["email"], password=data.validated_data["password"], ip=_client_ip(request)
        )
        session_login(request._request, user, backend="django.contrib.auth.backends.ModelBackend")
        return Response(UserOutput(user).data)


class LogoutApi(ApiView):
    @extend_schema(
        operation_id="auth_logout",
        request=None,
        responses={204: None, **error_responses(401)},
        description="Revokes the API token in use, or ends the session.",
    )
    def post(self, request):
        if isinstance(request.auth, DeviceToken):
            services.token_revoke(token=request.auth)
        else:
            services.session_end(request=request._request)
        return Response(status=status.HTTP_204_NO_CONTENT)


class MeUpdateInput(JsonInput):
    display_name = serializers.CharField(max_length=60, required=False)
    language = serializers.ChoiceField(choices=Language.choices, required=False)


class EraseInput(JsonInput):
    password = serializers.CharField(
        max_length=PASSWORD_MAX_LENGTH, trim_whitespace=False, help_text="Her current password."
    )


class _BodyOnDeleteSchema(VoisinsAutoSchema):
    """drf-spectacular documents a request body on POST, PUT and PATCH only; the erasure
    is a DELETE that carries her password (HTTP allows a body on DELETE)."""

    def _get_request_body(self, direction="request"):
        method = self.method
        self.method = "POST" if method == "DELETE" else method
        try:
            return super()._get_request_body(direction)
        finally:
            self.method = method


class MeApi(ApiView):
    schema = _BodyOnDeleteSchema()

    def _render(self, user: User) -> Response:
        return Response(MeOutput({"user": user, **user_trust_summary(user=user)}).data)

    @extend_schema(
        operation_id="auth_me",
        responses={200: MeOutput, **error_responses(401)},
        description="Who she is: her account, her membership and the neighbourhoods she moderates.",
    )
    def get(self, request):
        return self._render(request.user)

    @extend_schema(
        operation_id="auth_me_update",
        request=MeUpdateInput,
        responses={200: MeOutput},
        description="Changes the fields given: her display name (trimmed) and the language of her messages.",
    )
    def patch(self, request):
        data = MeUpdateInput(data=request.data)
        data.is_valid(raise_exception=True)
        user = services.user_update(user=request.user, **data.validated_data)
        return self._render(user)

    @extend_schema(
        operation_id="auth_me_erase",
        request=EraseInput,
        responses={204: None, **error_responses(403, 429)},
        description="Erases her account for good, confirmed by her password (403 `wrong_password`, which counts as "
        "a failed login: 429 `login_throttled` after 5). At once: every API token and session of hers ends, her "
        "sockets get `session.ended` (reason `account_erased`) and close with 4410, her devices, addresses, proofs, "
        "photos and preferences are deleted, her messages become deleted messages, her open posts close, and what "
        "others keep of her (a loan, a purchase share, a vouch, a decision) shows a neutral label. "
        "See frontend-contract/README.md, Your data.",
    )
    def delete(self, request):
        data = EraseInput(data=request.data)
        data.is_valid(raise_exception=True)
        services.account_erase(user=request.user, password=data.validated_data["password"], ip=_client_ip(request))
        return Response(status=status.HTTP_204_NO_CONTENT)


class TokenListApi(ApiView):
    @extend_schema(
        operation_id="auth_tokens_list",
        responses={200: TokenOutput(many=True), **error_responses(401)},
        description="The live API tokens of the user, one per device, most recently used first.",
    )
    def get(self, request):
        tokens = selectors.token_list(user=request.user)
        return Response(TokenOutput(tokens, many=True, context={"current_token": request.auth}).data)


class TokenRevokeApi(ApiView):
    @extend_schema(operation_id="auth_tokens_revoke", responses={204: None, **error_responses(401, 404)})
    def delete(self, request, token_id: int):
        token = get_object_or_404(selectors.token_list(user=request.user), pk=token_id)
        services.token_revoke(token=token)
        return Response(status=status.HTTP_204_NO_CONTENT)
