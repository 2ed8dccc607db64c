"""An action's page (its progress and evidence), for a member's activity or a plan's action
alike, and evidence downloads."""

from __future__ import annotations

from typing import TYPE_CHECKING

from django import forms
from django.conf import settings
from django.contrib.auth.decorators import login_required
from django.core.exceptions import PermissionDenied
from django.http import FileResponse, Http404, HttpRequest, HttpResponse
from django.shortcuts import get_object_or_404
from django.views.decorators.http import require_http_methods

from accord.accounts import rules as account_rules
from accord.core.forms import AccordForm
from accord.core.pages import form_page, posted, posted_files
from accord.core.uploads import accepts_files, serve_evidence, size_text
from accord.enrolments.forms import LONG_TEXT

from . import rules, services
from .models import Action, ActionStatus, EvidenceFile

if TYPE_CHECKING:
    from accord.accounts.rules import AnyUser


class ProgressForm(AccordForm):
    text = forms.CharField(
        label="Progress", max_length=LONG_TEXT, widget=forms.Textarea(attrs={"rows": 4})
    )
    status = forms.ChoiceField(
        label="Status now", required=False, choices=[("", "Unchanged"), *ActionStatus.choices]
    )
    file = forms.FileField(
        label="Evidence",
        required=False,
        help_text="PDF, Word, Excel, PNG, JPEG, text or CSV, no larger than "
        f"{size_text(settings.EVIDENCE_MAX_BYTES)}.",
    )


def action_for(user: AnyUser, pk: int) -> Action:
    """The action `pk` with what its page shows, if `user` may see it: a concern's remedy is
    "not found" to others (a concern is confidential: its remedies are not known to exist),
    any other action forbidden."""
    action = get_object_or_404(
        Action.objects.select_related(
            "cycle__enrolment__employer",
            "cycle__enrolment__scheme",
            "cycle__principle_version__principle",
            "plan",
            "owner_party",
            "concern__membership__employer",
            "concern__membership__scheme",
        ),
        pk=pk,
    )
    if not rules.can_view_action(user, action):
        if action.concern_id is not None:
            raise Http404("No such action.")
        raise PermissionDenied("You do not have access to this action.")
    return action


@login_required
@require_http_methods(["GET", "POST"])
@accepts_files("EVIDENCE_MAX_BYTES")
def action_detail(request: HttpRequest, pk: int) -> HttpResponse:
    action = action_for(request.user, pk)
    may_post = rules.can_update_action(request.user, action)
    if request.method == "POST" and not may_post:
        raise PermissionDenied("You may not post progress on this action.")
    return form_page(
        request,
        ProgressForm(posted(request), posted_files(request)),
        lambda data: services.post_progress(action, actor=request.user, **data),
        done="progress posted",
        then=lambda result: action,
        template="actions/action_detail.html",
        context={
            "action": action,
            "enrolment": action.cycle.enrolment if action.cycle_id else None,
            "plan": action.plan,
            "concern": action.concern,
            "updates": action.progress.select_related("author").prefetch_related("files"),
            "may_post": may_post,
            "may_edit": action.plan_id is not None
            and account_rules.can_manage_plan(request.user, action.plan),
        },
    )


@login_required
def evidence_file(request: HttpRequest, pk: int) -> FileResponse:
    evidence = get_object_or_404(
        EvidenceFile.objects.select_related(
            "update__action__cycle__enrolment__employer",
            "update__action__cycle__enrolment__scheme",
            "update__action__plan",
            "update__action__concern__membership__scheme",
        ),
        pk=pk,
    )
    if not rules.can_view_action(request.user, evidence.update.action):
        # The same answer as a missing file: an address that is guessed reveals nothing.
        raise Http404("No such file.")
    return serve_evidence(evidence)
