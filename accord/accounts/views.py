"""The people pages: the list, a person's roles and history, inviting, giving, ending and
changing roles, deactivating; and the page where an invited person sets their password."""

from __future__ import annotations

import calendar
from operator import attrgetter, methodcaller
from urllib.parse import urlencode

from allauth.mfa.models import Authenticator
from django.conf import settings
from django.contrib import messages
from django.contrib.auth import login, logout
from django.contrib.auth.decorators import login_required
from django.core.exceptions import PermissionDenied
from django.core.paginator import Paginator
from django.db.models import QuerySet
from django.http import Http404, HttpRequest, HttpResponse
from django.http.response import HttpResponseBase
from django.shortcuts import get_object_or_404, redirect, render
from django.views.decorators.http import require_http_methods, require_safe

from accord.core import exports
from accord.core.pages import form_page, posted
from accord.organisations.models import Association, District, Region, Union

from . import emails, erasure, rules, selectors, services, subject_access
from .forms import (
    AcceptInvitationForm,
    ChangeRoleForm,
    ConfirmForm,
    EmailPreferencesForm,
    EndRoleForm,
    EraseForm,
    InviteForm,
    RoleForm,
    StatusForm,
)
from .models import Invitation, Role, RoleAssignment, User

PAGE_SIZE = 50


def _people_found(request: HttpRequest) -> tuple[QuerySet[User], dict[str, object]]:
    """The people the list shows its reader, its search and filters applied, each with the
    roles the reader is shown: the page and its downloads alike."""
    scope = rules.people_q(request.user)
    if scope is None:
        raise PermissionDenied("You may not see the list of people.")
    found, values = selectors.people_search(request.user, request.GET, scope)
    shown = selectors.current_roles(rules.shown_roles_q(request.user))
    return found.prefetch_related(shown), values


def _filters_in_force(values: dict[str, object]) -> str:
    return urlencode({k: v for k, v in values.items() if v})


@login_required
def people(request: HttpRequest) -> HttpResponse:
    found, values = _people_found(request)
    page = Paginator(found, PAGE_SIZE).get_page(request.GET.get("page"))
    querystring = _filters_in_force(values)
    return render(
        request,
        "accounts/people.html",
        {
            "page": page,
            "values": values,
            "querystring": querystring,
            "downloads": exports.download_links("people-export", querystring),
            "roles": Role.choices,
            "unions": Union.objects.all(),
            "associations": Association.objects.all(),
            "districts": District.objects.all(),
            "regions": Region.objects.all(),
            "may_invite": rules.can_invite(request.user),
            # An employer contact sees their own organisation's people: the unions' roles and
            # areas mean nothing there.
            "union_view": request.user.is_superuser or rules.is_union_staff(request.user),
        },
    )


def _status(person: User) -> str:
    """As the list shows it: deactivated, invited (no password yet) or active."""
    if not person.is_active:
        return "Deactivated"
    if not person.has_usable_password():
        return "Invited, not yet signed in"
    return "Active"


PEOPLE_EXPORT = exports.Table(
    "People",
    [
        exports.Column("Name", methodcaller("get_full_name")),
        exports.Column("E-mail address", attrgetter("email")),
        exports.Column(
            "Current roles",
            lambda person: "\n".join(
                f"{a.get_role_display()}, {a.scope_label}" for a in person.current_roles
            ),
        ),
        exports.Column("Status", _status),
        exports.Column("Last signed in", attrgetter("last_login")),
    ],
)


@login_required
def people_export(request: HttpRequest, kind: str) -> HttpResponseBase:
    """Everyone the list shows its reader with its filters, as CSV or XLSX, with only the roles
    the page shows them. Names and addresses leave Accord, so the download is audited."""
    if kind not in exports.KINDS:
        raise Http404("The list of people is downloaded as .csv or .xlsx.")
    found, values = _people_found(request)
    services.record_people_download(
        actor=request.user, kind=kind, filters=_filters_in_force(values)
    )
    return PEOPLE_EXPORT.response(exports.chunked(found), kind=kind, name="people")


def _person(request: HttpRequest, pk: int) -> User:
    person = get_object_or_404(User, pk=pk)
    if not rules.can_see_person(request.user, person):
        raise PermissionDenied("You may not see this person.")
    return person


@login_required
def person(request: HttpRequest, pk: int) -> HttpResponse:
    person = _person(request, pk)
    history = list(
        RoleAssignment.history.filter(rules.shown_roles_q(request.user), user=person)
        .select_related(*selectors.ROLE_RELATED, "granted_by", "ended_by")
        .order_by("-starts_on", "-id")
    )
    current = [a for a in history if a.is_current()]
    former = [a for a in history if not a.is_current()]
    user = request.user
    powers = rules.powers_over(user, person)
    return render(
        request,
        "accounts/person.html",
        {
            "person": person,
            "current": [(a, rules.can_end_role(user, a)) for a in current],
            "former": former,
            "invitation": Invitation.objects.filter(user=person).first(),
            "may_grant": bool(rules.grantable_roles(user)) and person.is_active,
            "may_manage": powers.manage,
            "may_erase": powers.erase and not person.is_erased,
            "may_reset_mfa": powers.reset_mfa,
        },
    )


def _invite_blocks(form: InviteForm) -> list[tuple[str, list]]:
    """The invitation's fields in groups: who, their role, and another role."""
    person = [form[name] for name in ("email", "full_name")]
    groups = [("", person)]
    for suffix, legend in (("", "Their role"), ("_2", "Another role (optional)")):
        names = ["role", "union", "employer", "association", "district", "region"]
        fields = [form[f"{n}{suffix}"] for n in names if f"{n}{suffix}" in form.fields]
        groups.append((legend, fields))
    return groups


@login_required
@require_http_methods(["GET", "POST"])
def invite(request: HttpRequest) -> HttpResponse:
    if not rules.can_invite(request.user):
        raise PermissionDenied("You may not invite people.")
    form = InviteForm(posted(request), actor=request.user)
    return form_page(
        request,
        form,
        lambda data: services.invite(
            email=data["email"],
            full_name=data["full_name"],
            roles=data["specs"],
            actor=request.user,
        ),
        done="the person is invited",
        then=lambda invited: invited.user.get_absolute_url(),
        template="accounts/invite.html",
        context={"blocks": _invite_blocks(form)},
    )


@login_required
@require_http_methods(["GET", "POST"])
def add_role(request: HttpRequest, pk: int) -> HttpResponse:
    person = _person(request, pk)
    if not rules.grantable_roles(request.user) or not person.is_active:
        raise PermissionDenied("You may not give this person a role.")
    form = RoleForm(posted(request), actor=request.user)
    return form_page(
        request,
        form,
        lambda data: services.grant_role(person, data["spec"], actor=request.user),
        done="the role is given",
        then=lambda result: person.get_absolute_url(),
        template="accounts/role_form.html",
        context={"person": person, "title": "Give a role", "button": "Give the role"},
    )


def _role(request: HttpRequest, pk: int, role_pk: int) -> tuple[User, RoleAssignment]:
    person = _person(request, pk)
    return person, selectors.role_to_change(request.user, person, role_pk)


@login_required
@require_http_methods(["GET", "POST"])
def end_role(request: HttpRequest, pk: int, role_pk: int) -> HttpResponse:
    person, assignment = _role(request, pk, role_pk)
    form = EndRoleForm(posted(request))
    return form_page(
        request,
        form,
        lambda data: services.end_role(
            assignment, actor=request.user, ends_on=data["ends_on"], reason=data["reason"]
        ),
        done="the role is ended",
        then=lambda result: person.get_absolute_url(),
        template="accounts/role_form.html",
        context={
            "person": person,
            "assignment": assignment,
            "title": "End a role",
            "button": "End the role",
        },
    )


@login_required
@require_http_methods(["GET", "POST"])
def change_role(request: HttpRequest, pk: int, role_pk: int) -> HttpResponse:
    person, assignment = _role(request, pk, role_pk)
    initial = {"role": assignment.role, "union": assignment.union_id}
    for name in ("association", "district", "region"):
        initial[name] = getattr(assignment, f"{name}_id")
    if assignment.employer_id:
        initial["employer"] = assignment.employer
    form = ChangeRoleForm(posted(request), actor=request.user, initial=initial)
    return form_page(
        request,
        form,
        lambda data: services.change_role(
            assignment, data["spec"], actor=request.user, reason=data["reason"]
        ),
        done="the role is changed",
        then=lambda result: person.get_absolute_url(),
        template="accounts/role_form.html",
        context={
            "person": person,
            "assignment": assignment,
            "title": "Change a role",
            "button": "Change the role",
        },
    )


@login_required
@require_http_methods(["GET", "POST"])
def status(request: HttpRequest, pk: int) -> HttpResponse:
    """Deactivate an active person, or reactivate a deactivated one."""
    person = _person(request, pk)
    if not rules.can_manage_person(request.user, person):
        raise PermissionDenied("You may not deactivate or reactivate this person.")
    change = services.deactivate if person.is_active else services.reactivate
    verb = "deactivate" if person.is_active else "reactivate"
    form = StatusForm(posted(request))
    return form_page(
        request,
        form,
        lambda data: change(person, actor=request.user, reason=data["reason"]),
        done=f"{person} is {verb}d",
        then=lambda result: person.get_absolute_url(),
        template="accounts/status_form.html",
        context={"person": person, "verb": verb},
    )


@login_required
@require_http_methods(["GET", "POST"])
def erase(request: HttpRequest, pk: int) -> HttpResponse:
    """Erase a person's personal data, after a confirmation and with a reason."""
    person = _person(request, pk)
    if not rules.can_erase_person(request.user, person):
        raise PermissionDenied("You may not erase this person.")
    form = EraseForm(posted(request))
    return form_page(
        request,
        form,
        lambda data: erasure.erase_person(person=person, actor=request.user, reason=data["reason"]),
        done="their name and e-mail address are replaced by a pseudonym everywhere",
        then=lambda result: result.person.get_absolute_url(),
        template="accounts/erase_form.html",
        context={"person": person},
    )


def _data_download(request: HttpRequest, person: User, template: str) -> HttpResponse:
    """The page with the download button; the POST answers with the zip."""
    form = ConfirmForm(posted(request))
    if request.method == "POST" and form.is_valid():
        content = subject_access.export_person_data(person=person, actor=request.user)
        response = HttpResponse(content, content_type="application/zip")
        name = f"accord-personal-data-{person.pk}.zip"
        response["Content-Disposition"] = f'attachment; filename="{name}"'
        return response
    return render(request, template, {"person": person, "form": form})


@login_required
@require_http_methods(["GET", "POST"])
def own_data(request: HttpRequest) -> HttpResponse:
    """A person downloads everything Accord holds about them."""
    return _data_download(request, request.user, "accounts/own_data.html")


@login_required
@require_http_methods(["GET", "POST"])
def person_data(request: HttpRequest, pk: int) -> HttpResponse:
    """An officer produces a person's data for a request they made offline."""
    person = _person(request, pk)
    if not rules.can_export_person_data(request.user, person):
        raise PermissionDenied("You may not download this person's data.")
    return _data_download(request, person, "accounts/person_data.html")


@login_required
@require_http_methods(["GET", "POST"])
def reset_mfa(request: HttpRequest, pk: int) -> HttpResponse:
    """Remove a person's authenticator app (a lost phone); they set up a new one at sign-in."""
    person = _person(request, pk)
    if not rules.can_reset_mfa(request.user, person):
        raise PermissionDenied("You may not reset this person's two-factor sign-in.")
    form = StatusForm(posted(request))
    return form_page(
        request,
        form,
        lambda data: services.reset_mfa(person, actor=request.user, reason=data["reason"]),
        done=f"the two-factor sign-in of {person} is reset",
        then=lambda result: person.get_absolute_url(),
        template="accounts/reset_mfa_form.html",
        context={
            "person": person,
            "has_mfa": Authenticator.objects.filter(user=person).exists(),
        },
    )


@login_required
@require_http_methods(["GET", "POST"])
def resend_invitation(request: HttpRequest, pk: int) -> HttpResponse:
    person = _person(request, pk)
    if not rules.can_manage_person(request.user, person):
        raise PermissionDenied("You may not invite this person.")
    form = ConfirmForm(posted(request))
    return form_page(
        request,
        form,
        lambda data: services.resend_invitation(person, actor=request.user),
        done="a new link is on its way; the old one no longer works",
        then=lambda result: person.get_absolute_url(),
        template="accounts/resend_form.html",
        context={"person": person},
    )


@require_http_methods(["GET", "POST"])
def accept_invitation(request: HttpRequest, token: str) -> HttpResponse:
    """Set a password from an invitation's link, then be signed in. A link that no longer
    works says why, and what to do."""
    try:
        invitation = services.invitation_for(token)
    except services.InvitationRefused as refused:
        return render(
            request,
            "accounts/invitation_refused.html",
            {"message": refused.message},
            status=410 if refused.reason != "unknown" else 404,
        )
    form = AcceptInvitationForm(invitation.user, posted(request))

    def accept(data: dict) -> User:
        user = services.accept_invitation(token, password=data["new_password1"])
        login(request, user, backend=settings.AUTHENTICATION_BACKENDS[0])
        return user

    return form_page(
        request,
        form,
        accept,
        done="your password is set and you are signed in",
        then=lambda user: "tasks",
        template="accounts/accept_invitation.html",
        context={"invitee": invitation.user},
    )


@login_required
@require_safe
def email_address(request: HttpRequest) -> HttpResponse:
    """In place of allauth's address management: a person's address is their sign-in name and
    where their invitations went, so national officers change it, not the person."""
    return render(request, "account/email_address.html")


@login_required
@require_http_methods(["GET", "HEAD", "POST"])
def email_preferences(request: HttpRequest) -> HttpResponse:
    """The signed-in person's own choice of how often each kind of e-mail comes. The page has
    no one's id in its address: it reads and writes only the person signed in."""
    user = request.user
    form = EmailPreferencesForm(
        posted(request), initial=emails.preferences(user), kinds=emails.kinds_for(user)
    )
    if request.method == "POST":
        if form.is_valid():
            changed = emails.set_preferences(user, form.cleaned_data, actor=user)
            messages.success(
                request,
                "Your e-mail preferences are saved."
                if changed
                else "Nothing to change: your e-mail preferences were already so.",
            )
            return redirect("email-preferences")
        status = 400
    else:
        status = 200
    context = {"form": form, "weekly_day": calendar.day_name[settings.ACCORD_WEEKLY_DIGEST_DAY]}
    return render(request, "accounts/email_preferences.html", context, status=status)


@login_required
@require_safe
def security(request: HttpRequest) -> HttpResponse:
    """The signed-in person's own sign-in settings: their authenticator app and recovery codes,
    their password, and signing out on every device."""
    kinds = set(Authenticator.objects.filter(user=request.user).values_list("type", flat=True))
    return render(
        request,
        "accounts/security.html",
        {
            "has_totp": Authenticator.Type.TOTP in kinds,
            "has_recovery_codes": Authenticator.Type.RECOVERY_CODES in kinds,
            "must_use_mfa": rules.must_use_mfa(request.user),
            "form": ConfirmForm(),
        },
    )


@login_required
@require_http_methods(["POST"])
def sign_out_everywhere(request: HttpRequest) -> HttpResponse:
    """End every session of the person, on every device, this one included."""
    form = ConfirmForm(request.POST)
    if not form.is_valid():
        return redirect("account-security")
    services.sign_out_everywhere(request.user, actor=request.user)
    logout(request)
    messages.success(request, "You are signed out on every device, this one included.")
    return redirect("login")
