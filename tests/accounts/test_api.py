from datetime import timedelta
from pathlib import Path

import jsonschema
import pytest
import yaml
from django.utils import timezone
from hypothesis import given
from hypothesis import strategies as st
from rest_framework.exceptions import ValidationError

from backend.accounts.api import SignupInput
from backend.accounts.models import DeviceToken, User
from tests.conftest import PASSWORD, make_user

OPENAPI = Path(__file__).resolve().parents[2] / "frontend-contract" / "openapi.yaml"

pytestmark = pytest.mark.django_db

SIGNUP = {"email": "Zoe@Example.org", "password": PASSWORD, "display_name": "Zoé", "device_name": "Pixel 8"}


def test_signup_returns_a_working_token(client_for):
    response = client_for().post("/api/v1/auth/signup/", SIGNUP, format="json")
    assert response.status_code == 201
    body = response.json()
    assert body["user"]["email"] == "zoe@example.org"
    assert body["token"].startswith("vt_")
    client = client_for()
    client.credentials(HTTP_AUTHORIZATION=f"Bearer {body['token']}")
    me = client.get("/api/v1/auth/me/").json()
    assert me["user"]["display_name"] == "Zoé"
    assert me["membership"] is None and me["moderates"] == []
    # Only a digest is stored, never the secret.
    assert not DeviceToken.objects.filter(digest=body["token"]).exists()


def test_signup_language_follows_accept_language_unless_given(client_for):
    french = client_for(HTTP_ACCEPT_LANGUAGE="fr-FR,fr;q=0.9").post("/api/v1/auth/signup/", SIGNUP, format="json")
    assert french.json()["user"]["language"] == "fr"
    english = client_for(HTTP_ACCEPT_LANGUAGE="fr").post(
        "/api/v1/auth/signup/", {**SIGNUP, "email": "other@example.org", "language": "en"}, format="json"
    )
    assert english.json()["user"]["language"] == "en"


def test_signup_twice_with_the_same_email_in_another_case(client_for):
    make_user("zoe@example.org")
    response = client_for().post("/api/v1/auth/signup/", {**SIGNUP, "email": "ZOE@example.ORG"}, format="json")
    assert response.status_code == 409
    assert response.json()["code"] == "email_taken"
    assert User.objects.count() == 1


def _password_codes(response) -> list[str]:
    return [error["code"] for error in response.json()["fields"]["password"]]


def test_the_password_rules_the_document_states_are_validation_failures(client_for):
    short_digits = client_for().post("/api/v1/auth/signup/", {**SIGNUP, "password": "12345678"}, format="json")
    assert (short_digits.status_code, short_digits.json()["code"]) == (400, "validation_failed")
    assert _password_codes(short_digits) == ["min_length", "password_entirely_numeric"]
    digits = client_for(HTTP_ACCEPT_LANGUAGE="fr").post(
        "/api/v1/auth/signup/", {**SIGNUP, "password": "0612345678"}, format="json"
    )
    assert digits.status_code == 400
    assert digits.json()["fields"]["password"] == [
        {"code": "password_entirely_numeric", "message": "Ce mot de passe est entièrement numérique."}
    ]
    # Sent as is, never trimmed: ten spaces are ten characters.
    spaces = client_for().post("/api/v1/auth/signup/", {**SIGNUP, "password": " " * 10}, format="json")
    assert spaces.status_code == 201
    assert User.objects.count() == 1


_DOCUMENTED_PASSWORD = jsonschema.Draft202012Validator(
    yaml.safe_load(OPENAPI.read_text())["components"]["schemas"]["SignupInputRequest"]["properties"]["password"]
)


@given(st.text(max_size=140) | st.text(alphabet="0123456789٣ x\x00", min_size=8, max_size=12))
def test_the_password_field_refuses_exactly_what_the_document_does(password):
    try:
        SignupInput().fields["password"].run_validation(password)
        accepted = True
    except ValidationError:
        accepted = False
    assert accepted == _DOCUMENTED_PASSWORD.is_valid(password)


@pytest.mark.parametrize(
    ("password", "reason"),
    [
        ("qwertyuiop", "password_too_common"),
        ("zoe@example.org", "password_too_similar"),
        # Digits the document's [0-9] does not name: Django's rule still refuses them.
        ("٠٦١٢٣٤٥٦٧٨", "password_entirely_numeric"),
    ],
)
def test_the_password_rules_the_document_cannot_state_answer_weak_password(client_for, password, reason):
    response = client_for().post("/api/v1/auth/signup/", {**SIGNUP, "password": password}, format="json")
    assert response.status_code == 422
    body = response.json()
    assert (body["code"], body["message"]) == ("weak_password", "This password is too easy to guess.")
    assert _password_codes(response) == [reason]  # at the field, as the pages show it
    assert all(error["message"] for error in body["fields"]["password"])
    assert not User.objects.exists()


def test_signup_refuses_wrong_json_types_and_nul_characters(client_for):
    response = client_for().post(
        "/api/v1/auth/signup/", {**SIGNUP, "display_name": 12, "password": "un-velo\x00-bleu"}, format="json"
    )
    assert response.status_code == 400
    fields = response.json()["fields"]
    assert fields["display_name"] == [{"code": "invalid", "message": "Not a valid string."}]
    assert fields["password"][0]["code"] == "null_characters_not_allowed"
    assert not User.objects.exists()


def test_type_and_length_refusals_speak_the_request_s_language(client_for):
    too_long = {**SIGNUP, "display_name": 12, "email": "x" * 300 + "@example.org"}
    french = client_for().post("/api/v1/auth/signup/", too_long, format="json", HTTP_ACCEPT_LANGUAGE="fr")
    english = client_for().post("/api/v1/auth/signup/", too_long, format="json", HTTP_ACCEPT_LANGUAGE="en")
    for field in ("display_name", "email"):
        assert french.json()["fields"][field][0]["message"] != english.json()["fields"][field][0]["message"]
    assert "254" in french.json()["fields"]["email"][0]["message"]


def test_missing_fields_are_listed(client_for):
    response = client_for().post("/api/v1/auth/signup/", {"email": "not-an-email"}, format="json")
    body = response.json()
    assert response.status_code == 400
    assert set(body["fields"]) == {"email", "password", "display_name"}
    assert body["fields"]["password"][0]["code"] == "required"


def test_malformed_json_gets_a_code_in_the_requested_language(client_for):
    client = client_for(HTTP_ACCEPT_LANGUAGE="fr")
    response = client.post("/api/v1/auth/signup/", data='{"email": ', content_type="application/json")
    assert response.status_code == 400
    assert response.json() == {"code": "malformed_json", "message": "Le corps de la requête n'est pas du JSON valide."}
    assert response["Content-Language"] == "fr"
    assert not User.objects.exists()


def test_login_is_case_insensitive_and_names_the_device(client_for):
    make_user("zoe@example.org")
    response = client_for().post(
        "/api/v1/auth/login/", {"email": " ZOE@example.org", "password": PASSWORD, "device_name": "iPhone"}, format="json"
    )
    assert response.status_code == 200
    assert DeviceToken.objects.get(pk=response.json()["token_id"]).device_name == "iPhone"


def test_wrong_password(client_for):
    make_user("zoe@example.org")
    response = client_for().post("/api/v1/auth/login/", {"email": "zoe@example.org", "password": "nope"}, format="json")
    # Well-formed, as the document asks: refused by a rule it cannot state.
    assert response.status_code == 422
    assert response.json()["code"] == "invalid_credentials"
    assert not DeviceToken.objects.exists()


def _login(client, email, password, ip="10.0.0.1"):
    return client.post("/api/v1/auth/login/", {"email": email, "password": password}, format="json", REMOTE_ADDR=ip)


def test_five_failures_throttle_the_account_even_with_the_right_password(client_for):
    make_user("zoe@example.org")
    client = client_for()
    for attempt in range(5):
        assert _login(client, "zoe@example.org", "wrong", ip=f"10.0.0.{attempt}").status_code == 422
    response = _login(client, "zoe@example.org", PASSWORD, ip="10.0.0.99")
    assert response.status_code == 429
    body = response.json()
    assert body["code"] == "login_throttled"
    assert 0 < body["retry_after"] <= 15 * 60
    assert response["Retry-After"] == str(body["retry_after"])
    assert not DeviceToken.objects.exists()


def test_five_failures_from_one_ip_throttle_that_ip_for_every_account(client_for):
    make_user("zoe@example.org")
    client = client_for()
    for attempt in range(5):
        assert _login(client, f"guess{attempt}@example.org", "wrong").status_code == 422
    assert _login(client, "zoe@example.org", PASSWORD).status_code == 429
    assert _login(client, "zoe@example.org", PASSWORD, ip="10.9.9.9").status_code == 200


def test_a_success_clears_the_account_failures(client_for):
    make_user("zoe@example.org")
    client = client_for()
    for attempt in range(4):
        _login(client, "zoe@example.org", "wrong", ip=f"10.0.1.{attempt}")
    assert _login(client, "zoe@example.org", PASSWORD, ip="10.0.2.1").status_code == 200
    for attempt in range(4):
        assert _login(client, "zoe@example.org", "wrong", ip=f"10.0.3.{attempt}").status_code == 422
    assert _login(client, "zoe@example.org", PASSWORD, ip="10.0.4.1").status_code == 200


def test_tokens_are_listed_per_device_and_one_can_be_revoked(client_for, member):
    phone, tablet = client_for(member), client_for(member)
    tokens = phone.get("/api/v1/auth/tokens/").json()
    assert len(tokens) == 2
    assert sorted(token["current"] for token in tokens) == [False, True]
    tablet_token = next(token for token in tokens if not token["current"])
    assert phone.delete(f"/api/v1/auth/tokens/{tablet_token['id']}/").status_code == 204
    response = tablet.get("/api/v1/auth/me/")
    assert response.status_code == 401
    assert response.json()["code"] == "invalid_token"
    assert phone.get("/api/v1/auth/me/").status_code == 200


def test_nobody_revokes_the_token_of_someone_else(client_for, member, applicant):
    victim = client_for(member)
    victim_token = DeviceToken.objects.get(user=member)
    response = client_for(applicant).delete(f"/api/v1/auth/tokens/{victim_token.id}/")
    assert response.status_code == 404
    assert response.json()["code"] == "not_found"
    assert victim.get("/api/v1/auth/me/").status_code == 200


def test_logout_revokes_only_the_token_in_use(client_for, member):
    phone, tablet = client_for(member), client_for(member)
    assert phone.post("/api/v1/auth/logout/").status_code == 204
    assert phone.get("/api/v1/auth/me/").status_code == 401
    assert tablet.get("/api/v1/auth/me/").status_code == 200


def test_an_expired_token_is_refused(client_for, member):
    client = client_for(member)
    DeviceToken.objects.filter(user=member).update(expires_at=timezone.now() - timedelta(seconds=1))
    response = client.get("/api/v1/auth/me/")
    assert response.status_code == 401
    assert response["WWW-Authenticate"] == "Bearer"


def test_using_a_token_slides_its_expiry(client_for, member):
    client = client_for(member)
    long_ago = timezone.now() - timedelta(days=20)
    DeviceToken.objects.filter(user=member).update(last_used_at=long_ago, expires_at=long_ago + timedelta(days=30))
    assert client.get("/api/v1/auth/me/").status_code == 200
    token = DeviceToken.objects.get(user=member)
    assert token.expires_at > timezone.now() + timedelta(days=29)


def test_session_login_for_pages_and_logout(client_for, member):
    client = client_for()
    response = client.post("/api/v1/auth/session/", {"email": member.email, "password": PASSWORD}, format="json")
    assert response.status_code == 200
    assert "sessionid" in response.cookies
    assert client.get("/api/v1/auth/me/").json()["user"]["id"] == member.id
    assert client.post("/api/v1/auth/logout/").status_code == 204
    assert client.get("/api/v1/auth/me/").status_code == 401


def test_session_login_is_csrf_protected_like_a_login_form(member):
    from django.test import Client

    browser = Client(enforce_csrf_checks=True)
    refused = browser.post("/api/v1/auth/session/", {"email": member.email, "password": PASSWORD},
                           content_type="application/json")
    assert refused.status_code == 403 and refused.json()["code"] == "forbidden"
    assert "sessionid" not in refused.cookies
    token = browser.get("/").cookies["csrftoken"].value  # the page sets it (ensure_csrf_cookie)
    done = browser.post("/api/v1/auth/session/", {"email": member.email, "password": PASSWORD},
                        content_type="application/json", HTTP_X_CSRFTOKEN=token)
    assert done.status_code == 200 and "sessionid" in done.cookies


def test_session_login_is_throttled_like_token_login(client_for, member):
    client = client_for()
    for _ in range(5):
        client.post("/api/v1/auth/session/", {"email": member.email, "password": "wrong"}, format="json")
    response = client.post("/api/v1/auth/session/", {"email": member.email, "password": PASSWORD}, format="json")
    assert response.status_code == 429


def test_me_update_switches_the_language_of_errors(client_for, member):
    client = client_for(member)
    response = client.patch("/api/v1/auth/me/", {"language": "fr", "display_name": " Marc D. "}, format="json")
    assert response.status_code == 200
    assert response.json()["user"] == {**response.json()["user"], "language": "fr", "display_name": "Marc D."}
    error = client.delete("/api/v1/auth/tokens/999999/").json()
    assert error == {"code": "not_found", "message": "Introuvable."}


def test_me_update_refuses_wrong_json_types_and_blank_names(client_for, member):
    client = client_for(member)
    for body, field, code in [
        ({"display_name": 12}, "display_name", "invalid"),
        ({"display_name": "   "}, "display_name", "blank"),
        ({"display_name": "Ma\x00rc"}, "display_name", "null_characters_not_allowed"),
        ({"language": ["fr"]}, "language", "invalid"),
    ]:
        response = client.patch("/api/v1/auth/me/", body, format="json")
        assert response.status_code == 400, body
        assert response.json()["fields"][field][0]["code"] == code, body
    member.refresh_from_db()
    assert (member.display_name, member.language) == ("Marc", "en")


def test_login_refuses_a_wrong_json_type(client_for, member):
    response = client_for().post("/api/v1/auth/login/", {"email": member.email, "password": 1234567890}, format="json")
    assert response.status_code == 400
    assert response.json()["fields"]["password"] == [{"code": "invalid", "message": "Not a valid string."}]
    assert not DeviceToken.objects.exists()


def test_me_update_refuses_an_unknown_language(client_for, member):
    response = client_for(member).patch("/api/v1/auth/me/", {"language": "de"}, format="json")
    assert response.status_code == 400
    assert response.json()["fields"]["language"][0]["code"] == "invalid_choice"
    member.refresh_from_db()
    assert member.language == "en"


@pytest.mark.parametrize(
    ("accept_language", "language"),
    [(None, "fr"), ("de-DE,de;q=0.9", "fr"), ("en-GB,en;q=0.9", "en"), ("de, en;q=0.5", "en"), ("*", "fr")],
)
def test_signup_without_a_language_takes_the_one_accepted_else_french(client_for, accept_language, language):
    headers = {"HTTP_ACCEPT_LANGUAGE": accept_language} if accept_language else {}
    response = client_for(**headers).post("/api/v1/auth/signup/", SIGNUP, format="json")
    assert response.status_code == 201 and response.json()["user"]["language"] == language


# Erasure (auth_me_erase)


def test_erasing_her_account_logs_her_out_everywhere(client_for, member):
    from django.test import Client

    phone = client_for(member)
    other_phone = client_for(member)
    browser = Client()
    browser.force_login(member)
    response = phone.delete("/api/v1/auth/me/", {"password": PASSWORD}, format="json")
    assert response.status_code == 204
    assert other_phone.get("/api/v1/auth/me/").status_code == 401
    assert browser.get("/api/v1/auth/me/").status_code in (401, 403)
    assert client_for().post("/api/v1/auth/login/", {"email": "member@example.org", "password": PASSWORD},
                             format="json").json()["code"] == "invalid_credentials"
    assert User.objects.get(pk=member.pk).erased_at is not None


def test_erasing_needs_her_password_and_a_wrong_one_changes_nothing(client_for, member):
    client = client_for(member)
    wrong = client.delete("/api/v1/auth/me/", {"password": "not-my-password"}, format="json")
    assert (wrong.status_code, wrong.json()["code"]) == (403, "wrong_password")
    missing = client.delete("/api/v1/auth/me/", {}, format="json")
    assert (missing.status_code, missing.json()["code"]) == (400, "validation_failed")
    wrong_type = client.delete("/api/v1/auth/me/", {"password": 42}, format="json")
    assert wrong_type.json()["fields"] == {"password": [{"code": "invalid", "message": "Not a valid string."}]}
    member.refresh_from_db()
    assert member.erased_at is None and member.display_name == "Marc" and member.device_tokens.exists()
    assert client.get("/api/v1/auth/me/").status_code == 200


def test_wrong_passwords_are_throttled_like_logins(client_for, member):
    client = client_for(member)
    for _ in range(5):
        client.delete("/api/v1/auth/me/", {"password": "guess"}, format="json")
    throttled = client.delete("/api/v1/auth/me/", {"password": PASSWORD}, format="json")
    assert (throttled.status_code, throttled.json()["code"]) == (429, "login_throttled")
    assert User.objects.get(pk=member.pk).erased_at is None


def test_erasing_without_authentication_or_twice(client_for, member):
    assert client_for().delete("/api/v1/auth/me/", {"password": PASSWORD}, format="json").status_code == 401
    client = client_for(member)
    assert client.delete("/api/v1/auth/me/", {"password": PASSWORD}, format="json").status_code == 204
    again = client.delete("/api/v1/auth/me/", {"password": PASSWORD}, format="json")
    assert (again.status_code, again.json()["code"]) == (401, "invalid_token")
