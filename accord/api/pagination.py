"""Lists come a page at a time: `?page=2&page_size=100` (at most 200 a page), in a fixed order
that ends with the id, so a page never repeats or skips an item between requests."""

from __future__ import annotations

from rest_framework.pagination import PageNumberPagination


class Pages(PageNumberPagination):
    page_size = 50
    page_size_query_param = "page_size"
    max_page_size = 200
