"""backend/photos/services.py: attaching, deleting, the sweep of unattached images."""

from datetime import timedelta

import pytest
from django.utils import timezone

from backend.common.errors import VoisinsError
from backend.photos import services
from backend.photos.models import Image
from tests.photos.conftest import stored_files

pytestmark = pytest.mark.django_db


def test_attach_in_order_then_never_again(uploaded, member):
    first, second = uploaded(member), uploaded(member)
    attached = services.images_attach(owner=member, image_ids=[second, first, second], kind="post", object_id=5)
    assert [image.pk for image in attached] == [second, first]
    rows = {image.pk: image for image in Image.objects.all()}
    assert (rows[second].position, rows[first].position) == (0, 1)
    assert {(image.attached_kind, image.attached_id) for image in rows.values()} == {("post", 5)}
    with pytest.raises(VoisinsError) as refused:
        services.images_attach(owner=member, image_ids=[first], kind="post", object_id=6)
    assert refused.value.code == "image_already_attached"


def test_attach_refuses_too_many_and_someone_elses(uploaded, member, moderator):
    mine = [uploaded(member) for _ in range(7)]
    with pytest.raises(VoisinsError) as refused:
        services.images_attach(owner=member, image_ids=mine, kind="post", object_id=5)
    assert refused.value.code == "too_many_images" and refused.value.params == {"max": 6}
    theirs = uploaded(moderator)
    with pytest.raises(VoisinsError) as refused:
        services.images_attach(owner=member, image_ids=[mine[0], theirs], kind="post", object_id=5)
    assert refused.value.code == "image_not_found"
    with pytest.raises(VoisinsError) as refused:
        services.images_attach(owner=member, image_ids=[999_999], kind="post", object_id=5)
    assert refused.value.code == "image_not_found"
    assert not Image.objects.exclude(attached_kind="").exists()


@pytest.mark.django_db(transaction=True)
def test_deleting_the_object_deletes_the_files_once_committed(uploaded, member):
    image_id = uploaded(member)
    services.images_attach(owner=member, image_ids=[image_id], kind="post", object_id=5)
    assert len(stored_files()) == 2
    assert services.images_delete(kind="post", object_ids=[5]) == 1
    assert not Image.objects.exists() and stored_files() == []


@pytest.mark.django_db(transaction=True)
def test_the_sweep_deletes_what_nobody_attached_within_a_day(uploaded, member):
    old, kept, recent = uploaded(member), uploaded(member), uploaded(member)
    Image.objects.filter(pk__in=[old, kept]).update(created_at=timezone.now() - timedelta(days=1, minutes=1))
    services.images_attach(owner=member, image_ids=[kept], kind="post", object_id=5)
    from backend.photos.tasks import photos_sweep

    result = photos_sweep.call()
    assert result == {"images_deleted": 1}
    assert set(Image.objects.values_list("pk", flat=True)) == {kept, recent}
    assert len(stored_files()) == 4
    # The chain goes on: the next sweep waits in the queue.
    from django_tasks_db.models import DBTaskResult

    assert DBTaskResult.objects.filter(task_path="backend.photos.tasks.photos_sweep", status="READY").count() == 1
