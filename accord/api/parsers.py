"""JSON bodies, refused with a 400 problem when they cannot be read: DRF's parser turns bad
JSON into a parse error, but not JSON nested so deep that reading it exhausts the stack."""

from __future__ import annotations

from typing import Any

from rest_framework import parsers
from rest_framework.exceptions import ParseError


class JSONParser(parsers.JSONParser):
    def parse(self, stream: Any, media_type: str | None = None, parser_context: Any = None) -> Any:
        try:
            return super().parse(stream, media_type, parser_context)
        except RecursionError as error:
            raise ParseError("The JSON is nested too deeply to read.") from error
