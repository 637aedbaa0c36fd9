from django.core.exceptions import ValidationError

from backend.neighbourhoods import domain
from backend.neighbourhoods.models import Neighbourhood


def neighbourhood_validate(*, neighbourhood: Neighbourhood) -> domain.Area:
    try:
        area = neighbourhood.area
        errors = domain.area_errors(area)
    except (TypeError, ValueError) as exc:
        raise ValidationError("Each polygon point is [longitude, latitude].") from exc
    if errors:
        raise ValidationError(errors)
    return area


def neighbourhood_save(*, neighbourhood: Neighbourhood) -> Neighbourhood:
    """Validates the area, stores its bounding box, saves."""
    area = neighbourhood_validate(neighbourhood=neighbourhood)
    (
        neighbourhood.min_latitude,
        neighbourhood.min_longitude,
        neighbourhood.max_latitude,
        neighbourhood.max_longitude,
    ) = domain.bounding_box(area)
    neighbourhood.save()
    return neighbourhood
