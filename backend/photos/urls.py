from django.urls import path

from backend.photos import api

urlpatterns = [
    path("", api.ImageUploadApi.as_view(), name="photos-upload"),
    path("<int:image_id>/<str:variant>/", api.ImageFileApi.as_view(), name="photos-file"),
]
