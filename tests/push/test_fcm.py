"""What FCM's error answers mean, as firebase-admin's exception classes (no database)."""

import json

import pytest

from backend.push.fcm import error_class
from tests.push import fake_fcm as answers


@pytest.mark.parametrize("answer, expected", [
    (answers.UNREGISTERED, "UnregisteredError"),
    (answers.INVALID, "InvalidArgumentError"),
    (answers.SENDER_MISMATCH, "SenderIdMismatchError"),
    (answers.UNAVAILABLE, "UnavailableError"),
    (answers.APNS_AUTH, "ThirdPartyAuthError"),
    (answers.quota_exceeded(retry_after=5), "QuotaExceededError"),
    (answers.fcm_error(429, "RESOURCE_EXHAUSTED"), "ResourceExhaustedError"),
    (answers.fcm_error(500, "INTERNAL"), "InternalError"),
])
def test_an_fcm_error_is_named_as_the_sdk_names_it(answer, expected):
    status, body, _ = answer
    assert error_class(status, json.dumps(body).encode()) == expected


@pytest.mark.parametrize("status, body, expected", [
    (503, b"<html>Service Unavailable</html>", "UnavailableError"),  # a proxy's page
    (404, b"", "NotFoundError"),
    (418, b"{}", "UnknownError"),
    (400, b'{"error": {"status": "SOMETHING_NEW"}}', "UnknownError"),
    (400, b'["not", "an", "object"]', "InvalidArgumentError"),
])
def test_an_answer_that_is_not_fcm_s_json_falls_back_to_its_http_status(status, body, expected):
    assert error_class(status, body) == expected
