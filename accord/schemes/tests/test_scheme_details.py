"""Creating and editing a scheme through its pages: every change audited with before and after,
other schemes defined without code."""

from __future__ import annotations

from django.test import Client

from accord.accounts.models import User
from accord.core.models import AuditEvent
from accord.schemes import services
from accord.schemes.models import Scheme
from tests.world import PASSWORD, World


def _client(person: str = "officer") -> Client:
    client = Client()
    if person == "root" and not User.objects.filter(email="root@example.org").exists():
        User.objects.create_superuser("root@example.org", "root@example.org", PASSWORD)
    assert client.login(username=f"{person}@example.org", password=PASSWORD)
    return client


def _details(world: World, **changes: object) -> dict[str, object]:
    return {
        "name": "Fair Schools Scheme",
        "slug": "fair-schools",
        "lead_union": world.unions["NASUWT"].pk,
        "partner_unions": [world.unions["UNISON"].pk],
        "default_cycle_months": 24,
        "summary": "A scheme for fair schools.",
        "principles_preamble": "Employers will commit to:",
        "contact_email": "fair@example.org",
        **changes,
    }


def test_a_superuser_creates_a_scheme_without_code_and_the_creation_is_audited(
    world: World,
) -> None:
    response = _client("root").post("/schemes/new/", _details(world))
    assert response.status_code == 302
    scheme = Scheme.objects.get(slug="fair-schools")
    assert (scheme.default_cycle_months, scheme.contact_email) == (24, "fair@example.org")
    event = AuditEvent.objects.get(action="scheme.create")
    assert event.actor.email == "root@example.org"
    assert event.changes["name"] == [None, "Fair Schools Scheme"]
    assert event.changes["partner_unions"] == [None, ["UNISON"]]
    assert event.changes["lead_union"] == [None, "NASUWT"]
    # Principles and materials follow on the scheme's own pages, run by the lead union's officers.
    client = _client()
    client.post(
        "/schemes/fair-schools/principles/new/",
        {"short_title": "Fair pay", "wording": "paying fairly;", "footnote": ""},
    )
    page = client.get("/schemes/fair-schools/").content.decode()
    assert "paying fairly;" in page and "Fair pay" in page


def test_an_edit_is_audited_with_each_changed_field_before_and_after(world: World) -> None:
    response = _client("root").post(
        "/schemes/vws/edit/",
        _details(
            world,
            name="Valued Worker Scheme",
            slug="vws",
            partner_unions=[world.unions["GMB"].pk, world.unions["Unite"].pk],
            default_cycle_months=12,
            contact_email="vws@example.org",
        ),
    )
    assert response.status_code == 302
    event = AuditEvent.objects.get(action="scheme.edit")
    assert event.changes["partner_unions"] == [["GMB", "UNISON", "Unite"], ["GMB", "Unite"]]
    assert event.changes["contact_email"] == ["", "vws@example.org"]
    assert event.changes["summary"][1] == "A scheme for fair schools."
    assert "name" not in event.changes and "slug" not in event.changes


def test_a_changed_short_name_moves_the_scheme_pages(world: World) -> None:
    response = _client().post(
        "/schemes/vws/edit/", _details(world, name="Valued Worker Scheme", slug="valued")
    )
    assert response["Location"] == "/schemes/valued/"
    assert _client().get("/schemes/valued/principles/4/").status_code == 200


def test_refused_details_are_shown_on_their_fields(world: World) -> None:
    client = _client("root")
    cases = [
        (_details(world, name="valued worker scheme"), "name", "Another scheme has this name."),
        (_details(world, slug="vws"), "slug", "Another scheme"),
        (_details(world, slug="new"), "slug", "taken by a page"),
        (
            _details(world, partner_unions=[world.unions["NASUWT"].pk]),
            "partner_unions",
            "cannot also be a partner",
        ),
        (_details(world, default_cycle_months=0), "default_cycle_months", "greater than or equal"),
    ]
    for data, field, message in cases:
        response = client.post("/schemes/new/", data)
        assert response.status_code == 400, field
        errors = response.context["form"].errors
        assert field in errors and message in " ".join(errors[field]), (field, errors)
    assert Scheme.objects.count() == 1
    assert not AuditEvent.objects.filter(action="scheme.create").exists()


def test_a_superuser_creates_a_scheme_led_by_any_union(world: World) -> None:
    client = _client("root")
    data = _details(world, lead_union=world.unions["GMB"].pk, partner_unions=[])
    assert client.post("/schemes/new/", data).status_code == 302
    assert Scheme.objects.get(slug="fair-schools").lead_union == world.unions["GMB"]


def test_the_scheme_list_reads_a_fixed_number_of_queries(
    world: World, django_assert_max_num_queries
) -> None:  # type: ignore[no-untyped-def]
    for number in range(8):
        services.create_scheme(
            actor=world.users["officer"],
            data={
                "name": f"Scheme {number}",
                "slug": f"scheme-{number}",
                "lead_union": world.unions["NASUWT"],
                "partner_unions": [world.unions["GMB"], world.unions["Unite"]],
                "default_cycle_months": 12,
            },
        )
    client = _client("auditor")
    with django_assert_max_num_queries(12):
        response = client.get("/schemes/")
    assert response.content.decode().count("Led by NASUWT") == 9


def test_the_scheme_page_reads_a_fixed_number_of_queries(
    world: World, django_assert_max_num_queries
) -> None:  # type: ignore[no-untyped-def]
    client = _client()
    with django_assert_max_num_queries(14):
        assert client.get("/schemes/vws/").status_code == 200


def test_an_officer_cannot_create_a_scheme_nor_choose_its_unions(world: World) -> None:
    """Leading a scheme makes a union's officers lead officers (areas, the partners' roles):
    an officer who could make one, or change its unions, could give themselves that reach."""
    officer = _client("other_officer")  # UNISON's: it leads nothing
    assert (
        officer.post(
            "/schemes/new/", _details(world, lead_union=world.unions["UNISON"].pk)
        ).status_code
        == 403
    )
    assert not Scheme.objects.filter(slug="fair-schools").exists()
    assert officer.get("/areas/").status_code == 403
    # The lead union's officer edits the details, but the unions stay as they were.
    nasuwt = _client()
    before = set(world.scheme.partner_unions.values_list("pk", flat=True))
    response = nasuwt.post(
        "/schemes/vws/edit/",
        _details(
            world,
            name="Valued Worker Scheme",
            slug="vws",
            lead_union=world.unions["UNISON"].pk,
            partner_unions=[world.unions["NASUWT"].pk],
        ),
    )
    assert response.status_code == 302
    world.scheme.refresh_from_db()
    assert world.scheme.lead_union == world.unions["NASUWT"]
    assert set(world.scheme.partner_unions.values_list("pk", flat=True)) == before
    assert world.scheme.summary == "A scheme for fair schools."
