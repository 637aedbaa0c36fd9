import time

from django.conf import settings
from django.core.files.storage import FileSystemStorage
from django.http import FileResponse, HttpResponseRedirect
from drf_spectacular.utils import OpenApiParameter, OpenApiResponse, extend_schema
from rest_framework import serializers, status
from rest_framework.negotiation import DefaultContentNegotiation
from rest_framework.parsers import MultiPartParser
from rest_framework.response import Response

from backend.common.api import ApiView, error_responses
from backend.common.errors import VoisinsError
from backend.photos import domain, frames, selectors, services


class ImageOutput(serializers.Serializer):
    """The image object of frontend-contract/websocket/image.json."""

    id = serializers.IntegerField(help_text="Refer to it in `image_ids` (posts) or `images` (messages).")
    width = serializers.IntegerField(help_text="Of the image at `url`: at most 2048 px on its long side.")
    height = serializers.IntegerField()
    thumbnail_width = serializers.IntegerField(help_text="Of the thumbnail: at most 400 px on its long side.")
    thumbnail_height = serializers.IntegerField()
    placeholder = serializers.RegexField(r"^#[0-9a-f]{6}$", help_text="Its average colour, to lay out before loading.")
    content_type = serializers.ChoiceField(
        choices=["image/jpeg", "image/webp"], help_text="Of both files: JPEG, or WebP when it has transparency."
    )
    url = serializers.CharField(help_text="A signed path on this server (`photos_file`), valid until expires_at.")
    thumbnail_url = serializers.CharField(help_text="The same for the thumbnail.")
    expires_at = serializers.DateTimeField(help_text="After it, read the post or message again for fresh links.")


class UploadInput(serializers.Serializer):
    file = serializers.FileField(help_text="JPEG, PNG, WebP or HEIC/HEIF, at most 20 MB and 50 megapixels; the type is "
                                 "read from the content.")
    client_id = serializers.RegexField(
        r"^[A-Za-z0-9_.:-]+$", max_length=64, help_text="Your id for this upload: sending it again returns the first image."
    )


class BoundedMultiPartParser(MultiPartParser):
    """Refuses a body that its Content-Length says is too large (image_too_large) before
    parsing it: the parse would copy it all to a temporary file first. (Under ASGI,
    Django's handler has received the body already, spooled to disk past 2.5 MB; a
    refusal without receiving it would sit in front of Django.) Whoever asks for
    the body first triggers it, the view or, for the session of the pages, the CSRF check
    of authentication. A chunked body, without a length, is measured once parsed
    (services.image_upload)."""

    def parse(self, stream, media_type=None, parser_context=None):
        meta = parser_context["request"].META
        refusal = domain.declared_size_refusal(content_length=meta.get("CONTENT_LENGTH"),
                                               max_bytes=settings.PHOTOS_MAX_BYTES)
        if refusal:
            raise VoisinsError(refusal, max_mb=settings.PHOTOS_MAX_BYTES // (1024 * 1024))
        return super().parse(stream, media_type, parser_context)


class ImageUploadApi(ApiView):
    parser_classes = [BoundedMultiPartParser]

    @extend_schema(
        operation_id="photos_upload",
        request={"multipart/form-data": UploadInput},
        responses={201: ImageOutput, 200: ImageOutput, **error_responses(400, 422, 401, 403, 413, 415, 429, 503)},
        description="Uploads a photo, to attach within a day to a post (`image_ids` of `feed_post_create`) or a "
        "message; unattached, it is deleted. Its orientation is applied, its metadata (EXIF with GPS, XMP, IPTC, "
        "comments) removed; it is stored at most 2048 px on its long side with a 400 px thumbnail, first frame "
        "only. 200 with the first image when the client id was already used. A body whose Content-Length exceeds "
        "the limit by more than 64 KB of form is refused with 413 image_too_large before it is parsed.",
    )
    def post(self, request):
        if "file" not in request.FILES:
            raise VoisinsError("image_missing")
        data = UploadInput(data=request.data)
        data.is_valid(raise_exception=True)
        result = services.image_upload(owner=request.user, upload=data.validated_data["file"],
                                       client_id=data.validated_data["client_id"])
        return Response(ImageOutput(frames.image_body(result.image)).data,
                        status=status.HTTP_201_CREATED if result.created else status.HTTP_200_OK)


NO_STORE = "private, no-store"


class AnyAccept(DefaultContentNegotiation):
    """An <img> asks for image/*: the file answers whatever Accept says, and an error
    answers JSON."""

    def select_renderer(self, request, renderers, format_suffix=None):
        return renderers[0], renderers[0].media_type


class ImageFileApi(ApiView):
    content_negotiation_class = AnyAccept

    @extend_schema(
        operation_id="photos_file",
        parameters=[
            OpenApiParameter("expires", str, required=True, description="As in the signed link."),
            OpenApiParameter("signature", str, required=True, description="As in the signed link."),
        ],
        responses={
            (200, "image/jpeg"): OpenApiResponse(description="The image (or image/webp)."),
            (302, "image/jpeg"): OpenApiResponse(description="With S3 storage: to the object, for a minute."),
            **error_responses(401, 403, 404, 410),
        },
        description="The links of image objects lead here. Besides a valid link, the caller must be authenticated "
        "and able to read what the image is attached to, now: a removed or hidden post or message hides its images "
        "from residents at once (its neighbourhood's moderators still see them).",
    )
    def get(self, request, image_id: int, variant: str):
        refusal = domain.link_refusal(
            image_id, variant, request.query_params.get("expires", ""), request.query_params.get("signature", ""),
            now=time.time(), secret=settings.SECRET_KEY,
        )
        if refusal:
            raise VoisinsError(refusal)
        image = selectors.image_for_reader(user=request.user, image_id=image_id)
        if image is None:
            raise VoisinsError("image_not_found")
        name = image.name if variant == "full" else image.thumbnail_name
        storage = services.photo_storage()
        if isinstance(storage, FileSystemStorage):
            response = FileResponse(storage.open(name, "rb"), content_type=image.content_type)
        else:  # object storage serves the bytes, on a link of its own that lasts a minute
            response = HttpResponseRedirect(storage.url(name, parameters={"ResponseCacheControl": NO_STORE}))
        # Never kept by the browser: a photo removed, hidden or deleted stops showing at
        # once, even to someone who holds its link, and leaves no copy on a shared device.
        response["Cache-Control"] = NO_STORE
        response["X-Content-Type-Options"] = "nosniff"
        return response
