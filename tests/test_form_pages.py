"""Every page of the site, opened as everyone who may open it, before anything is submitted:
a plain visit answers 200 and shows no error. Pages are found from the URL resolver, so a new
page is covered without editing this test."""

from __future__ import annotations

import logging
import re
from collections.abc import Callable, Iterator
from typing import Any

import pytest
from django.test import Client
from django.urls import URLPattern, URLResolver, get_resolver

from accord.accounts import services as account_services
from accord.accounts.models import RoleAssignment, User
from accord.enrolments.process import STEPS
from accord.membership.views import TITLES
from accord.schemes.models import Scheme
from tests.site import Site, build_site

# Each URL argument, named by the path just before it, filled from the site: a list of values
# given the arguments filled so far. A new kind of argument must be added here.
Filler = Callable[[Site, dict[str, Any]], list[Any]]
ARGUMENTS: dict[str, Filler] = {
    "enrolments": lambda s, kw: [e.pk for e in s.enrolments],
    "steps": lambda s, kw: [st.name for st in STEPS if _enrolment(s, kw["pk"]).state in st.sources],
    "cycles": lambda s, kw: sorted({c.number for c in _enrolment(s, kw["pk"]).cycles.all()}),
    "employers": lambda s, kw: [s.world.employer.pk, s.world.trust.pk, s.world.academy.pk],
    "memberships": lambda s, kw: [m.pk for m in s.memberships],
    "status": lambda s, kw: list(TITLES),
    "policy-checks": lambda s, kw: [c.pk for c in s.policy_checks],
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
}


def _invitation(site: Site) -> str:
    """The secret of a link to set a password, as the invited person receives it."""
    invited = account_services.invite(
        email="invited@example.org",
        full_name="Invited Person",
        roles=[account_services.RoleSpec("auditor")],
        actor=User.objects.create_superuser("root@example.org", "root@example.org", None),
    )
    return invited.token


# Downloads and pictures: no form on them, and their own tests open them.
NOT_PAGES = {
    "enrolment-letter-docx",
    "enrolment-diagram",
    "process-diagram",
    "evidence",
    "plan-export",
    "verification-qr",
    "logo-pack",
    "calendar-feed",
    "register-csv",
    "register-json",
    # A button's target (POST only), not a page: the outbox page that carries it is opened.
    "outbox-retry",
    "scheme-material",
    "scheme-logo",
    "scheme-material-move",
    # Reached only from a link e-mailed with its key (accounts/tests/test_sign_in_and_passwords).
    "account_reset_password_from_key",
    "account_confirm_email",
    # Steps inside allauth's flows: a plain visit sends the person to the flow's start (sign-in
    # codes are not used; choosing a first password is for those who have none).
    "account_request_reauthentication_code",
    "account_confirm_reauthentication_code",
    "account_confirm_login_code",
    "account_set_password",
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
POST_FORM = re.compile(r'<form\b(?![^>]*action="/accounts/logout/")[^>]*method="post"', re.I)


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


def _fillings(site: Site, route: str) -> list[dict[str, Any]]:
    fillings: list[dict[str, Any]] = [{}]
    for argument, literal in _argument_keys(route):
        if literal not in ARGUMENTS:
            pytest.fail(f"No value for <{argument}> after “{literal}” in {route}: add it.")
        fillings = [
            {**kw, argument: value} for kw in fillings for value in ARGUMENTS[literal](site, kw)
        ]
    return fillings


def _url(route: str, kwargs: dict[str, Any]) -> str:
    return "/" + ARGUMENT.sub(lambda m: str(kwargs[m.group(1)]), route)


def test_every_page_opens_without_errors_for_everyone_who_may_use_it(world) -> None:
    site = build_site(world)
    clients = [Client()]
    for key, user in site.users.items():
        if key in NOT_VISITING:
            continue
        clients.append(Client())
        clients[-1].force_login(user)
    form_pages = 0
    # Refusals are expected by the hundred here; their log lines are noise.
    logging.disable(logging.WARNING)
    try:
        for route, pattern in _patterns(get_resolver().url_patterns):
            if pattern.name in NOT_PAGES or route.startswith("accounts/logout"):
                continue
            opened = False
            # None until everyone has opened one filling; then whether anyone saw a form. A
            # page that showed nobody a form needs only one visitor for its other fillings.
            has_form: bool | None = None
            for kwargs in _fillings(site, route):
                url = _url(route, kwargs)
                saw_form = False
                for client in clients:
                    response = client.get(url)
                    assert response.status_code in (200, 302, 403, 404), url
                    if response.status_code != 200:
                        continue
                    opened = True
                    html = response.content.decode()
                    assert 'class="error-summary"' not in html, url
                    assert "<title>Error:" not in html, url
                    if POST_FORM.search(html):
                        # Opened by someone who may use its form: that is the visit that counts.
                        form_pages += 1
                        saw_form = True
                        break
                    if has_form is False:
                        break
                if opened and has_form is None:
                    has_form = saw_form
            # Some fillings are closed to all (no letter before the unions agree), not all.
            assert opened, f"Nobody could open {route}: give the site what it needs."
    finally:
        logging.disable(logging.NOTSET)
    assert form_pages > 30
