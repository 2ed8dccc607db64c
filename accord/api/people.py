"""API: people, as the people pages show and change them. Who sees whom is
`accounts.rules.people_q` (officers and auditors everyone, a local secretary their association's
people, an employer contact their organisation's contacts), and which of a person's roles are
shown is `shown_roles_q` (a colleague's union role is union membership: special-category data,
never shown to an employer contact). Inviting, giving, changing and ending roles, deactivating
and reactivating go through the pages' forms and services, under the same rules.

Nothing about signing in is ever shown: no password, authenticator or security stamp. Resetting
two-factor sign-in, erasure and the subject-access download stay pages: they ask the officer to
have signed in again recently, which a token cannot show."""

from __future__ import annotations

from typing import Any

from django.core.exceptions import PermissionDenied
from django.db.models import QuerySet
from django.shortcuts import get_object_or_404
from django.urls import path, reverse
from drf_spectacular.utils import OpenApiParameter, extend_schema, extend_schema_field
from rest_framework import generics, serializers
from rest_framework.request import Request
from rest_framework.response import Response
from rest_framework.views import APIView

from accord.accounts import rules, selectors, services
from accord.accounts.forms import ChangeRoleForm, EndRoleForm, InviteForm, RoleForm, StatusForm
from accord.accounts.models import Invitation, Role, RoleAssignment, User

from . import idempotency
from .forms import bind, form_request
from .views import act

# --- what is shown ----------------------------------------------------------------------------

STATUSES = {
    "active": "Active",
    "invited": "Invited, not yet signed in",
    "deactivated": "Deactivated",
    "erased": "Erased",
}

STATUS_HELP = "One of: " + ", ".join(STATUSES) + "."


def status_of(person: User) -> str:
    """The person's status as their page words it: deactivated (or erased), active once they
    have a password or have signed in, else invited."""
    if not person.is_active:
        return "erased" if person.is_erased else "deactivated"
    if person.last_login or person.has_usable_password():
        return "active"
    return "invited"


class PersonRoleSerializer(serializers.ModelSerializer):
    """A role and what it is held for (each scope an id, or null when the role is not held
    for one)."""

    role = serializers.CharField(help_text="One of: " + ", ".join(Role.values) + ".")
    role_label = serializers.CharField(source="get_role_display")
    scope_label = serializers.CharField()

    class Meta:
        model = RoleAssignment
        fields = (
            "id",
            "role",
            "role_label",
            "scope_label",
            "union",
            "employer",
            "association",
            "district",
            "region",
            "plan",
            "starts_on",
            "ends_on",
        )
        extra_kwargs = {
            name: {"allow_null": True}
            for name in ("union", "employer", "association", "district", "region", "plan")
        }


class PersonCurrentRoleSerializer(PersonRoleSerializer):
    granted_by = serializers.StringRelatedField(allow_null=True)
    may_end = serializers.SerializerMethodField(
        help_text="Whether the caller may end or change it."
    )

    class Meta(PersonRoleSerializer.Meta):
        fields = (*PersonRoleSerializer.Meta.fields, "granted_by", "may_end")

    @extend_schema_field(serializers.BooleanField())
    def get_may_end(self, assignment: RoleAssignment) -> bool:
        return rules.can_end_role(self.context["actor"], assignment)


class PersonFormerRoleSerializer(PersonRoleSerializer):
    ended_by = serializers.StringRelatedField(allow_null=True)

    class Meta(PersonRoleSerializer.Meta):
        fields = (*PersonRoleSerializer.Meta.fields, "ended_by", "end_reason")


class PersonRowSerializer(serializers.ModelSerializer):
    """A person as the people list shows them, with their current roles the caller may see."""

    full_name = serializers.CharField(source="get_full_name")
    status = serializers.SerializerMethodField(help_text=STATUS_HELP)
    roles = PersonRoleSerializer(source="current_roles", many=True)

    class Meta:
        model = User
        fields = ("id", "full_name", "email", "status", "last_login", "roles")

    @extend_schema_field(serializers.CharField(help_text=STATUS_HELP))
    def get_status(self, person: User) -> str:
        return status_of(person)


class PersonInvitationSerializer(serializers.ModelSerializer):
    invited_by = serializers.StringRelatedField(allow_null=True)
    state = serializers.CharField(help_text="One of: open, used, voided, expired.")

    class Meta:
        model = Invitation
        fields = ("created_at", "invited_by", "state", "expires_at", "used_at")


class PersonPageSerializer(serializers.Serializer):
    """A person's page: their status, their roles now and before (those the caller may see),
    their latest invitation, and what the caller may do here."""

    id = serializers.IntegerField()
    full_name = serializers.CharField()
    email = serializers.EmailField()
    status = serializers.CharField(help_text=STATUS_HELP)
    last_login = serializers.DateTimeField(allow_null=True)
    invitation = PersonInvitationSerializer(allow_null=True)
    current_roles = PersonCurrentRoleSerializer(many=True)
    former_roles = PersonFormerRoleSerializer(many=True)
    may_grant = serializers.BooleanField(help_text="Whether the caller may give them a role.")
    may_manage = serializers.BooleanField(
        help_text="Whether the caller may deactivate or reactivate them."
    )


def person_page(request: Request, person: User) -> dict[str, Any]:
    """The person's page for `request.user`, read as the page reads it."""
    user = request.user
    person = User.objects.get(pk=person.pk)  # afresh, after a change
    history = list(
        RoleAssignment.history.filter(rules.shown_roles_q(user), user=person)
        .select_related(*selectors.ROLE_RELATED, "granted_by", "ended_by")
        .order_by("-starts_on", "-id")
    )
    invitation = Invitation.objects.filter(user=person).select_related("invited_by").first()
    data = {
        "id": person.pk,
        "full_name": person.get_full_name(),
        "email": person.email,
        "status": status_of(person),
        "last_login": person.last_login,
        "invitation": invitation,
        "current_roles": [a for a in history if a.is_current()],
        "former_roles": [a for a in history if not a.is_current()],
        "may_grant": bool(rules.grantable_roles(user)) and person.is_active,
        "may_manage": rules.can_manage_person(user, person),
    }
    return PersonPageSerializer(data, context={"actor": user}).data


# --- the list ---------------------------------------------------------------------------------

PEOPLE_PARAMETERS = [
    OpenApiParameter("q", str, description="Part of the name or e-mail address."),
    OpenApiParameter("role", str, enum=Role.values, description="Who holds this role."),
    OpenApiParameter("union", int, description="Who holds a role of this union (its id)."),
    OpenApiParameter(
        "association", int, description="Who holds a role in this association (its id)."
    ),
    OpenApiParameter("district", int, description="Who holds a role in this NEM district."),
    OpenApiParameter("region", int, description="Who holds a role in this region."),
]


class PersonList(generics.ListAPIView):
    """The people the caller may see, by name, with the people page's filters; a value nobody
    could have chosen is ignored, as the page ignores it."""

    serializer_class = PersonRowSerializer

    def get_queryset(self) -> QuerySet[User]:
        scope = rules.people_q(self.request.user)
        if scope is None:
            raise PermissionDenied("You may not see the list of people.")
        found, _ = selectors.people_search(self.request.user, self.request.query_params, scope)
        return found.prefetch_related(
            selectors.current_roles(rules.shown_roles_q(self.request.user))
        )

    @extend_schema(operation_id="people_list", parameters=PEOPLE_PARAMETERS)
    def get(self, request: Request, *args: Any, **kwargs: Any) -> Response:
        return super().get(request, *args, **kwargs)

    @extend_schema(
        operation_id="people_invite",
        request=form_request(InviteForm),
        responses={201: PersonPageSerializer},
        parameters=[idempotency.PARAMETER],
    )
    @idempotency.idempotent
    def post(self, request: Request) -> Response:
        """Invite someone with a role (and optionally a second, the `_2` fields). A known
        address gets the roles added. The link to set a password goes to them by e-mail only."""
        if not rules.can_invite(request.user):
            raise PermissionDenied("You may not invite people.")
        return act(
            bind(InviteForm, request, actor=request.user),
            lambda data: services.invite(
                email=data["email"],
                full_name=data["full_name"],
                roles=data["specs"],
                actor=request.user,
            ),
            serialize=lambda invited: person_page(request, invited.user),
            status=201,
            location=lambda invited: _person_url(invited.user),
        )


# --- one person -------------------------------------------------------------------------------


def _person_url(person: User) -> str:
    return reverse("api:person-detail", args=[person.pk])


def _person(request: Request, pk: int) -> User:
    person = get_object_or_404(User, pk=pk)
    if not rules.can_see_person(request.user, person):
        raise PermissionDenied("You may not see this person.")
    return person


class PersonDetail(APIView):
    @extend_schema(operation_id="people_retrieve", responses=PersonPageSerializer)
    def get(self, request: Request, pk: int) -> Response:
        return Response(person_page(request, _person(request, pk)))


class PersonRoles(APIView):
    @extend_schema(
        operation_id="people_roles_create",
        request=form_request(RoleForm),
        responses={201: PersonPageSerializer},
        parameters=[idempotency.PARAMETER],
    )
    @idempotency.idempotent
    def post(self, request: Request, pk: int) -> Response:
        """Give the person a role, from today. Answers with their page."""
        person = _person(request, pk)
        if not rules.grantable_roles(request.user) or not person.is_active:
            raise PermissionDenied("You may not give this person a role.")
        return act(
            bind(RoleForm, request, actor=request.user),
            lambda data: services.grant_role(person, data["spec"], actor=request.user),
            serialize=lambda given: person_page(request, person),
            status=201,
            location=lambda given: _person_url(person),
        )


def _role(request: Request, pk: int, role_pk: int) -> tuple[User, RoleAssignment]:
    person = _person(request, pk)
    return person, selectors.role_to_change(request.user, person, role_pk)


class PersonRole(APIView):
    @extend_schema(
        operation_id="people_roles_update",
        request=form_request(ChangeRoleForm),
        responses=PersonPageSerializer,
    )
    def put(self, request: Request, pk: int, role_pk: int) -> Response:
        """Change a current role: it ends today and the new one starts, together or not at
        all. Answers with the person's page."""
        person, assignment = _role(request, pk, role_pk)
        return act(
            bind(ChangeRoleForm, request, actor=request.user),
            lambda data: services.change_role(
                assignment, data["spec"], actor=request.user, reason=data["reason"]
            ),
            serialize=lambda changed: person_page(request, person),
        )


class PersonRoleEnd(APIView):
    @extend_schema(
        operation_id="people_roles_end",
        request=form_request(EndRoleForm),
        responses=PersonPageSerializer,
    )
    def post(self, request: Request, pk: int, role_pk: int) -> Response:
        """End a current role on `ends_on` (today if not given): kept as history, granting
        nothing from then. Answers with the person's page."""
        person, assignment = _role(request, pk, role_pk)
        return act(
            bind(EndRoleForm, request),
            lambda data: services.end_role(
                assignment, actor=request.user, ends_on=data["ends_on"], reason=data["reason"]
            ),
            serialize=lambda ended: person_page(request, person),
        )


def _managed(request: Request, pk: int) -> User:
    person = _person(request, pk)
    if not rules.can_manage_person(request.user, person):
        raise PermissionDenied("You may not deactivate or reactivate this person.")
    return person


class PersonDeactivation(APIView):
    @extend_schema(
        operation_id="people_deactivate",
        request=form_request(StatusForm),
        responses=PersonPageSerializer,
    )
    def post(self, request: Request, pk: int) -> Response:
        """Deactivate the person: they lose access at once (sign-in, sessions, API tokens,
        unused invitation links); their roles are kept, granting nothing."""
        person = _managed(request, pk)
        return act(
            bind(StatusForm, request),
            lambda data: services.deactivate(person, actor=request.user, reason=data["reason"]),
            serialize=lambda changed: person_page(request, person),
        )


class PersonReactivation(APIView):
    @extend_schema(
        operation_id="people_reactivate",
        request=form_request(StatusForm),
        responses=PersonPageSerializer,
    )
    def post(self, request: Request, pk: int) -> Response:
        """Reactivate a deactivated person (not an erased one)."""
        person = _managed(request, pk)
        return act(
            bind(StatusForm, request),
            lambda data: services.reactivate(person, actor=request.user, reason=data["reason"]),
            serialize=lambda changed: person_page(request, person),
        )


urlpatterns = [
    path("people/", PersonList.as_view(), name="person-list"),
    path("people/<int:pk>/", PersonDetail.as_view(), name="person-detail"),
    path("people/<int:pk>/roles/", PersonRoles.as_view(), name="person-roles"),
    path("people/<int:pk>/roles/<int:role_pk>/", PersonRole.as_view(), name="person-role"),
    path(
        "people/<int:pk>/roles/<int:role_pk>/end/",
        PersonRoleEnd.as_view(),
        name="person-role-end",
    ),
    path(
        "people/<int:pk>/deactivation/",
        PersonDeactivation.as_view(),
        name="person-deactivation",
    ),
    path(
        "people/<int:pk>/reactivation/",
        PersonReactivation.as_view(),
        name="person-reactivation",
    ),
]
