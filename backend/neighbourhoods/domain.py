"""Pure geometry of neighbourhood areas: a polygon (GeoJSON ring of [longitude, latitude])
or a centre and a radius. Distances are good to a few metres at city scale, which is
all an address lookup needs; no GIS extension is required."""

import math
from dataclasses import dataclass

EARTH_RADIUS_M = 6_371_000.0
METRES_PER_DEGREE_LATITUDE = 111_320.0
MAX_RADIUS_M = 50_000
MIN_POLYGON_POINTS = 3


@dataclass(frozen=True)
class Area:
    polygon: tuple[tuple[float, float], ...] | None = None  # ((lon, lat), …)
    center: tuple[float, float] | None = None  # (lat, lon)
    radius_m: float | None = None


def valid_position(latitude: float, longitude: float) -> bool:
    return -90.0 <= latitude <= 90.0 and -180.0 <= longitude <= 180.0


def area_errors(area: Area) -> list[str]:
    """What is wrong with an area, in words for the staff member editing it."""
    has_polygon = area.polygon is not None
    has_circle = area.center is not None or area.radius_m is not None
    if has_polygon == has_circle:
        return ["Give either a polygon or a centre with a radius, not both."]
    if has_polygon:
        points = list(area.polygon)
        if len(points) > 1 and points[0] == points[-1]:
            points = points[:-1]
        if len(points) < MIN_POLYGON_POINTS:
            return [f"A polygon needs at least {MIN_POLYGON_POINTS} distinct points."]
        if not all(valid_position(lat, lon) for lon, lat in points):
            return ["Each polygon point is [longitude, latitude] within valid ranges."]
        return []
    if area.center is None or area.radius_m is None:
        return ["A circle needs both a centre and a radius."]
    if not valid_position(*area.center):
        return ["The centre is not a valid latitude and longitude."]
    if not 0 < area.radius_m <= MAX_RADIUS_M:
        return [f"The radius must be between 1 and {MAX_RADIUS_M} metres."]
    return []


def distance_m(a: tuple[float, float], b: tuple[float, float]) -> float:
    """Haversine distance between two (lat, lon) points."""
    lat1, lon1, lat2, lon2 = map(math.radians, (*a, *b))
    h = math.sin((lat2 - lat1) / 2) ** 2 + math.cos(lat1) * math.cos(lat2) * math.sin((lon2 - lon1) / 2) ** 2
    return 2 * EARTH_RADIUS_M * math.asin(math.sqrt(h))


def bounding_box(area: Area) -> tuple[float, float, float, float]:
    """(min_lat, min_lon, max_lat, max_lon), for a cheap indexed pre-filter."""
    if area.polygon is not None:
        lons = [lon for lon, _ in area.polygon]
        lats = [lat for _, lat in area.polygon]
        return min(lats), min(lons), max(lats), max(lons)
    lat, lon = area.center
    dlat = area.radius_m / METRES_PER_DEGREE_LATITUDE
    dlon = area.radius_m / (METRES_PER_DEGREE_LATITUDE * max(math.cos(math.radians(lat)), 1e-6))
    return lat - dlat, lon - dlon, lat + dlat, lon + dlon


def contains(area: Area, latitude: float, longitude: float) -> bool:
    if area.polygon is not None:
        return _polygon_contains(area.polygon, x=longitude, y=latitude)
    return distance_m(area.center, (latitude, longitude)) <= area.radius_m


def _polygon_contains(ring: tuple[tuple[float, float], ...], *, x: float, y: float) -> bool:
    # Ray casting: count the edges a ray going east from the point crosses.
    inside = False
    n = len(ring)
    for i in range(n):
        x1, y1 = ring[i]
        x2, y2 = ring[(i + 1) % n]
        if (y1 > y) != (y2 > y) and x < x1 + (y - y1) * (x2 - x1) / (y2 - y1):
            inside = not inside
    return inside


def approximate_size_m2(area: Area) -> float:
    """Used to prefer the most specific neighbourhood when two areas overlap."""
    if area.polygon is None:
        return math.pi * area.radius_m**2
    mean_lat = sum(lat for _, lat in area.polygon) / len(area.polygon)
    kx = METRES_PER_DEGREE_LATITUDE * math.cos(math.radians(mean_lat))
    points = [(lon * kx, lat * METRES_PER_DEGREE_LATITUDE) for lon, lat in area.polygon]
    twice = sum(x1 * y2 - x2 * y1 for (x1, y1), (x2, y2) in zip(points, points[1:] + points[:1]))
    return abs(twice) / 2


FUZZ_CELL_M = 150.0


def snap_to_grid(latitude: float, longitude: float, cell_m: float = FUZZ_CELL_M) -> tuple[float, float]:
    """The centre of the grid cell of about `cell_m` metres that holds the point: what a
    map may show instead of an address. Every point of a cell gives the same centre."""
    lat_step = cell_m / METRES_PER_DEGREE_LATITUDE
    row = math.floor(latitude / lat_step)
    center_lat = (row + 0.5) * lat_step
    # Columns are as wide in metres at the latitude of their row's centre.
    lon_step = cell_m / (METRES_PER_DEGREE_LATITUDE * max(math.cos(math.radians(center_lat)), 0.01))
    column = math.floor(longitude / lon_step)
    return round(center_lat, 6), round((column + 0.5) * lon_step, 6)
