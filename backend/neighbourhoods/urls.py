from django.urls import path

from backend.neighbourhoods import api

urlpatterns = [
    path("lookup/", api.NeighbourhoodLookupApi.as_view(), name="neighbourhoods-lookup"),
]
