"""With the cache on, every change shows at once on the register, the verification page and the
open data; a repeat with the ETag is answered 304 until the register changes."""

from __future__ import annotations

import datetime

import pytest
import time_machine
from django.core.management import call_command
from django.test import Client, override_settings
from django.urls import reverse

from accord.enrolments.process import State
from accord.membership import cycles, places
from accord.membership import services as membership_services
from accord.membership.models import Cycle, Membership
from accord.organisations import services as employer_services
from accord.organisations.models import Employer, EmployerKind, LocalAuthority, Region
from accord.register import entries
from tests.world import PASSWORD, World

TODAY = datetime.date.today()
LOCMEM = {
    alias: {"BACKEND": "django.core.cache.backends.locmem.LocMemCache", "LOCATION": alias}
    for alias in ("default", "register")
}

pytestmark = pytest.mark.usefixtures("_cache_on")


@pytest.fixture
def _cache_on() -> None:
    with override_settings(CACHES=LOCMEM):
        yield


def _text(response) -> str:  # type: ignore[no-untyped-def]
    assert response.status_code == 200
    if response.streaming:
        return b"".join(response.streaming_content).decode()
    return response.content.decode()


class Public:
    """What an anonymous visitor reads: the register, one verification page, the open data."""

    def __init__(self, reference: str) -> None:
        self.reference = reference
        self.client = Client()

    def register(self, **params: str) -> str:
        return _text(self.client.get(reverse("register"), params))

    def verification(self) -> str:
        return _text(self.client.get(reverse("verification", args=[self.reference])))

    def csv(self) -> str:
        return _text(self.client.get(reverse("register-csv")))

    def json(self) -> str:
        return _text(self.client.get(reverse("register-json")))

    def everything(self) -> str:
        return "\n".join([self.register(), self.verification(), self.csv(), self.json()])


def _officer_changes_status(world: World, verb: str, reason: str) -> None:
    membership_services.change_status(
        Membership.objects.get(),
        verb,
        actor=world.users["officer"],
        reason=reason,
        logo_stop_requested_on=TODAY,
    )


@pytest.fixture
def public(world: World) -> Public:
    world.enrolment(State.LISTED)
    public = Public(Membership.objects.get().reference)
    for _ in range(2):  # the second time from the cache
        public.everything()
    return public


def test_a_suspension_shows_at_once(world: World, public: Public) -> None:
    _officer_changes_status(world, "suspend", "Detriment")
    assert '<span class="tag tag--closed">Suspended</span>' in public.register()
    assert "membership of the Valued Worker Scheme is suspended" in public.verification()
    assert ",Suspended," in public.csv()
    assert '"status": "Suspended"' in public.json()


def test_a_withdrawal_shows_at_once(world: World, public: Public) -> None:
    _officer_changes_status(world, "withdraw", "Asked to leave")
    assert "Northtown High School" not in public.register()
    assert "0 employers" in public.register()
    assert "is no longer a member of the Valued Worker Scheme" in public.verification()
    assert "Northtown High School" not in public.csv() + public.json()


def test_a_listing_shows_at_once(world: World) -> None:
    public = Public("")
    for _ in range(2):
        assert "0 employers" in public.register()
        assert "Northtown High School" not in public.csv() + public.json()
    world.enrolment(State.LISTED)
    public.reference = Membership.objects.get().reference
    assert "Northtown High School" in public.register() and "1 employer" in public.register()
    assert "is a member of the Valued Worker Scheme" in public.verification()
    assert "Northtown High School" in public.csv() and "Northtown High School" in public.json()


def test_a_met_principle_shows_at_once(world: World, public: Public) -> None:
    cycle = Cycle.objects.get()
    with time_machine.travel(cycle.ends_on, tick=False):
        review = world.review(cycle, "met", "next_cycle")
        public.everything()
        cycles.confirm_review(review, actor=world.users["employer"])
        assert "<td>5</td>" in public.register()
        assert '<dd data-testid="principles-met">5</dd>' in public.verification()
        assert ",5,http" in public.csv()
        assert '"principles_met": "5"' in public.json()


def test_an_employer_rename_shows_at_once(world: World, public: Public) -> None:
    employer_services.edit_employer(
        world.employer, actor=world.users["officer"], data={"name": "Northtown Academy"}
    )
    for text in (public.register(), public.verification(), public.csv(), public.json()):
        assert "Northtown Academy" in text and "Northtown High School" not in text


def test_a_merge_into_another_employer_shows_at_once(world: World, public: Public) -> None:
    survivor = Employer.objects.create(name="Northtown Federation", kind=EmployerKind.SCHOOL)
    employer_services.merge_employers(world.employer, survivor, actor=world.users["officer"])
    for text in (public.register(), public.verification(), public.csv(), public.json()):
        assert "Northtown Federation" in text and "Northtown High School" not in text


def test_an_area_rename_shows_at_once(world: World, public: Public) -> None:
    authority = LocalAuthority.objects.get(name="Northtown")
    authority.name = "Greater Northtown"
    authority.save()
    places.save_area(
        Region.objects.get(name="North"),
        Region,
        actor=world.users["officer"],
        data={"name": "North East"},
    )
    register = public.register()
    assert "<td>Greater Northtown</td>" in register and "<td>North East</td>" in register
    # The filter lists too.
    assert ">Greater Northtown</option>" in register and ">North East</option>" in register
    assert "Greater Northtown" in public.verification()
    assert ",Greater Northtown,North East," in public.csv()
    assert '"region": "North East"' in public.json()


def test_a_repeat_with_the_etag_is_not_modified_until_the_register_changes(
    world: World, public: Public
) -> None:
    client = Client()
    for url in (
        reverse("register"),
        reverse("verification", args=[public.reference]),
        reverse("register-csv"),
        reverse("register-json"),
    ):
        first = client.get(url)
        assert first.status_code == 200
        assert first["Cache-Control"] == "public, max-age=0, must-revalidate"
        assert "Cookie" in first["Vary"]
        etag, modified = first["ETag"], first["Last-Modified"]
        assert client.get(url, headers={"if-none-match": etag}).status_code == 304
        assert client.get(url, headers={"if-modified-since": modified}).status_code == 304
    etag = client.get(reverse("register"))["ETag"]
    with time_machine.travel(datetime.datetime.now() + datetime.timedelta(minutes=1)):
        _officer_changes_status(world, "suspend", "x")
    fresh = client.get(reverse("register"), headers={"if-none-match": etag})
    assert fresh.status_code == 200 and fresh["ETag"] != etag
    assert "Suspended" in fresh.content.decode()
    modified = client.get(reverse("register"))["Last-Modified"]
    assert (
        client.get(reverse("register"), headers={"if-modified-since": modified}).status_code == 304
    )


def test_the_verification_page_changes_its_etag_at_midnight(world: World, public: Public) -> None:
    url = reverse("verification", args=[public.reference])
    etag = Client().get(url)["ETag"]
    with time_machine.travel(datetime.datetime.now() + datetime.timedelta(days=1)):
        response = Client().get(url, headers={"if-none-match": etag})
        assert response.status_code == 200
        tomorrow = TODAY + datetime.timedelta(days=1)
        assert f"today, {tomorrow:%-d %B %Y}" in response.content.decode()


def test_a_signed_in_page_is_never_shared(world: World, public: Public) -> None:
    officer = Client()
    officer.login(username="officer@example.org", password=PASSWORD)
    for url in (reverse("register"), reverse("verification", args=[public.reference])):
        mine = officer.get(url)
        html = mine.content.decode()
        assert "Signed in as Officer" in html and "csrfmiddlewaretoken" in html
        assert mine["Cache-Control"] == "private, no-cache" and "Cookie" in mine["Vary"]
        anonymous = Client().get(url).content.decode()
        assert "Signed in as" not in anonymous and "csrfmiddlewaretoken" not in anonymous
        assert "Signed in as Officer" in officer.get(url).content.decode()


def test_search_finds_every_word_by_its_start_whatever_the_case_and_accents(
    world: World, public: Public
) -> None:
    world.employer.name = "École Saint-Étienne"
    world.employer.save()

    def found(query: str) -> bool:
        return "tienne</a>" in public.register(q=query)

    for query in ("ecole", "ÉCOLE saint", "éc sai étien", "Saint-Etienne", "100001", "ec!!"):
        assert found(query), query
    for query in ("cole", "ecole paris", "etienne saint x", "nt", "100002", "!!"):
        assert not found(query), query


@pytest.mark.parametrize(
    "query",
    [
        '"',
        "'",
        "\\",
        'ecole" OR "x',
        "ecole*",
        "NEAR(ecole saint)",
        "school:*",
        "a & b | !c",
        "-ecole",
        "^ecole",
        "ecole AND NOT saint",
        "{col}: x",
        "\x00",
        "ⅻ ᾈ ǅ ß ﬁ ²",
        "x" * 1000,
        " ".join(["word"] * 200),
        "١٢ 𝟙",
    ],
)
def test_hostile_searches_are_answered(public: Public, query: str) -> None:
    response = public.client.get(reverse("register"), {"q": query})
    assert response.status_code == 200
    assert public.client.get(reverse("register-csv"), {"q": query}).status_code == 200


def test_a_change_within_the_same_second_still_changes_last_modified(
    world: World, public: Public
) -> None:
    client = Client()
    url = reverse("register")
    with time_machine.travel(datetime.datetime(2026, 3, 2, 10, 0, 0, 100_000), tick=False):
        entries.bump()
        modified = client.get(url)["Last-Modified"]
    with time_machine.travel(datetime.datetime(2026, 3, 2, 10, 0, 0, 900_000), tick=False):
        _officer_changes_status(world, "suspend", "x")
        again = client.get(url, headers={"if-modified-since": modified})
    assert again.status_code == 200
    assert "Suspended" in again.content.decode()


def test_asking_whether_an_unknown_reference_exists_is_a_404_not_a_304(public: Public) -> None:
    client = Client()
    unknown = reverse("verification", args=["VWS-NO-SUCH"])
    assert client.get(unknown, headers={"if-none-match": "*"}).status_code == 404
    known = reverse("verification", args=[public.reference])
    assert client.get(known, headers={"if-none-match": "*"}).status_code == 200


def test_a_migration_makes_pages_cached_before_it_unreachable(public: Public) -> None:
    client = Client()
    url = reverse("register")
    etag = client.get(url)["ETag"]
    assert client.get(url, headers={"if-none-match": etag}).status_code == 304
    call_command("migrate", verbosity=0)
    assert client.get(url, headers={"if-none-match": etag}).status_code == 200
