from drf_spectacular.utils import extend_schema
from rest_framework import serializers
from rest_framework.response import Response

from backend.common.api import ApiView, QueryInput, error_responses
from backend.common.errors import VoisinsError
from backend.neighbourhoods import selectors
from backend.neighbourhoods.models import Neighbourhood


class NeighbourhoodOutput(serializers.ModelSerializer):
    class Meta:
        model = Neighbourhood
        fields = ["id", "name", "slug", "country", "locale"]


class PositionInput(QueryInput):
    latitude = serializers.FloatField(min_value=-90, max_value=90)
    longitude = serializers.FloatField(min_value=-180, max_value=180)


class NeighbourhoodLookupApi(ApiView):
    @extend_schema(
        operation_id="neighbourhoods_lookup",
        parameters=[PositionInput],
        responses={200: NeighbourhoodOutput, **error_responses(422)},
        description="The neighbourhood covering the coordinates of an address; 422 no_neighbourhood when none does.",
    )
    def get(self, request):
        position = PositionInput(data=request.query_params)
        position.is_valid(raise_exception=True)
        neighbourhood = selectors.neighbourhood_at(**position.validated_data)
        if neighbourhood is None:
            raise VoisinsError("no_neighbourhood")
        return Response(NeighbourhoodOutput(neighbourhood).data)
