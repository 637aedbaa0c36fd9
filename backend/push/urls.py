from django.urls import path

from backend.push import api

urlpatterns = [
    path("devices/", api.DeviceApi.as_view(), name="push-device"),
    path("devices/unregister/", api.DeviceUnregisterApi.as_view(), name="push-device-unregister"),
    path("preferences/", api.PreferencesApi.as_view(), name="push-preferences"),
    path("mutes/", api.MuteListApi.as_view(), name="push-mutes"),
    path("mutes/<int:room_id>/", api.MuteApi.as_view(), name="push-mute"),
]
