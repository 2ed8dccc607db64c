"""A client generated from the served schema by an outside tool (openapi-python-client) works:
it reads the schemes and the public register and takes a step of joining, through the real
application (httpx's WSGI transport), its answers parsed into the generated models. This shows
that the schema is usable, not only valid.

The client is generated once for the module, into a temporary folder. Each operation is found
in it by its method and address (`_get_kwargs` of the generated module), so the test does not
depend on the names the generator derives from operation ids."""

from __future__ import annotations

import datetime
import importlib
import inspect
import re
import subprocess
import sys
import types
import typing
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import httpx
import pytest
from django.core.wsgi import get_wsgi_application
from django.test import Client
from django.utils import timezone

from accord.accounts.models import User
from accord.api import tokens
from accord.enrolments.models import Enrolment
from accord.enrolments.process import State
from tests.world import World

from .wsgi import connections_kept_open

pytestmark = pytest.mark.django_db


@pytest.fixture(autouse=True)
def _one_connection() -> Iterator[None]:
    with connections_kept_open():
        yield


GENERATOR = Path(sys.executable).parent / "openapi-python-client"
PACKAGE = "accord_generated_client"
BASE_URL = "http://testserver"
# The generator's own settings: no formatting of the code it writes (ruff is not on its PATH).
CONFIG = "post_hooks: []\n"


@pytest.fixture(scope="module")
def generated(tmp_path_factory: pytest.TempPathFactory) -> Iterator[Path]:
    """The client package generated from /api/v1/schema/ as served, importable."""
    if not GENERATOR.exists():
        pytest.skip("openapi-python-client is not installed (uv sync --group dev)")
    folder = tmp_path_factory.mktemp("client")
    served = Client().get("/api/v1/schema/", HTTP_ACCEPT="application/vnd.oai.openapi+json")
    assert served.status_code == 200
    (folder / "schema.json").write_bytes(served.content)
    (folder / "config.yaml").write_text(CONFIG)
    result = subprocess.run(
        [
            str(GENERATOR),
            "generate",
            "--path",
            str(folder / "schema.json"),
            "--config",
            str(folder / "config.yaml"),
            "--output-path",
            str(folder / PACKAGE),
            "--meta",
            "none",
        ],
        capture_output=True,
        text=True,
        timeout=300,
        check=False,
    )
    assert (folder / PACKAGE / "client.py").exists(), result.stdout + result.stderr
    _import_unset(folder / PACKAGE)
    sys.path.insert(0, str(folder))
    try:
        yield folder / PACKAGE
    finally:
        sys.path.remove(str(folder))
        for name in [n for n in sys.modules if n == PACKAGE or n.startswith(PACKAGE + ".")]:
            del sys.modules[name]


def _import_unset(package: Path) -> None:
    """The generator's known slip (openapi-python-client issue 1451): an operation whose body
    is JSON or multipart is given a `body: … | Unset` without `Unset` being imported. The
    import is added where it is missing, and nothing else is touched."""
    for path in (package / "api").rglob("*.py"):
        source = path.read_text()
        imported = re.search(r"^from \.\.\.types import .*\bUnset\b", source, re.MULTILINE)
        if re.search(r"\| Unset\b", source) and not imported:
            path.write_text("from ...types import Unset\n" + source)


def operation(package: Path, method: str, address: str) -> types.ModuleType:
    """The generated module for `method` on `address`, an OpenAPI path template whose
    parameter names may be anything (`{…}` matches any of them)."""
    pattern = re.escape(address).replace(r"\{…\}", r"\{[a-z_]+\}")
    wanted = re.compile(rf'"method": "{method}",\s*"url": "{pattern}"')
    for path in sorted((package / "api").rglob("*.py")):
        if wanted.search(path.read_text()):
            relative = path.relative_to(package.parent).with_suffix("")
            return importlib.import_module(".".join(relative.parts))
    raise AssertionError(f"the generated client has no {method.upper()} {address}")


def path_parameters(module: types.ModuleType) -> list[str]:
    """The names of the path parameters a generated operation takes, in order."""
    source = Path(module.__file__ or "").read_text()
    url = re.search(r'"url": "([^"]+)"', source)
    assert url is not None
    return re.findall(r"\{([a-z_]+)\}", url.group(1))


def json_body(module: types.ModuleType, data: dict[str, Any]) -> Any:
    """`data` as the generated model of the operation's JSON body."""
    annotation = inspect.signature(module.sync_detailed).parameters["body"].annotation
    for kind in typing.get_args(annotation):
        if hasattr(kind, "from_dict") and not hasattr(kind, "to_multipart"):
            return kind.from_dict(data)
    raise AssertionError(f"{module.__name__} takes no JSON body")


def client(package: Path, user: User | None) -> Any:
    """A generated client over the application itself; with a fresh token when `user` is set."""
    generated = importlib.import_module(f"{PACKAGE}.client")
    transport = {"transport": httpx.WSGITransport(app=get_wsgi_application())}
    if user is None:
        return generated.Client(base_url=BASE_URL, httpx_args=transport)
    _, secret = tokens.issue(
        user, name="generated client", expires_at=timezone.now() + datetime.timedelta(days=1)
    )
    return generated.AuthenticatedClient(base_url=BASE_URL, token=secret, httpx_args=transport)


def test_the_generated_client_reads_the_schemes(generated: Path, world: World) -> None:
    schemes_list = operation(generated, "get", "/api/v1/schemes/")
    response = schemes_list.sync_detailed(client=client(generated, world.users["officer"]))
    assert response.status_code == 200
    page = response.parsed
    assert [scheme.slug for scheme in page.results] == [world.scheme.slug]
    assert [p.number for p in page.results[0].principles] == [1, 2, 3, 4, 5, 6]
    refused = schemes_list.sync_detailed(client=client(generated, world.users["rep"]))
    assert refused.status_code == 403
    assert refused.parsed.status == 403


def test_the_generated_client_reads_the_public_register(generated: Path, world: World) -> None:
    world.enrolment(State.LISTED)
    register = operation(generated, "get", "/api/v1/register/")
    response = register.sync_detailed(client=client(generated, None))
    assert response.status_code == 200
    listed = response.parsed.to_dict()
    assert "Northtown High School" in str(listed)


def test_the_generated_client_takes_a_step(generated: Path, world: World) -> None:
    enrolment = world.enrolment(State.PROPOSED)
    try:
        step = operation(generated, "post", "/api/v1/enrolments/{…}/steps/endorse/")
        names = path_parameters(step)
        arguments = {names[0]: enrolment.pk}
    except AssertionError:
        step = operation(generated, "post", "/api/v1/enrolments/{…}/steps/{…}/")
        names = path_parameters(step)
        arguments = {names[0]: enrolment.pk, names[1]: "endorse"}
    response = step.sync_detailed(
        client=client(generated, world.users["secretary"]),
        body=json_body(step, {"note": "A good candidate."}),
        **arguments,
    )
    assert response.status_code == 200, response.content
    assert Enrolment.objects.get(pk=enrolment.pk).state == State.ENDORSED
