import base64
import datetime as dt
import struct
import zlib
from io import BytesIO

from pypdf import PdfReader
from xhtml2pdf import pisa
from xhtml2pdf.config.resources import ResourceAccessPolicy

from metrics.formulas import Totals
from metrics.periods import DateRange
from reports.figures import ReportFigures
from reports.pdf import render_pdf, report_pdf


def png_bytes() -> bytes:
    """A 2 x 2 red PNG."""

    def chunk(kind: bytes, data: bytes) -> bytes:
        return (
            struct.pack(">I", len(data)) + kind + data + struct.pack(">I", zlib.crc32(kind + data))
        )

    raw = b"".join(b"\x00" + b"\xff\x00\x00" * 2 for _ in range(2))
    return (
        b"\x89PNG\r\n\x1a\n"
        + chunk(b"IHDR", struct.pack(">IIBBBBB", 2, 2, 8, 2, 0, 0, 0))
        + chunk(b"IDAT", zlib.compress(raw))
        + chunk(b"IEND", b"")
    )


def images_in(pdf: bytes) -> int:
    return sum(len(page.images) for page in PdfReader(BytesIO(pdf)).pages)


def test_the_renderer_fetches_no_local_or_remote_file(tmp_path, caplog):
    picture = tmp_path / "secret.png"
    picture.write_bytes(png_bytes())
    html = (
        f'<html><head><link rel="stylesheet" href="file:///etc/passwd"></head><body>'
        f'<img src="{picture}"><img src="file://{picture}">'
        f'<img src="http://169.254.169.254/latest/meta-data/"><p>text</p></body></html>'
    )
    # The same document, rendered with local reads allowed, does show the picture...
    permissive = BytesIO()
    pisa.CreatePDF(
        html, dest=permissive, resource_policy=ResourceAccessPolicy(allow_local_outside_base=True)
    )
    assert images_in(permissive.getvalue()) >= 1

    # ...and ours shows none.
    assert images_in(render_pdf(html)) == 0
    assert "PDF renderer refused to fetch 'file:///etc/passwd'" in caplog.text
    assert "refused to fetch 'http://169.254.169.254/latest/meta-data/'" in caplog.text


def test_inline_data_uris_still_render():
    data = base64.b64encode(png_bytes()).decode()
    assert images_in(render_pdf(f'<img src="data:image/png;base64,{data}">')) == 1


def test_a_report_without_any_delivery_still_reads_well():
    week = DateRange(dt.date(2025, 11, 3), dt.date(2025, 11, 9))
    figures = ReportFigures(
        date_range=week,
        previous_range=week.previous(),
        current=Totals(),
        previous=Totals(),
        daily=tuple((day, Totals()) for day in week.each_day()),
    )
    pdf = report_pdf(figures=figures, client_name="Acme Foods", title="Performance report")
    text = "\n".join(page.extract_text() for page in PdfReader(BytesIO(pdf)).pages)
    assert pdf.startswith(b"%PDF")
    assert "No campaign recorded a conversion in this period." in text
    assert "No delivery in this period" in text  # the chart is drawn as vector text
    assert "no change" in text
