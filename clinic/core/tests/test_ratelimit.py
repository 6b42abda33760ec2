from clinic.core.ratelimit import hit_and_check


def test_hits_within_the_limit_pass_and_the_next_is_refused():
    results = [
        hit_and_check(scope="t", key="1.2.3.4", limit=3, window_seconds=60) for _ in range(4)
    ]
    assert results == [True, True, True, False]


def test_each_key_has_its_own_counter():
    for _ in range(3):
        hit_and_check(scope="t", key="a", limit=3, window_seconds=60)
    assert hit_and_check(scope="t", key="b", limit=3, window_seconds=60)
