import html as html_module
import re

import pytest
from django.http import HttpResponse
from django.test import Client as BrowserClient

from accounts.tests.factories import UserFactory
from campaigns.tests.factories import CreativeFactory
from metrics.tests.factories import rollups_built
from tests.report_data import days_ago, deliver

pytestmark = pytest.mark.django_db


def browser_for(user):
    browser = BrowserClient()
    browser.force_login(user)
    return browser


def text_of(response) -> str:
    """The page's visible text, tags stripped and spaces collapsed."""
    html = re.sub(r"<(script|style)[^>]*>.*?</\1>", " ", response.content.decode(), flags=re.S)
    return html_module.unescape(re.sub(r"\s+", " ", re.sub(r"<[^>]+>", " ", html)))


def test_the_dashboard_shows_the_clients_figures_for_people(user_a, tree):
    page = browser_for(user_a).get("/dashboard/")
    assert page.status_code == 200
    text = text_of(page)
    assert "Acme Foods" in text
    assert "541,210" in text
    assert "$8,118.15" in text
    # CTR of the sums of the sources that report clicks: 1,041 Surfside clicks / 441,210
    # Surfside impressions (Vibe's CTV cannot be clicked).
    assert "0.24%" in text
    assert "Borealis" not in text and "777,777" not in text


def test_the_range_comes_from_the_url(user_a, tree):
    yesterday = days_ago(1).isoformat()
    page = browser_for(user_a).get(f"/dashboard/?start_date={yesterday}&end_date={yesterday}")
    text = text_of(page)
    assert "341,210" in text  # only yesterday's two rows
    assert "Beach Days" not in text  # ran two days ago


def test_kpis_do_not_compare_periods_that_are_not_alike(user_a, tree):
    """Issue 12: 541,210 impressions against 200,000 showed +170.61 %, though Surfside delivered
    on 2 of the 30 days and once in the 30 days before, and Vibe never before."""
    text = text_of(browser_for(user_a).get("/dashboard/"))
    assert "+170.61%" not in text
    assert "Impressions 541,210 not comparable" in text
    assert "Not comparable with" in text
    assert "Surfside: 2 of 30 days delivered, 1 of 30 in" in text
    assert "Vibe: 1 of 30 days pulled, none in" in text


def test_the_source_filter_narrows_every_figure(user_a, tree):
    text = text_of(browser_for(user_a).get("/dashboard/?source=vibe"))
    assert "Vibe only" in text
    assert "100,000" in text and "Spring Sale" not in text


def test_days_without_data_say_why(user_a, tree):
    text = text_of(browser_for(user_a).get("/dashboard/"))
    missing = days_ago(3)
    assert f"File not delivered: {missing:%b} {missing.day}" in text


def section(page, marker: str) -> str:
    """The visible text of the page's element that starts at ``marker``."""
    html = page.content.decode()
    start = html.index(marker)
    return text_of(HttpResponse(html[start : html.index("</section>", start)]))


def test_data_status_and_the_source_filter_speak_of_the_clients_own_sources(user_a, tree, client_b):
    page = browser_for(user_a).get("/dashboard/")
    status = section(page, 'aria-labelledby="freshness-title"')
    assert "Surfside" in status and "Vibe" in status
    assert "Facebook" not in status and "No data so far" not in status
    # Vibe first delivered two days ago: the 28 days before are not missing, yesterday is.
    yesterday = days_ago(1)
    assert (
        f"1 of 2 days since the first delivery ({days_ago(2):%b} {days_ago(2).day}) have data. "
        f"Not yet pulled: {yesterday:%b} {yesterday.day}"
    ) in status
    assert source_options(page) == ["", "surfside", "vibe"]

    # Client B delivers through Surfside alone.
    page = browser_for(UserFactory(client=client_b)).get("/dashboard/")
    status = section(page, 'aria-labelledby="freshness-title"')
    assert "Surfside" in status and "Vibe" not in status and "Facebook" not in status
    assert source_options(page) == ["", "surfside"]


def source_options(page) -> list[str]:
    select = page.content.decode().split('id="id_source"')[1].split("</select>")[0]
    return re.findall(r'<option value="(\w*)"', select)


def test_a_bad_range_is_explained_and_the_default_shown(user_a, tree):
    text = text_of(browser_for(user_a).get("/dashboard/?start_date=2025-13-01"))
    assert "From: Use a date like 2025-03-01 (YYYY-MM-DD)." in text
    assert "Showing the last 30 days instead." in text
    assert "541,210" in text
    text = text_of(browser_for(user_a).get("/dashboard/?start_date=2025-03-02&end_date=2025-03-01"))
    assert (
        "The range starts on Mar 2, 2025, after it ends on Mar 1, 2025: choose a start on or "
        "before the end."
    ) in text


def test_an_empty_range_explains_what_to_do(user_a, tree):
    page = browser_for(user_a).get("/dashboard/?start_date=2020-01-01&end_date=2020-01-31")
    text = text_of(page)
    assert "No delivery from Jan 1 to Jan 31, 2020" in text
    assert "Upload an Ads Manager export" in text


def test_campaigns_are_sortable_and_link_to_their_strategies(user_a, tree):
    page = browser_for(user_a).get("/dashboard/?ordering=name")
    html = page.content.decode()
    assert html.index("Beach Days") < html.index("Spring Sale")
    assert f'href="/campaigns/{tree["spring"].pk}/?start_date=' in html
    assert 'aria-sort="ascending"' in html
    html = browser_for(user_a).get("/dashboard/").content.decode()  # spend, largest first
    assert html.index("Spring Sale") < html.index("Beach Days")


def test_admins_see_every_client_or_pick_one(admin_user, client_a, client_b, tree):
    browser = browser_for(admin_user)
    text = text_of(browser.get("/dashboard/"))
    assert "All clients" in text and "1,318,987" in text
    page = browser.get(f"/dashboard/?client_id={client_b.pk}")
    text = text_of(page)
    assert "Borealis Travel" in text and "777,777" in text and "Spring Sale" not in text
    assert f'<option value="{client_b.pk}" selected>' in page.content.decode()


def test_the_campaign_table_is_paginated(user_a, client_a):
    rows = [
        deliver(CreativeFactory(placement__strategy__campaign__client=client_a), days_ago(1), 10)
        for _ in range(30)
    ]
    rollups_built(*rows)
    browser = browser_for(user_a)
    first = browser.get("/dashboard/")
    assert "Page 1 of 2" in text_of(first)
    assert "page=2" in first.content.decode()
    second = text_of(browser.get("/dashboard/?page=2"))
    assert "Page 2 of 2" in second


def test_dashboard_query_count_does_not_grow_with_rows(
    user_a, client_a, tree, django_assert_num_queries
):
    browser = browser_for(user_a)
    browser.get("/dashboard/")  # warm the session

    # Session, user, client shown; totals with the previous period; campaign count, page and
    # names; totals per day (the trend); days with data per source, freshness, and the reasons
    # of each source's empty days; the user's client in the header; the insertion orders flying
    # in the range (pacing adds a constant four when there are some); one per kind of annotation
    # (manual, CPM changes, missing files, flights, restatements); the restatements of the range;
    # the clients being re-priced; the comparison (both periods per source and day, and the
    # compared period's days for the chart).
    with django_assert_num_queries(24):
        assert browser.get("/dashboard/").status_code == 200

    rows = [
        deliver(CreativeFactory(placement__strategy__campaign__client=client_a), days_ago(d), 10)
        for d in range(1, 30)
        for _ in range(2)
    ]
    rollups_built(*rows)
    with django_assert_num_queries(24):
        assert browser.get("/dashboard/?ordering=-ctr").status_code == 200


def test_a_cost_with_nothing_to_divide_by_shows_a_dash(user_a, tree):
    html = browser_for(user_a).get("/dashboard/?ordering=name").content.decode()
    beach = html[html.index("Beach Days") : html.index("</tr>", html.index("Beach Days"))]
    cells = re.findall(r'<td class="num">([^<]*)</td>', beach)
    # Impressions, clicks, CTR, conversions, revenue, spend, CPC, CPA (no conversions), ROAS;
    # Beach Days runs on Vibe (CTV), which reports no clicks: clicks, CTR and CPC are n/a.
    assert cells == [
        "100,000",
        "n/a",
        "n/a",
        "0",
        "$0.00",
        "$1,500.00",
        "n/a",
        "\u2013",
        "0.00%",
    ]


def test_the_daily_trend_is_drawn_and_given_as_a_table(user_a, tree):
    page = browser_for(user_a).get("/dashboard/")
    html = page.content.decode()
    assert html.count('<svg xmlns="http://www.w3.org/2000/svg"') == 2  # wide and narrow
    # Spend is impressions x CPM: the default pairs impressions with conversions instead.
    assert "Impressions and Conversions per day" in html
    yesterday = days_ago(1)
    text = text_of(page)
    assert (
        f"{yesterday:%a}, {yesterday:%b} {yesterday.day} 341,210 641 13 $1,280.50 $5,118.15" in text
    )


def test_the_chart_shows_the_measures_picked_and_days_without_data_as_gaps(user_a, tree):
    browser = browser_for(user_a)
    html = browser.get("/dashboard/?chart=ctr&chart=cpa").content.decode()
    assert "CTR and CPA per day" in html
    assert '<option value="ctr" selected>' in html and '<option value="cpa" selected>' in html
    html = browser.get("/dashboard/?chart=roas&chart=").content.decode()
    assert "ROAS per day" in html and "(left axis)" not in html
    # Nonsense falls back to the default.
    assert (
        "Impressions and Conversions per day"
        in browser.get("/dashboard/?chart=reach").content.decode()
    )
    # Three days ago Surfside's file never came: a gap with its reason, not a dip to zero.
    html = browser.get("/dashboard/").content.decode()
    assert html.count('fill="#f6d9c4"') >= 2 * 2  # the band and the legend key, in both charts
    assert "No data: file not delivered" in html


def test_export_buttons_download_what_is_on_screen(user_a, client_a, tree):
    start, end = days_ago(10).isoformat(), days_ago(1).isoformat()
    browser = browser_for(user_a)
    html = browser.get(
        f"/dashboard/?start_date={start}&end_date={end}&source=surfside&ordering=name"
    ).content.decode()
    query = f"start_date={start}&amp;end_date={end}&amp;source=surfside"
    # CSV and Excel: a form with the slice on screen and the grain to pick.
    for name, value in (("start_date", start), ("end_date", end), ("source", "surfside")):
        assert f'<input type="hidden" name="{name}" value="{value}">' in html
    assert (
        '<select name="grain"><option value="creative_day">Creative by day</option>'
        '<option value="campaign_day">Campaign by day</option>'
        '<option value="campaign">Campaign totals</option></select>'
    ) in html
    for name in ("csv", "xlsx"):
        assert f'formaction="/api/v1/exports/{name}" data-export="{name}"' in html
    # The PDF draws the chart on screen.
    assert f'href="/api/v1/exports/pdf?{query}&amp;chart=impressions%2Cconversions"' in html
    # The session of the page is enough for the API.
    response = browser.get(f"/api/v1/exports/csv?{query.replace('&amp;', '&')}")
    assert response.status_code == 200
    body = b"".join(response.streaming_content) if response.streaming else response.content
    assert b"Spring Sale" in body and b"Beach Days" not in body and b"Borealis" not in body
    # What the form sends with a grain picked.
    response = browser.get(f"/api/v1/exports/csv?{query.replace('&amp;', '&')}&grain=campaign")
    body = b"".join(response.streaming_content) if response.streaming else response.content
    assert body.decode("utf-8-sig").splitlines()[0].startswith("Client,Source,Campaign,Impr")


def test_the_chosen_chart_measures_survive_a_change_of_range(user_a, tree):
    page = browser_for(user_a).get("/dashboard/?chart=clicks&chart=ctr").content.decode()
    presets = re.findall(r'class="chip" href="([^"]*)"', page)
    assert presets and all("chart=clicks%2Cctr" in link for link in presets)
    assert '<input type="hidden" name="chart" value="clicks,ctr">' in page
    # Sorting the campaigns keeps them too (it used to fall back to the default chart).
    sorts = re.findall(r'<th scope="col"[^>]*>\s*<a href="([^"]*)"', page)
    assert sorts and all("chart=clicks%2Cctr" in link for link in sorts)
    # Nothing picked: the links carry no chart, so the page keeps its default.
    plain = browser_for(user_a).get("/dashboard/").content.decode()
    assert "chart=" not in "".join(re.findall(r'class="chip" href="([^"]*)"', plain))
    assert "chart=" not in "".join(re.findall(r'<th scope="col"[^>]*>\s*<a href="([^"]*)"', plain))


def test_a_page_at_the_calendars_edge_explains_and_shows_the_default(user_a, tree):
    response = browser_for(user_a).get("/dashboard/?start_date=0001-01-01&end_date=0001-01-02")
    assert response.status_code == 200
    assert "Use a date between 2000-01-01" in text_of(response)
