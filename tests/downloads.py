"""Reading a list page's downloads in tests: the CSV's rows and the workbook's sheet."""

from __future__ import annotations

import csv
import io
from typing import Any

from django.http import StreamingHttpResponse
from openpyxl import load_workbook
from openpyxl.worksheet.worksheet import Worksheet


def streamed(response: Any) -> bytes:
    """The whole body of a download, which must be streamed."""
    assert response.status_code == 200, response.status_code
    assert isinstance(response, StreamingHttpResponse)
    return b"".join(response.streaming_content)


def csv_rows(response: Any) -> list[dict[str, str]]:
    return list(csv.DictReader(io.StringIO(streamed(response).decode())))


def sheet(response: Any) -> Worksheet:
    return load_workbook(io.BytesIO(streamed(response))).active


def sheet_rows(response: Any) -> list[list[Any]]:
    """The workbook's rows, the header first, as openpyxl reads them."""
    return [[cell.value for cell in row] for row in sheet(response).iter_rows()]
