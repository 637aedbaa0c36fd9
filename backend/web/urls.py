from django.urls import path

from backend.web import views

urlpatterns = [
    path("", views.resident_app, name="resident"),
    path("city/", views.city_console, name="city-console"),
    path("web/i18n/<str:language>.json", views.catalogue, name="web-catalogue"),
    path("web/contract/post.json", views.post_schema, name="web-post-schema"),
]
