from django.apps import AppConfig


class PhotosConfig(AppConfig):
    name = "backend.photos"
    label = "photos"

    def ready(self) -> None:
        # HEIC and HEIF (iPhones) open through Pillow like the other formats.
        from pillow_heif import register_heif_opener

        register_heif_opener()
