"""Every page of the site, found from the URL resolver and filled from the site (tests/site.py):
the page crawls (tests/test_page_crawl.py, the browser's accessibility crawl) walk these, so a
new page is covered without editing them. A new kind of URL argument needs a filler here."""

from __future__ import annotations

import re
from collections.abc import Callable, Iterator
from typing import Any

import pytest
from django.test import Client
from django.urls import URLPattern, URLResolver, get_resolver

from accord.accounts import services as account_services
from accord.accounts.models import RoleAssignment, User
from accord.enrolments.process import STEPS
from accord.membership import concerns
from accord.membership.concern_views import CONCERN_STEPS
from accord.membership.views import TITLES
from accord.schemes.models import Scheme
from tests.site import Site

# Each URL argument, named by the path just before it, filled from the site: a list of values
# given the arguments filled so far. A new kind of argument must be added here.
API_PREFIX = "api/"
Filler = Callable[[Site, dict[str, Any]], list[Any]]
ARGUMENTS: dict[str, Filler] = {
    "enrolments": lambda s, kw: [e.pk for e in s.enrolments],
    "steps": lambda s, kw: [st.name for st in STEPS if _enrolment(s, kw["pk"]).state in st.sources],
    "cycles": lambda s, kw: sorted({c.number for c in _enrolment(s, kw["pk"]).cycles.all()}),
    "employers": lambda s, kw: [s.world.employer.pk, s.world.trust.pk, s.world.academy.pk],
    "memberships": lambda s, kw: [m.pk for m in s.memberships],
    "status": lambda s, kw: list(TITLES),
    "policy-checks": lambda s, kw: [c.pk for c in s.policy_checks],
    "lapse-decisions": lambda s, kw: [d.pk for d in s.lapse_decisions],
    "reviews": lambda s, kw: [r.pk for r in s.reviews],
    "cycles/": lambda s, kw: [c.pk for c in s.cycles],
    "actions": lambda s, kw: (
        [a.pk for c in s.cycles for a in c.actions.all()][:1]
        + [a.pk for p in s.plans for a in p.actions.all()][:1]
    ),
    "plans": lambda s, kw: [p.pk for p in s.plans],
    "plans/actions": lambda s, kw: [a.pk for p in s.plans for a in p.actions.all()][:1],
    "plans/imports": lambda s, kw: [i.pk for i in s.plan_imports],
    "register": lambda s, kw: [m.reference for m in s.memberships],
    "schemes": lambda s, kw: [s.world.scheme.slug],
    "unions": lambda s, kw: [u.slug for u in s.world.unions.values()],
    "principles": lambda s, kw: [p.number for p in _scheme(kw["slug"]).principles.all()],
    "materials": lambda s, kw: [m.pk for m in _scheme(kw["slug"]).materials.current()],
    "areas/regions": lambda s, kw: [s.world.association.region_id],
    "areas/districts": lambda s, kw: [s.world.association.district_id],
    "areas/associations": lambda s, kw: [s.world.association.pk],
    "areas/local-authorities": lambda s, kw: [s.world.employer.local_authority_id],
    "join-requests": lambda s, kw: [r.pk for r in s.join_requests],
    "people": lambda s, kw: [s.world.users["rep"].pk, s.world.users["employer"].pk],
    "roles": lambda s, kw: list(
        RoleAssignment.objects.filter(user=kw["pk"]).values_list("pk", flat=True)
    ),
    "invitations": lambda s, kw: [_invitation(s)],
    "concerns": lambda s, kw: [c.pk for c in s.concerns],
    "step": lambda s, kw: list(CONCERN_STEPS),
    "concerns/link": lambda s, kw: [concerns.link_token(c) for c in s.concerns],
}


def _invitation(site: Site) -> str:
    """The secret of a link to set a password, as the invited person receives it: made once
    per site, since a second invitation would void the first."""
    token = getattr(site, "invitation_token", None)
    if token is None:
        invited = account_services.invite(
            email="invited@example.org",
            full_name="Invited Person",
            roles=[account_services.RoleSpec("auditor")],
            actor=User.objects.create_superuser("root@example.org", "root@example.org", None),
        )
        token = site.invitation_token = invited.token
    return token


# Downloads and pictures: no form on them, and their own tests open them.
NOT_PAGES = {
    "enrolment-letter-docx",
    "enrolment-letter-pdf",
    "enrolment-diagram",
    "process-diagram",
    "evidence",
    "plan-export",
    "verification-qr",
    "logo-pack",
    "verification-certificate",
    "calendar-feed",
    # Recovery codes are shown once, on their page; allauth's download is never offered.
    "mfa_download_recovery_codes",
    "register-csv",
    "register-json",
    "dashboard-export",
    # A button's target (POST only), not a page: the outbox page that carries it is opened.
    "outbox-retry",
    "sign-out-everywhere",
    "api-token-revoke",
    "api-token-rotate",
    # A new token's secret, shown once right after it is made (accord/api/tests/test_tokens).
    "api-token-made",
    "concern-evidence",
    "scheme-material",
    "scheme-logo",
    "scheme-letter-template",
    "scheme-letter-template-remove",
    "scheme-material-move",
    "union-logo",
    "union-logo-remove",
    # Reached only from a link e-mailed with its key (accounts/tests/test_sign_in_and_passwords).
    "account_reset_password_from_key",
    "account_confirm_email",
    # Steps inside allauth's flows: a plain visit sends the person to the flow's start (sign-in
    # codes are not used; choosing a first password is for those who have none).
    "account_request_reauthentication_code",
    "account_confirm_reauthentication_code",
    "account_confirm_login_code",
    "account_set_password",
    "mfa_authenticate",
    # allauth's two-factor overview only redirects to Sign-in and security (account-security).
    "mfa_index",
}
# Django's own admin pages are Django's.
SKIPPED_NAMESPACES = {"admin"}

# The out-of-scope twins open nothing that someone in scope does not; the auditor and a second
# partner rep fill nothing that others do not.
NOT_VISITING = {
    "other_rep",
    "other_secretary",
    "other_nem",
    "other_gmb",
    "other_officer",
    "other_employer",
    "outsider",
    "auditor",
    "unite",
}

ARGUMENT = re.compile(r"<(?:\w+:)?(\w+)>")


def _scheme(slug: str) -> Scheme:
    return Scheme.objects.get(slug=slug)


def _enrolment(site: Site, pk: int) -> Any:
    return next(e for e in site.enrolments if e.pk == pk)


def _patterns(resolvers: list[Any], prefix: str = "") -> Iterator[tuple[str, URLPattern]]:
    for entry in resolvers:
        if isinstance(entry, URLResolver):
            if entry.namespace in SKIPPED_NAMESPACES:
                continue
            yield from _patterns(entry.url_patterns, prefix + str(entry.pattern))
        else:
            yield prefix + str(entry.pattern), entry


def routes() -> Iterator[str]:
    """Every page's route (`enrolments/<int:pk>/`), downloads and signing out aside. The API
    (`api/v1/`) is not a page: schemathesis walks it from its schema (accord/api/tests)."""
    for route, pattern in _patterns(get_resolver().url_patterns):
        if route.startswith(API_PREFIX):
            continue
        if pattern.name not in NOT_PAGES and not route.startswith("accounts/logout"):
            yield route


def _argument_keys(route: str) -> list[tuple[str, str]]:
    """(argument, the literal path before it): `enrolments/<int:pk>/steps/<slug:name>/` gives
    [("pk", "enrolments"), ("name", "steps")]."""
    keys, start = [], 0
    for match in ARGUMENT.finditer(route):
        literal = route[start : match.start()].strip("/.")
        if literal == "cycles" and route.startswith("cycles/"):
            literal = "cycles/"  # a cycle's own page, not a cycle number under an enrolment
        keys.append((match.group(1), literal))
        start = match.end()
    return keys


def fillings(site: Site, route: str) -> list[dict[str, Any]]:
    """Every way the site fills the route's arguments."""
    filled: list[dict[str, Any]] = [{}]
    for argument, literal in _argument_keys(route):
        if literal not in ARGUMENTS:
            pytest.fail(f"No value for <{argument}> after “{literal}” in {route}: add it.")
        filled = [
            {**kw, argument: value} for kw in filled for value in ARGUMENTS[literal](site, kw)
        ]
    return filled


def url(route: str, kwargs: dict[str, Any]) -> str:
    return "/" + ARGUMENT.sub(lambda m: str(kwargs[m.group(1)]), route)


def paths(site: Site, route: str) -> list[str]:
    """The addresses of the route's pages on the site, one per filling."""
    return [url(route, kwargs) for kwargs in fillings(site, route)]


def visitors(site: Site) -> list[tuple[str, Client]]:
    """Someone signed out ("anonymous"), then everyone who visits, each with their own client,
    signed in."""
    found = [("anonymous", Client())]
    for key, user in site.users.items():
        if key in NOT_VISITING:
            continue
        client = Client()
        client.force_login(user)
        found.append((key, client))
    return found
