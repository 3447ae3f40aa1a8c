import pytest

from campaigns.tests.factories import CreativeFactory
from metrics.tests.factories import rollups_built
from portal.tests.test_dashboard import browser_for, text_of
from tests.report_data import days_ago, deliver

pytestmark = pytest.mark.django_db


def test_a_campaign_page_lists_its_strategies_with_breadcrumbs(user_a, tree):
    yesterday = days_ago(1).isoformat()
    start = days_ago(30).isoformat()
    page = browser_for(user_a).get(
        f"/campaigns/{tree['spring'].pk}/?start_date={start}&end_date={yesterday}"
    )
    assert page.status_code == 200
    text = text_of(page)
    assert "Spring Sale" in text and "Acme Foods · Surfside campaign" in text
    assert "Prospecting" in text and "Retargeting" in text
    assert "341,210" in text  # Prospecting
    assert "Beach Days" not in text
    html = page.content.decode()
    # The range carries over to the breadcrumb and to the next level.
    assert f'href="/dashboard/?start_date={start}&amp;end_date={yesterday}"' in html
    assert f'href="/strategies/{tree["prospecting"].pk}/?start_date={start}' in html


def test_the_drilldown_reaches_creatives(user_a, tree):
    browser = browser_for(user_a)
    strategy = text_of(browser.get(f"/strategies/{tree['prospecting'].pk}/"))
    assert "Homepage" in strategy and "Campaign Spring Sale" in strategy
    placement = browser.get(f"/placements/{tree['homepage'].pk}/")
    text = text_of(placement)
    assert "Creatives" in text
    # One creative name in two sizes: two rows.
    assert "Banner 300x250" in text and "Banner 728x90" in text
    assert "Strategy Prospecting" in text
    assert "300,000" in text and "41,210" in text


def test_another_clients_objects_are_404(user_b, tree):
    browser = browser_for(user_b)
    for path in (
        f"/campaigns/{tree['spring'].pk}/",
        f"/strategies/{tree['prospecting'].pk}/",
        f"/placements/{tree['homepage'].pk}/",
        "/campaigns/999999/",
        "/campaigns/abc/",
    ):
        assert browser.get(path).status_code == 404, path


def test_admins_open_any_clients_drilldown(admin_user, client_a, tree):
    page = browser_for(admin_user).get(f"/campaigns/{tree['spring'].pk}/?client_id={client_a.pk}")
    assert page.status_code == 200
    assert "Acme Foods" in text_of(page)


def test_drilldown_query_count_does_not_grow_with_rows(user_a, tree, django_assert_num_queries):
    browser = browser_for(user_a)
    path = f"/strategies/{tree['prospecting'].pk}/"
    browser.get(path)
    # Session, user, the strategy with its campaign and client, its source's days with data and
    # its paired sums (the comparison), its totals per day and the compared period's,
    # placements count, page and names, the user's client in the header; one per kind of
    # annotation (manual, CPM changes, missing files, flights, restatements).
    with django_assert_num_queries(16):
        assert browser.get(path).status_code == 200
    rows = [
        deliver(CreativeFactory(placement__strategy=tree["prospecting"]), days_ago(day), 10)
        for day in range(1, 20)
    ]
    rollups_built(*rows)
    with django_assert_num_queries(16):
        assert browser.get(path + "?ordering=name").status_code == 200
