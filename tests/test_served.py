"""Accord served for real: gunicorn with DEBUG off, as `make serve` runs it, on its own SQLite
database with the demo loaded. A person signs in through the sign-in form and takes a step.

Everything goes over HTTP to 127.0.0.1, through gunicorn.conf.py and the production settings:
static files from whitenoise, the database cache, sessions in the database.
"""

from __future__ import annotations

import http.cookiejar
import os
import socket
import subprocess
import sys
import time
import urllib.error
import urllib.parse
import urllib.request
from collections.abc import Iterator
from dataclasses import dataclass
from html.parser import HTMLParser
from pathlib import Path

import pytest
from allauth.mfa.totp.internal.auth import format_hotp_value, hotp_value

from accord.demo.data import DEMO_TOTP_SECRET

ROOT = Path(__file__).resolve().parent.parent

# The demo: Moss Side Primary Academy was proposed in Manchester, and waits for Manchester's
# local secretary to endorse it (accord/demo/data.py).
SECRETARY = "secretary@demo.accord"
DEMO_PASSWORD = "accord-demo"
EMPLOYER = "Moss Side Primary Academy"
STEP_LINK = "Endorse the proposal"
NOTE = "Endorsed at the association meeting of served-test."
# The enrolment page's state once the step is taken, as the process names it.
ENDORSED = 'data-testid="state">Endorsed by the local secretary<'

SETUP = (
    "from django.core.management import call_command as c; "
    "c('collectstatic', interactive=False, verbosity=0); c('migrate', verbosity=0); "
    "c('createcachetable'); c('load_builtin_schemes'); c('load_demo')"
)


@dataclass
class Server:
    url: str
    log: Path

    def output(self) -> str:
        """gunicorn's output, for the message of a failed assertion."""
        return "\n--- gunicorn output ---\n" + self.log.read_text(errors="replace")[-6000:]


def _free_port() -> int:
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        return probe.getsockname()[1]


@pytest.fixture(scope="module")
def server(tmp_path_factory: pytest.TempPathFactory) -> Iterator[Server]:
    var = tmp_path_factory.mktemp("served")
    port = _free_port()
    url = f"http://127.0.0.1:{port}"
    # None of this shell's settings (nor its PostgreSQL) and no `.env`: only what is set here.
    env = {
        k: v for k, v in os.environ.items() if not k.startswith(("DJANGO_", "DATABASE", "ACCORD_"))
    }
    env.update(
        {
            "ACCORD_ENV_FILE": "",
            "DJANGO_DEBUG": "0",
            "DJANGO_SECRET_KEY": "served-test-" + "s" * 50,
            "ACCORD_AUDIT_KEY": "served-test-" + "k" * 50,
            "DJANGO_ALLOWED_HOSTS": "127.0.0.1",
            "ACCORD_SITE_URL": url,
            "ACCORD_VAR_DIR": str(var),
            # Plain HTTP on the loopback: no redirect to HTTPS, cookies sent without TLS.
            "DJANGO_SECURE_SSL_REDIRECT": "0",
            "DJANGO_SECURE_COOKIES": "0",
            "DJANGO_SECURE_HSTS_SECONDS": "0",
            "ACCORD_BIND": f"127.0.0.1:{port}",
            "ACCORD_WEB_CONCURRENCY": "2",
        }
    )
    setup = subprocess.run(
        [sys.executable, "manage.py", "shell", "--no-imports", "-c", SETUP],
        cwd=ROOT,
        env=env,
        capture_output=True,
        text=True,
        timeout=180,
    )
    assert setup.returncode == 0, setup.stdout + setup.stderr

    log = var / "gunicorn.log"
    with log.open("wb") as out:
        process = subprocess.Popen(
            [sys.executable, "-m", "gunicorn", "--config", str(ROOT / "gunicorn.conf.py")],
            cwd=ROOT,
            env=env,
            stdout=out,
            stderr=subprocess.STDOUT,
        )
    served = Server(url=url, log=log)
    try:
        deadline = time.monotonic() + 60
        while True:
            if process.poll() is not None:
                pytest.fail(f"gunicorn stopped with code {process.returncode}{served.output()}")
            try:
                with socket.create_connection(("127.0.0.1", port), timeout=1):
                    break
            except OSError:
                if time.monotonic() > deadline:
                    pytest.fail(f"gunicorn did not listen on {url}{served.output()}")
                time.sleep(0.2)
        yield served
    finally:
        process.terminate()
        try:
            process.wait(timeout=20)
        except subprocess.TimeoutExpired:
            process.kill()
            process.wait()


class _Page(HTMLParser):
    """The links (address and text) and the forms (fields and their buttons) of a page."""

    def __init__(self) -> None:
        super().__init__()
        self.links: list[tuple[str, str]] = []
        self.forms: list[dict] = []
        self.stylesheets: list[str] = []
        self._link: list | None = None
        self._form: dict | None = None
        self._textarea: str | None = None
        self._button: list | None = None

    def handle_starttag(self, tag: str, attrs: list[tuple[str, str | None]]) -> None:
        a = {k: v or "" for k, v in attrs}
        if tag == "a" and "href" in a:
            self._link = [a["href"], ""]
        elif tag == "link" and a.get("rel") == "stylesheet":
            self.stylesheets.append(a["href"])
        elif tag == "form":
            self._form = {"action": a.get("action", ""), "fields": {}, "buttons": []}
        elif self._form is not None:
            if tag == "input" and a.get("name"):
                self._form["fields"][a["name"]] = a.get("value", "")
            elif tag == "textarea":
                self._textarea = a["name"]
                self._form["fields"][self._textarea] = ""
            elif tag == "button":
                self._button = [""]

    def handle_data(self, data: str) -> None:
        if self._link is not None:
            self._link[1] += data
        if self._textarea is not None and self._form is not None:
            self._form["fields"][self._textarea] += data
        if self._button is not None:
            self._button[0] += data

    def handle_endtag(self, tag: str) -> None:
        if tag == "a" and self._link is not None:
            self.links.append((self._link[0], " ".join(self._link[1].split())))
            self._link = None
        elif tag == "textarea":
            self._textarea = None
        elif tag == "button" and self._button is not None and self._form is not None:
            self._form["buttons"].append(" ".join(self._button[0].split()))
            self._button = None
        elif tag == "form" and self._form is not None:
            self.forms.append(self._form)
            self._form = None


class Browser:
    """A cookie jar and plain HTTP requests, following redirects as a browser does."""

    def __init__(self, base: str) -> None:
        self.base = base
        self.opener = urllib.request.build_opener(
            urllib.request.HTTPCookieProcessor(http.cookiejar.CookieJar())
        )

    def open(self, path: str, data: dict[str, str] | None = None) -> tuple[int, str, str, dict]:
        """Status, final address, body and headers of a GET (or a POST of `data`)."""
        body = urllib.parse.urlencode(data).encode() if data is not None else None
        request = urllib.request.Request(urllib.parse.urljoin(self.base, path), data=body)
        try:
            with self.opener.open(request, timeout=30) as response:
                return (
                    response.status,
                    response.url,
                    response.read().decode(),
                    dict(response.headers),
                )
        except urllib.error.HTTPError as error:
            return error.code, error.url, error.read().decode(errors="replace"), dict(error.headers)

    def submit(self, path: str, button: str, **values: str) -> tuple[int, str, str, dict]:
        """Fill in the form of the page at `path` whose button says `button`, and post it."""
        status, url, html, _ = self.open(path)
        assert status == 200, (path, status)
        page = _Page()
        page.feed(html)
        form = next(f for f in page.forms if button in f["buttons"])
        return self.open(urllib.parse.urljoin(url, form["action"]), {**form["fields"], **values})


def _parse(html: str) -> _Page:
    page = _Page()
    page.feed(html)
    return page


def test_a_secretary_signs_in_and_takes_a_step_through_gunicorn(server: Server) -> None:
    browser = Browser(server.url)
    status, url, html, _ = browser.submit(
        "/accounts/login/", "Sign in", login=SECRETARY, password=DEMO_PASSWORD
    )
    assert status == 200, f"sign-in answered {status}{server.output()}"
    # Two-factor sign-in, as in production: the code of the demo's authenticator key.
    path = urllib.parse.urlsplit(url).path
    assert path == "/accounts/2fa/authenticate/", f"sign-in was refused ({path})"
    code = format_hotp_value(hotp_value(DEMO_TOTP_SECRET, int(time.time()) // 30))
    status, url, html, _ = browser.submit(path, "Sign in", code=code)
    assert status == 200, f"the code step answered {status}{server.output()}"
    assert urllib.parse.urlsplit(url).path == "/tasks/", "the code was refused"

    # The start page offers the step on the case that waits for this secretary.
    offered = [
        href
        for href, text in _parse(html).links
        if text.startswith(STEP_LINK) and text.endswith(EMPLOYER)
    ]
    assert len(offered) == 1, f"no '{STEP_LINK}' for {EMPLOYER} on {url}{server.output()}"

    status, url, html, _ = browser.submit(offered[0], STEP_LINK, note=NOTE)
    assert status == 200, f"the step answered {status}{server.output()}"
    enrolment = _parse(html)
    assert ENDORSED in html
    assert NOTE in html
    # Taken: the enrolment no longer offers it.
    assert STEP_LINK not in [text for _, text in enrolment.links]

    # Read back in a new request, as any worker would serve it.
    status, _, again, _ = browser.open(url)
    assert status == 200
    assert ENDORSED in again


def test_static_files_are_served_by_whitenoise_under_hashed_names(server: Server) -> None:
    browser = Browser(server.url)
    status, _, html, _ = browser.open("/accounts/login/")
    assert status == 200, server.output()
    stylesheet = _parse(html).stylesheets[0]
    # The manifest storage (DEBUG off) names files by their content.
    assert stylesheet.startswith("/static/") and stylesheet.count(".") >= 2, stylesheet
    status, _, css, headers = browser.open(stylesheet)
    assert status == 200, server.output()
    assert "{" in css
    assert "immutable" in headers.get("Cache-Control", ""), headers


def test_debug_is_off(server: Server) -> None:
    status, _, html, _ = Browser(server.url).open("/no-such-page/")
    assert status == 404
    # Django's technical 404 page (DEBUG on) lists the URL patterns it tried.
    assert "URLconf" not in html
    assert "DEBUG = True" not in html
