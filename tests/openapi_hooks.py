"""Schemathesis hooks for tests/test_openapi_conformance.py, loaded by `st run` through
SCHEMATHESIS_HOOKS: each request carries the identity's token, the operations that
end the caller's session carry a throwaway token of the same person instead, so they
do not log the identity out for the rest of the run, and the erasure of her account
carries the token of a throwaway person whose password no request can give."""

import json
import os

import schemathesis

# Operations that end the session (or the token) they are called with.
SESSION_ENDING = {"auth_logout", "auth_tokens_revoke"}
# Operations that end the person who calls them.
PERSON_ENDING = {"auth_me_erase"}

_token = os.environ.get("VOISINS_ST_TOKEN", "")
_main_token_id = int(os.environ.get("VOISINS_ST_TOKEN_ID", "0"))
_throwaway: list[list] = json.loads(os.environ.get("VOISINS_ST_THROWAWAY", "[]"))
_throwaway_person_token = os.environ.get("VOISINS_ST_THROWAWAY_PERSON_TOKEN", "")


@schemathesis.hook
def before_call(context, case, kwargs):
    token = _token
    operation_id = case.operation.definition.raw.get("operationId")
    if operation_id in PERSON_ENDING:
        token = _throwaway_person_token
    elif operation_id in SESSION_ENDING and _throwaway:
        token_id, token = _throwaway.pop()
        # A generated id that happens to be the identity's own token revokes the
        # throwaway one instead.
        if case.path_parameters and case.path_parameters.get("token_id") == _main_token_id:
            case.path_parameters["token_id"] = token_id
    if token:
        case.headers = {**(case.headers or {}), "Authorization": f"Bearer {token}"}
