"""The public register through the API (/api/v1/register/), measured in the same run, server and
data as the HTML register, each API row printed next to the page it answers for.

A client finds its way as an API client would: the search parameter is read from the served
schema, the deep page is reached by following each page's `next` link, and the reference of the
verification row is the one the HTML verification page was measured with. Anonymous, like the
pages; the run raises the anonymous rate (`ACCORD_API_RATE_ANON`), which would otherwise stop a
benchmark of one client address within seconds."""

from __future__ import annotations

import json
from collections.abc import Callable
from urllib.parse import urlencode, urlsplit, urlunsplit

API = "/api/v1/"
REGISTER = API + "register/"
SCHEMA = API + "schema/?format=json"
# The anonymous rate for the run: far above anything a benchmark of one address can ask.
UNLIMITED_RATE = "100000000/hour"
# Fetches a path of the running server: (status, body).
Fetch = Callable[[str], tuple[int, bytes]]


def _search_parameter(fetch: Fetch) -> str:
    """The register operation's free-text parameter, as its schema documents it."""
    status, body = fetch(SCHEMA)
    if status != 200:
        return "q"
    operation = json.loads(body).get("paths", {}).get(REGISTER, {}).get("get", {})
    names = [p.get("name") for p in operation.get("parameters", []) if p.get("in") == "query"]
    return next((n for n in ("q", "search") if n in names), "q")


def _path(url: str) -> str:
    """`next` links are absolute: the path and query of one."""
    parts = urlsplit(url)
    return urlunsplit(("", "", parts.path, parts.query, ""))


def paths(fetch: Fetch, *, region: str, reference: str, hops: int) -> list[tuple[str, str]]:
    """The API's register rows: page 1, the page `hops` next links on (the HTML register's
    deepest), the search, the region filter and the verification of `reference`."""
    first_status, first = fetch(REGISTER)
    rows = [("API register, page 1", REGISTER)]
    if first_status != 200:
        return rows
    path, body, followed = REGISTER, first, 0
    while followed < hops:
        following = json.loads(body).get("next")
        if not following:
            break
        status, body = fetch(_path(following))
        if status != 200:
            break
        path, followed = _path(following), followed + 1
    rows.append((f"API register, page {followed + 1} (by next links)", path))
    search = _search_parameter(fetch)
    rows.append(('API register search "school"', f"{REGISTER}?{urlencode({search: 'school'})}"))
    if region:
        rows.append(("API register region filter", f"{REGISTER}?{urlencode({'region': region})}"))
    if reference:
        rows.append(("API verification", f"{REGISTER}{reference}/"))
    return rows


def beside(pages: list[tuple[str, str]], api: list[tuple[str, str]]) -> list[tuple[str, str]]:
    """Each API row after the page row it answers for, in the pages' order; the rest after."""
    rows: list[tuple[str, str]] = []
    for index, page in enumerate(pages):
        rows.append(page)
        if index < len(api):
            rows.append(api[index])
    return rows + api[len(pages) :]
