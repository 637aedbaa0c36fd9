from django import forms
from django.contrib import admin

from backend.neighbourhoods import services
from backend.neighbourhoods.models import Neighbourhood


class NeighbourhoodForm(forms.ModelForm):
    class Meta:
        model = Neighbourhood
        fields = "__all__"

    def clean(self):
        cleaned = super().clean()
        candidate = Neighbourhood(
            polygon=cleaned.get("polygon"),
            center_latitude=cleaned.get("center_latitude"),
            center_longitude=cleaned.get("center_longitude"),
            radius_m=cleaned.get("radius_m"),
        )
        services.neighbourhood_validate(neighbourhood=candidate)
        return cleaned


@admin.register(Neighbourhood)
class NeighbourhoodAdmin(admin.ModelAdmin):
    form = NeighbourhoodForm
    list_display = ["name", "slug", "country", "locale", "created_at"]
    search_fields = ["name", "slug"]
    prepopulated_fields = {"slug": ["name"]}
    filter_horizontal = ["moderators"]

    def save_model(self, request, obj, form, change):
        services.neighbourhood_save(neighbourhood=obj)
