from plumbing.limits import RateLimiter


def test_a_partner_gets_its_budget_then_waits_until_it_refills() -> None:
    limiter = RateLimiter(per_minute=3)
    assert [limiter.retry_after("vitens", now=0.0) for _ in range(3)] == [0, 0, 0]
    assert limiter.retry_after("vitens", now=0.0) == 20  # one request every 20 s
    assert limiter.retry_after("menzis", now=0.0) == 0  # budgets are per partner
    assert limiter.retry_after("vitens", now=20.0) == 0
    assert limiter.retry_after("vitens", now=20.0) > 0


def test_a_page_number_too_large_for_the_database_is_not_asked_for() -> None:
    from plumbing.paging import MAX_PAGE, page_number

    assert page_number(str(MAX_PAGE)) == MAX_PAGE
    assert page_number("40140460690287682651993866764288") == 1  # a page's link: the first page
