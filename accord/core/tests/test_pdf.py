"""PDFs from HTML: A4, the document properties set, and only static files and inline images
read, whatever the HTML names."""

import io
import urllib.request

from pypdf import PdfReader

from accord.core.pdf import html_to_pdf

A4_POINTS = (595, 842)


def _page(body: str) -> str:
    return (
        '<!doctype html><html lang="en-GB"><head><style>@page { size: A4; margin: 2cm }</style>'
        f"</head><body>{body}</body></html>"
    )


def test_an_a4_pdf_with_its_title_author_and_the_text_a_reader_extracts() -> None:
    pdf = html_to_pdf(
        _page("<h1>Oak Primary School</h1><p>Member since 1 May 2026</p>"),
        title="Certificate of membership",
        author="Valued Worker Scheme",
    )
    reader = PdfReader(io.BytesIO(pdf))
    box = reader.pages[0].mediabox
    assert (round(float(box.width)), round(float(box.height))) == A4_POINTS
    assert reader.metadata.title == "Certificate of membership"
    assert reader.metadata.author == "Valued Worker Scheme"
    assert reader.metadata.creation_date.year >= 2026
    text = reader.pages[0].extract_text()
    assert "Oak Primary School" in text and "Member since 1 May 2026" in text


def test_a_static_stylesheet_is_read_and_an_outside_address_or_file_is_not(
    monkeypatch,
) -> None:
    opened: list[str] = []
    original = urllib.request.OpenerDirector.open

    def spy(self, request, *args, **kwargs):
        opened.append(getattr(request, "full_url", request))
        return original(self, request, *args, **kwargs)

    monkeypatch.setattr(urllib.request.OpenerDirector, "open", spy)
    html_to_pdf(
        _page(
            '<link rel="stylesheet" href="/static/accord/accord.css">'
            '<img src="http://169.254.169.254/latest/meta-data/">'
            '<img src="file:///etc/passwd">'
            '<img src="/static/../../settings.py">'
            "<p>text</p>"
        ),
        title="t",
    )
    assert len(opened) == 1
    assert opened[0].startswith("file://") and opened[0].endswith("accord/accord.css")
