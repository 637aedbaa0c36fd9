import pytest

from tests.feed.test_domain import VALID


@pytest.fixture
def post_of():
    """Creates a post of `kind` (VALID details) by `author` through the service."""
    from backend.feed.services import post_create

    def make(author, kind="help_request", *, client_id=None, **fields):
        fields.setdefault("title", f"{kind} de {author.display_name}")
        fields.setdefault("details", VALID[kind])
        return post_create(author=author, kind=kind, client_id=client_id or f"{kind}-{author.pk}", **fields).post

    return make
