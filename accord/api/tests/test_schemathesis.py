"""Schemathesis against the served schema: every operation of /api/v1/, with inputs generated
from the schema (valid and invalid), sent through the real WSGI application as several people
and as nobody. Each answer must be no server error, with a status code, content type and body
that the schema documents for that operation.

The operations are read from `/api/v1/schema/` as it is served, so a new endpoint is tested
here with no change to this file. The data is a whole site (`tests/site.build_site`), built once
for the module; each operation's test runs in a transaction of its own, rolled back after it.
Path parameters are drawn half the time from the site's own ids and slugs, so that the
operations on real objects are reached, not only their 404s. The cases of an operation are sent
as each persona in turn. Then the stateful run follows the schema's links (those declared, and
those Schemathesis infers from the operations' parameters and answers), as several personas.

`ACCORD_SCHEMATHESIS_EXAMPLES` sets the number of generated cases per operation (default 6);
the run is derandomized, so that CI answers the same way each time. Run on its own (as
`.ci/run` runs it), it ends with a summary of the answers by persona and status.
"""

from __future__ import annotations

import datetime
import os
from collections import Counter
from collections.abc import Iterator
from typing import Any

import pytest
import schemathesis
from django.core.wsgi import get_wsgi_application
from django.db import transaction
from django.test import override_settings
from django.utils import timezone
from hypothesis import HealthCheck, Phase, settings
from hypothesis import strategies as st
from schemathesis.checks import not_a_server_error
from schemathesis.config import SchemathesisConfig
from schemathesis.errors import NoLinksFound
from schemathesis.specs.openapi.checks import (
    content_type_conformance,
    response_schema_conformance,
    status_code_conformance,
)

from accord.accounts.models import User
from accord.api import tokens
from accord.enrolments.models import Enrolment
from accord.enrolments.process import STEPS
from accord.membership.models import Cycle, Membership, PolicyCheck, Review
from accord.organisations.models import Employer
from accord.plans.models import Plan, PlanImport
from tests.site import build_site
from tests.world import build_world

from .wsgi import connections_kept_open

SCHEMA_PATH = "/api/v1/schema/?format=json"
EXAMPLES = int(os.environ.get("ACCORD_SCHEMATHESIS_EXAMPLES", "6"))
CHECKS = [
    not_a_server_error,
    status_code_conformance,
    content_type_conformance,
    response_schema_conformance,
]
# Who calls each case: the national officer, a local secretary, a partner union's rep, the
# employer's contact, the read-only auditor, the plan's owner (a role of its own), and nobody.
PERSONAS = ("officer", "secretary", "gmb", "employer", "auditor", "plan_owner", None)

# The coverage phase (every boundary and wrong type of every parameter, and methods the
# operation does not have) sends about seven times the cases: on with
# ACCORD_SCHEMATHESIS_COVERAGE=1 for a deeper run.
COVERAGE = os.environ.get("ACCORD_SCHEMATHESIS_COVERAGE") == "1"
CONFIG = SchemathesisConfig.from_dict({"phases": {"coverage": {"enabled": COVERAGE}}})
schema = schemathesis.openapi.from_wsgi(SCHEMA_PATH, get_wsgi_application(), config=CONFIG)

# What the site holds, for path parameters: by parameter name where the name says what it is,
# else by type. Filled by the `site` fixture before any case is drawn (the strategy below reads
# it when it draws).
KNOWN: dict[str, list[Any]] = {}
# The ids a path's `pk` or `id` takes, by the collection the path starts with.
COLLECTIONS: dict[str, Any] = {
    "enrolments": Enrolment,
    "employers": Employer,
    "memberships": Membership,
    "cycles": Cycle,
    "reviews": Review,
    "policy-checks": PolicyCheck,
    "plans": Plan,
    "plan-imports": PlanImport,
}
# Each answer's status, by persona, for the summary at the end.
SEEN: Counter[tuple[str, int]] = Counter()
# How many cases each operation has sent, to send them as each persona in turn.
SENT: Counter[str] = Counter()
# How many answers failed a check, by operation.
FAILED: Counter[str] = Counter()


@schema.hook
def flatmap_path_parameters(context: Any, path_parameters: dict[str, Any]) -> Any:
    """Half the time, the path's ids and slugs are the site's own; the other half, as drawn."""
    if not path_parameters or not KNOWN:
        return st.just(path_parameters)

    # The collection the path starts with (/api/v1/enrolments/{pk}/…) gives `pk` its ids.
    collection = context.operation.path.removeprefix("/api/v1/").split("/")[0]

    def known(name: str, value: Any) -> Any:
        if isinstance(value, bool) or not isinstance(value, int | str):
            return st.just(value)
        ids = KNOWN.get(collection) if name in ("pk", "id") else None
        pool = ids or KNOWN.get(name) or KNOWN["int" if isinstance(value, int) else "str"]
        return st.sampled_from(pool)

    real = st.fixed_dictionaries({n: known(n, v) for n, v in path_parameters.items()})
    return st.one_of(st.just(path_parameters), real)


def _ids(*models: Any) -> list[int]:
    ids: set[int] = set()
    for model in models:
        ids.update(model.objects.values_list("pk", flat=True))
    return sorted(ids)


@pytest.fixture(scope="module")
def site(
    django_db_setup: None, django_db_blocker: Any, request: pytest.FixtureRequest
) -> Iterator[dict[str, str]]:
    """The whole site and a token per persona, made once for the module and rolled back at
    the end. Yields each persona's Authorization header."""
    with django_db_blocker.unblock(), connections_kept_open(), transaction.atomic():
        built = build_site(build_world())
        users: dict[str, User] = built.users
        headers = {}
        for persona in PERSONAS:
            if persona is None:
                continue
            _, secret = tokens.issue(
                users[persona],
                name="schemathesis",
                expires_at=timezone.now() + datetime.timedelta(days=1),
            )
            headers[persona] = f"Bearer {secret}"
        slug, steps = built.world.scheme.slug, [s.name for s in STEPS]
        KNOWN.update(
            {collection: _ids(model) for collection, model in COLLECTIONS.items()},
            int=_ids(*COLLECTIONS.values()),
            str=[slug, *steps],
            slug=[slug],
            step=steps,
            number=[1, 2, 3, 4, 5, 6],
            reference=list(Membership.objects.values_list("reference", flat=True)),
        )
        yield headers
        KNOWN.clear()
        transaction.set_rollback(True)
    plugins = request.config.pluginmanager
    reporter, capture = plugins.get_plugin("terminalreporter"), plugins.get_plugin("capturemanager")
    if reporter is not None and capture is not None and SEEN:
        with capture.global_and_fixture_disabled():
            _summary(reporter)


def _summary(reporter: Any) -> None:
    """The operations run, and the answers' statuses by persona, written to the terminal after
    the module (not by a parallel worker, which has no terminal)."""
    reporter.write_line("")
    reporter.write_line(
        f"Schemathesis: {len(SENT)} operations, {sum(SENT.values())} generated cases, "
        f"{sum(SEEN.values())} answers checked, {sum(FAILED.values())} failing. "
        "By persona and status:"
    )
    for persona in sorted({p for p, _ in SEEN}):
        counts = ", ".join(f"{s}: {n}" for (p, s), n in sorted(SEEN.items()) if p == persona)
        reporter.write_line(f"  {persona}: {counts}")


@pytest.fixture
def no_rate_limits() -> Iterator[None]:
    """The rates are the one thing a fast run of many requests would trip; they are tested
    in test_framework."""
    with override_settings(ACCORD_API_RATES={"token": None, "anon": None}):
        yield


@pytest.mark.django_db
@schema.parametrize()
@settings(
    max_examples=EXAMPLES,
    derandomize=True,
    database=None,
    deadline=None,
    phases=[Phase.explicit, Phase.generate],
    suppress_health_check=list(HealthCheck),
)
def test_every_operation_answers_as_its_schema_says(
    case: Any, site: dict[str, str], no_rate_limits: None
) -> None:
    persona = PERSONAS[SENT[case.operation.label] % len(PERSONAS)]
    SENT[case.operation.label] += 1
    _send(case, persona, site)


def _send(case: Any, persona: str | None, site: dict[str, str]) -> Any:
    headers = {"Authorization": site[persona]} if persona else {}
    response = case.call(headers=headers)
    SEEN[persona or "anonymous", response.status_code] += 1
    try:
        case.validate_response(response, checks=CHECKS, headers=headers)
    except Exception:
        FAILED[case.operation.label] += 1
        raise
    return response


# --- following the links ----------------------------------------------------------------------


@pytest.mark.django_db
@pytest.mark.parametrize("persona", ["officer", "secretary", "employer"])
def test_following_the_links_every_answer_is_as_documented(
    persona: str, site: dict[str, str], no_rate_limits: None
) -> None:
    try:
        machine = schema.as_state_machine()
    except NoLinksFound:
        pytest.skip("the schema declares no links, and none can be inferred from it yet")

    class Workflow(machine):  # type: ignore[valid-type, misc]
        def call(self, case: Any, **kwargs: Any) -> Any:
            return _send(case, persona, site)

        def validate_response(self, response: Any, case: Any, **kwargs: Any) -> None:
            """Checked as it was sent (`_send`)."""

    Workflow.run(
        settings=settings(
            max_examples=EXAMPLES,
            stateful_step_count=6,
            derandomize=True,
            database=None,
            deadline=None,
            suppress_health_check=list(HealthCheck),
        )
    )
