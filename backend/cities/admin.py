"""Staff create and verify organisations, draw their area (neighbourhoods, residences)
and name their first administrator here; the administrators manage agents themselves."""

from django import forms
from django.contrib import admin, messages
from django.utils import timezone

from backend.cities import services
from backend.cities.models import Agent, CivicReport, Organisation, Residence
from backend.common.admin import ReadOnlyAdmin


class ResidenceForm(forms.ModelForm):
    class Meta:
        model = Residence
        fields = ["name", "neighbourhood", "polygon", "center_latitude", "center_longitude", "radius_m"]

    def clean(self):
        cleaned = super().clean()
        if cleaned.get("neighbourhood") is not None:
            services.residence_validate(residence=Residence(
                neighbourhood=cleaned["neighbourhood"], polygon=cleaned.get("polygon"),
                center_latitude=cleaned.get("center_latitude"), center_longitude=cleaned.get("center_longitude"),
                radius_m=cleaned.get("radius_m"),
            ))
        return cleaned


class ResidenceInline(admin.StackedInline):
    model = Residence
    form = ResidenceForm
    extra = 0


class AgentInline(admin.TabularInline):
    model = Agent
    fields = ["user", "role", "added_at", "removed_at"]
    readonly_fields = ["added_at", "removed_at"]
    raw_id_fields = ["user"]
    extra = 0
    can_delete = False  # administrators remove agents (cities_agent_remove), which tells them


@admin.register(Organisation)
class OrganisationAdmin(admin.ModelAdmin):
    list_display = ["name", "kind", "verified_at", "alerts_per_day", "created_at"]
    list_filter = ["kind"]
    search_fields = ["name", "slug"]
    prepopulated_fields = {"slug": ["name"]}
    filter_horizontal = ["neighbourhoods"]
    fields = ["name", "slug", "kind", "neighbourhoods", "alerts_per_day", "verified_at"]
    readonly_fields = ["verified_at"]
    inlines = [ResidenceInline, AgentInline]
    actions = ["verify"]

    def save_model(self, request, obj, form, change):
        if change:
            services.organisation_save(organisation=obj)
        else:
            created = services.organisation_create(name=obj.name, slug=obj.slug, kind=obj.kind,
                                                   alerts_per_day=obj.alerts_per_day)
            obj.pk, obj.voice_id, obj.created_at = created.pk, created.voice_id, created.created_at

    def save_formset(self, request, form, formset, change):
        instances = formset.save(commit=False)
        for instance in instances:
            if isinstance(instance, Residence):
                services.residence_save(residence=instance)
            elif isinstance(instance, Agent):
                if instance.pk is None:
                    instance.added_at, instance.added_by = timezone.now(), request.user
                instance.save()
        formset.save_m2m()

    @admin.action(description="Verify the selected organisations")
    def verify(self, request, queryset):
        for organisation in queryset:
            services.organisation_verify(actor=request.user, organisation=organisation)
        messages.success(request, f"{queryset.count()} organisation(s) verified.")


@admin.register(CivicReport)
class CivicReportAdmin(ReadOnlyAdmin):
    list_display = ["pk", "category", "status", "organisation", "neighbourhood", "created_at"]
    list_filter = ["status", "organisation", "neighbourhood"]
