"""Annotation markers on the trend chart: focusable with their text on a page, numbered flags only
in the PDF, kept inside the chart, escaped."""

import datetime as dt
import re

from defusedxml import ElementTree

from core.chart_markers import ChartMarker
from metrics.formulas import Totals
from reports.charts import trend_chart_svg

DAYS = [(dt.date(2025, 11, day), Totals(impressions=1000 * day)) for day in range(1, 8)]
SVG = "{http://www.w3.org/2000/svg}"


def markers(*items):
    return [
        ChartMarker(number, dt.date(2025, 11, start), dt.date(2025, 11, end), text)
        for number, (start, end, text) in enumerate(items, start=1)
    ]


def test_a_page_chart_has_one_focusable_marker_per_annotation_with_its_text():
    svg = trend_chart_svg(
        DAYS,
        measures=("impressions",),
        markers=markers((2, 2, "CPM $15.00 -> $20.00"), (3, 5, "Holiday <creatives> & more")),
    )
    root = ElementTree.fromstring(svg)  # well-formed: the texts are escaped
    assert root.get("role") == "group"
    groups = root.findall(f"{SVG}g[@class='chart-marker']")
    assert [group.get("aria-label") for group in groups] == [
        "Note 1, Nov 2: CPM $15.00 -> $20.00",
        "Note 2, Nov 3 to Nov 5: Holiday <creatives> & more",
    ]
    assert [group.get("tabindex") for group in groups] == ["0", "0"]
    assert [group.find(f"{SVG}title").text for group in groups] == [
        "Note 1, Nov 2: CPM $15.00 -> $20.00",
        "Note 2, Nov 3 to Nov 5: Holiday <creatives> & more",
    ]
    tip = groups[0].find(f"{SVG}g[@class='chart-marker-tip']")
    assert tip.get("visibility") == "hidden"
    assert tip.find(f"{SVG}text").text == "Nov 2: CPM $15.00 -> $20.00"
    # A range is a band along the top from its first day's middle to its last day's.
    band = [rect for rect in root.findall(f"{SVG}rect") if rect.get("height") == "5"]
    assert len(band) == 1
    # Every line and flag comes before the focusable parts: a shown tip is above them all.
    children = list(root)
    assert children.index(groups[0]) > max(
        index for index, child in enumerate(children) if child.get("width") == "14"
    )


def test_the_pdf_chart_draws_numbered_flags_and_nothing_hidden_or_focusable():
    svg = trend_chart_svg(
        DAYS, measures=("impressions",), markers=markers((2, 2, "CPM change")), interactive=False
    )
    assert 'role="img"' in svg
    assert "tabindex" not in svg and "visibility" not in svg and "CPM change" not in svg
    assert re.search(r'<text [^>]*fill="#ffffff" text-anchor="middle">1</text>', svg)


def test_markers_outside_the_days_are_left_out_and_ranges_clipped_to_them():
    svg = trend_chart_svg(
        DAYS,
        measures=("impressions",),
        markers=[
            ChartMarker(1, dt.date(2025, 10, 1), dt.date(2025, 10, 2), "Before"),
            ChartMarker(2, dt.date(2025, 10, 30), dt.date(2025, 11, 2), "Into the range"),
        ],
    )
    assert "Before" not in svg
    assert svg.count('class="chart-marker"') == 1


def test_a_long_text_on_a_phone_chart_stays_inside_it():
    text = "Creative refresh across every placement of the holiday flight " * 3
    svg = trend_chart_svg(
        DAYS, width=360, measures=("impressions",), markers=markers((7, 7, text.strip()))
    )
    root = ElementTree.fromstring(svg)
    tip = root.find(f".//{SVG}g[@class='chart-marker-tip']/{SVG}rect")
    left, width = float(tip.get("x")), float(tip.get("width"))
    assert left >= 8 and left + width <= 360 - 8
    assert root.find(f".//{SVG}g[@class='chart-marker-tip']/{SVG}text").text.endswith("\u2026")
    # The full text stays in the title and the accessible name.
    assert root.find(f".//{SVG}g[@class='chart-marker']").get("aria-label").endswith("flight")


def test_no_markers_leaves_the_chart_as_it_was():
    assert trend_chart_svg(DAYS, markers=()) == trend_chart_svg(DAYS)
    assert 'role="img"' in trend_chart_svg(DAYS)


def test_flags_that_would_touch_stack_downwards():
    # On a phone chart 30 days leave ~7 units a day: flags two days apart would overlap.
    days = [(dt.date(2025, 11, day), Totals(impressions=1000)) for day in range(1, 31)]
    svg = trend_chart_svg(
        days,
        width=360,
        measures=("impressions",),
        markers=markers((2, 2, "A"), (3, 3, "B"), (20, 20, "C")),
    )
    root = ElementTree.fromstring(svg)
    flags = [rect for rect in root.findall(f"{SVG}rect") if rect.get("width") == "14"]
    tops = [float(flag.get("y")) for flag in flags]
    assert tops[1] == tops[0] + 16
    assert tops[2] == tops[0]
