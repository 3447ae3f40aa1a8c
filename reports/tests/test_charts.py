import datetime as dt
import itertools
from decimal import Decimal
from io import BytesIO

import pytest
from defusedxml import ElementTree as ET
from svglib.svglib import svg2rlg

from metrics.formulas import Totals
from reports.charts import trend_chart_svg

SVG = "{http://www.w3.org/2000/svg}"


def month_of_delivery(days=30):
    start = dt.date(2025, 11, 1)
    return [
        (
            start + dt.timedelta(days=offset),
            Totals(impressions=100_000 + offset * 2_500, spend=Decimal("1500") + offset * 40),
        )
        for offset in range(days)
    ]


def texts(svg):
    return [element.text for element in ET.fromstring(svg).iter(f"{SVG}text")]


def test_bars_line_axes_with_thousands_separators_and_dates():
    svg = trend_chart_svg(month_of_delivery(), width=720, height=260)
    root = ET.fromstring(svg)

    assert (root.get("width"), root.get("height"), root.get("viewBox")) == (
        "720",
        "260",
        "0 0 720 260",
    )
    assert (
        root.find(f"{SVG}title").text == "Impressions and Spend per day, 2025-11-01 to 2025-11-30"
    )
    bars = [rect for rect in root.iter(f"{SVG}rect") if rect.get("fill") == "#9db7e8"]
    assert len(bars) == 30 + 1  # one per day, and the legend's swatch
    assert len(root.findall(f"{SVG}polyline")) == 1
    labels = texts(svg)
    # Left axis: impressions up to 172,500 -> 0 to 200,000; right axis: spend up to $2,660.
    assert {"0", "50,000", "100,000", "150,000", "200,000"} <= set(labels)
    assert {"$0", "$750", "$1,500", "$2,250", "$3,000"} <= set(labels)
    assert "Nov 1" in labels and "Nov 29" in labels
    assert "Impressions (left axis)" in labels and "Spend (right axis)" in labels


def test_date_labels_never_crowd():
    labels = [label for label in texts(trend_chart_svg(month_of_delivery(90))) if " " in label]
    dates = [label for label in labels if label.split()[0] in {"Nov", "Dec", "Jan"}]
    assert 5 <= len(dates) <= 12


@pytest.mark.parametrize("width", [360, 720, 1100])
@pytest.mark.parametrize("days", [7, 29, 30, 31, 90])
def test_date_labels_never_touch_at_any_size(width, days):
    root = ET.fromstring(trend_chart_svg(month_of_delivery(days), width=width, height=260))
    xs = [
        float(text.get("x"))
        for text in root.iter(f"{SVG}text")
        if text.text.split()[0] in {"Nov", "Dec", "Jan"} and text.get("text-anchor") == "middle"
    ]
    assert xs
    assert all(right - left >= 50 for left, right in itertools.pairwise(xs))


def test_an_empty_period_still_draws_axes_and_says_so():
    days = [(dt.date(2025, 11, 3) + dt.timedelta(days=offset), Totals()) for offset in range(7)]
    labels = texts(trend_chart_svg(days))
    assert "No delivery in this period" in labels
    assert "0" in labels and "$0" in labels
    assert "No delivery in this period" in texts(trend_chart_svg([]))


def test_other_measures_and_their_units():
    days = [
        (
            dt.date(2025, 11, 3),
            Totals(impressions=1000, clicks=5, conversion_revenue=Decimal(9), spend=Decimal(3)),
        )
    ]
    labels = texts(trend_chart_svg(days, measures=("clicks", "roas")))
    assert "Clicks (left axis)" in labels and "ROAS (right axis)" in labels
    assert "300%" in labels
    with pytest.raises(ValueError, match="cannot chart 'reach'"):
        trend_chart_svg(days, measures=("impressions", "reach"))


def test_svglib_draws_it_as_the_pdf_renderer_does():
    drawing = svg2rlg(BytesIO(trend_chart_svg(month_of_delivery()).encode()))
    assert drawing is not None
    assert (drawing.width, drawing.height) == (540, 195)  # 720 x 260 px in points
    assert len(drawing.contents[0].contents) > 60  # every bar, line, label made it


def test_a_narrow_chart_wraps_its_legend_and_marks_gaps_with_their_reason():
    days = month_of_delivery(10)
    gaps = {days[3][0]: "no data: file not delivered", days[4][0]: "no data: not yet pulled"}
    svg = trend_chart_svg(
        days, width=360, height=260, measures=("impressions", "conversions"), gaps=gaps
    )
    root = ET.fromstring(svg)
    legend = [
        text
        for text in root.iter("{http://www.w3.org/2000/svg}text")
        if text.get("font-size") == "12" and text.get("fill") == "#1d2433"
    ]
    assert [text.text for text in legend] == [
        "Impressions (left axis)",
        "Conversions (right axis)",
        "No data: file not delivered",
        "No data: not yet pulled",
    ]
    # Every legend entry fits the chart's width (about 6.6 units per character at 12).
    assert all(float(text.get("x")) + len(text.text) * 6.6 <= 360 for text in legend)
    assert len({text.get("y") for text in legend}) > 1
    # The line breaks over the two gap days: two runs, no point drawn on them.
    assert len(list(root.iter("{http://www.w3.org/2000/svg}polyline"))) == 2
