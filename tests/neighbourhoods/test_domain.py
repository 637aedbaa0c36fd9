import pytest

from backend.neighbourhoods import domain
from backend.neighbourhoods.domain import Area, approximate_size_m2, area_errors, bounding_box, contains, distance_m

SQUARE = ((-2.07, 48.64), (-2.05, 48.64), (-2.05, 48.62), (-2.07, 48.62))
# An L shape: the notch at the top right is outside.
L_SHAPE = ((0.0, 0.0), (2.0, 0.0), (2.0, 1.0), (1.0, 1.0), (1.0, 2.0), (0.0, 2.0))


def test_distance_between_saint_malo_and_dinard_is_about_three_km():
    assert 2_500 < distance_m((48.6493, -2.0257), (48.6330, -2.0600)) < 3_200


def test_circle_contains_points_within_its_radius_only():
    circle = Area(center=(48.6493, -2.0257), radius_m=500)
    assert contains(circle, 48.6490, -2.0250)
    assert not contains(circle, 48.6600, -2.0257)  # about 1.2 km north


def test_polygon_contains_inside_points_and_not_the_notch():
    shape = Area(polygon=L_SHAPE)
    assert contains(shape, 0.5, 0.5)
    assert contains(shape, 1.5, 0.5)
    assert not contains(shape, 1.5, 1.5)
    assert not contains(shape, 3.0, 0.5)


def test_bounding_box_of_circle_covers_the_circle():
    min_lat, min_lon, max_lat, max_lon = bounding_box(Area(center=(48.6493, -2.0257), radius_m=500))
    assert distance_m((min_lat, -2.0257), (48.6493, -2.0257)) == pytest.approx(500, rel=0.01)
    assert distance_m((48.6493, max_lon), (48.6493, -2.0257)) == pytest.approx(500, rel=0.01)
    assert min_lat < 48.6493 < max_lat and min_lon < -2.0257 < max_lon


def test_bounding_box_of_polygon():
    assert bounding_box(Area(polygon=SQUARE)) == (48.62, -2.07, 48.64, -2.05)


@pytest.mark.parametrize(
    "area, message",
    [
        (Area(), "either a polygon or a centre"),
        (Area(polygon=SQUARE, center=(48.0, -2.0), radius_m=10), "either a polygon or a centre"),
        (Area(polygon=((0.0, 0.0), (1.0, 1.0))), "at least 3"),
        (Area(polygon=((0.0, 0.0), (1.0, 1.0), (0.0, 0.0))), "at least 3"),
        (Area(polygon=((0.0, 0.0), (1.0, 95.0), (2.0, 0.0))), "valid ranges"),
        (Area(center=(48.0, -2.0)), "both a centre and a radius"),
        (Area(center=(91.0, -2.0), radius_m=100), "not a valid latitude"),
        (Area(center=(48.0, -2.0), radius_m=0), "radius must be"),
        (Area(center=(48.0, -2.0), radius_m=60_000), "radius must be"),
    ],
)
def test_area_errors_name_what_is_wrong(area, message):
    errors = area_errors(area)
    assert errors and message in errors[0]


def test_valid_areas_have_no_errors():
    assert area_errors(Area(polygon=SQUARE)) == []
    assert area_errors(Area(center=(48.0, -2.0), radius_m=500)) == []


def test_size_orders_a_small_circle_before_a_large_square():
    square = approximate_size_m2(Area(polygon=SQUARE))
    assert 3_000_000 < square < 3_300_000  # about 1.47 km x 2.22 km
    assert approximate_size_m2(Area(center=(48.63, -2.06), radius_m=100)) < square


def test_snapping_hides_a_point_in_a_cell_of_about_150_m():
    home = (48.6493, -2.0257)
    cell = domain.snap_to_grid(*home)
    assert 0 < domain.distance_m(home, cell) <= 150 * 0.75
    # Every point of the cell gives the same centre; a point two cells away does not.
    assert domain.snap_to_grid(*cell) == cell
    assert domain.snap_to_grid(home[0] + 0.00001, home[1] - 0.00001) == cell
    assert domain.snap_to_grid(home[0] + 0.003, home[1]) != cell
    neighbours_cell = domain.snap_to_grid(home[0] + 150 / 111_320, home[1])
    assert 140 <= domain.distance_m(cell, neighbours_cell) <= 160
