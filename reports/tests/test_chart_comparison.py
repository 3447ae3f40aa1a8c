import datetime as dt
from io import BytesIO

from defusedxml import ElementTree as ET
from svglib.svglib import svg2rlg

from metrics.formulas import Totals
from reports.charts import COMPARISON_COLOUR, trend_chart_svg

SVG = "{http://www.w3.org/2000/svg}"
WEEK = [(dt.date(2025, 11, 24) + dt.timedelta(days=n), Totals(impressions=1000)) for n in range(3)]


def dashed(svg):
    root = ET.fromstring(svg)
    return [
        element
        for element in root.iter()
        if element.get("stroke") == COMPARISON_COLOUR and element.get("stroke-dasharray")
    ]


def test_the_compared_days_are_a_dashed_line_paired_by_offset_broken_where_empty():
    before = [
        (dt.date(2025, 11, 17), Totals(impressions=2000)),
        (dt.date(2025, 11, 18), Totals(impressions=1000)),
        (dt.date(2025, 11, 19), Totals()),  # no data: the line breaks
        (dt.date(2025, 11, 20), Totals(impressions=9999)),  # past the range: not drawn
    ]
    svg = trend_chart_svg(
        WEEK,
        width=400,
        height=200,
        measures=("impressions",),
        comparison=before,
        comparison_label="Nov 17\u201319",
    )

    line, legend = dashed(svg)
    # Two points over the first two days; the axis tops at 2,000 (the compared maximum).
    assert len(line.get("points").split()) == 2
    assert "2,000" in [text.text for text in ET.fromstring(svg).iter(f"{SVG}text")]
    assert legend.tag == f"{SVG}line"
    assert "Impressions, Nov 17\u201319" in svg
    # The PDF's renderer draws it too.
    assert svg2rlg(BytesIO(svg.encode())) is not None


def test_no_comparison_draws_no_dashed_line():
    assert dashed(trend_chart_svg(WEEK, measures=("impressions",))) == []
