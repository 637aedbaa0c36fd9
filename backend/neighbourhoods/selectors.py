from backend.neighbourhoods import domain
from backend.neighbourhoods.models import Neighbourhood


def neighbourhood_at(*, latitude: float, longitude: float) -> Neighbourhood | None:
    """The neighbourhood whose area holds this point; the smallest one where areas overlap."""
    candidates = Neighbourhood.objects.filter(
        min_latitude__lte=latitude,
        max_latitude__gte=latitude,
        min_longitude__lte=longitude,
        max_longitude__gte=longitude,
    )
    matches = [n for n in candidates if domain.contains(n.area, latitude, longitude)]
    return min(matches, key=lambda n: domain.approximate_size_m2(n.area), default=None)
