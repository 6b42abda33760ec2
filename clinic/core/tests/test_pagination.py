"""A page of a long list without counting it (`clinic.core.pagination`)."""

import pytest

from clinic.core.models import Location
from clinic.core.pagination import MAX_PAGE, page_number_of, window


@pytest.mark.parametrize(
    ("typed", "number"),
    [
        ("2", 2),
        (" 3 ", 3),
        (1, 1),
        ("0", 1),
        ("-4", 1),
        ("banana", 1),
        ("", 1),
        (None, 1),
        ("1e3", 1),
        (str(MAX_PAGE), MAX_PAGE),
        (str(MAX_PAGE + 1), 1),
        ("9" * 400, 1),
    ],
)
def test_a_page_number_is_a_positive_integer_or_the_first_page(typed, number):
    assert page_number_of(typed) == number


@pytest.mark.django_db
def test_a_window_fetches_one_row_more_to_know_whether_a_page_follows(
    location, django_assert_num_queries
):
    rows = Location.objects.order_by("pk")
    with django_assert_num_queries(1):
        page = window(rows, 1, per_page=1)
    assert list(page) == [location]
    assert (page.has_next, page.has_previous, page.start_index, page.end_index) == (
        False,
        False,
        1,
        1,
    )
    past_the_end = window(rows, 5, per_page=1)
    assert list(past_the_end) == [] and past_the_end.start_index == 0


@pytest.mark.django_db
def test_a_window_refuses_an_unordered_list():
    with pytest.raises(ValueError, match="unordered"):
        window(Location.objects.order_by(), 1, per_page=10)
