"""Posting progress on an action, with evidence."""

from __future__ import annotations

from django.core.files.uploadedfile import UploadedFile
from django.db import transaction

from accord.accounts.models import User
from accord.core import audit, uploads
from accord.core.errors import DomainError

from . import evidence, rules
from .models import Action, EvidenceFile, ProgressUpdate


class ProgressError(DomainError):
    pass


def post_progress(
    action: Action, *, actor: User, text: str, status: str = "", file: UploadedFile | None = None
) -> ProgressUpdate:
    if not rules.can_update_action(actor, action):
        raise ProgressError("You may not post progress on this action.")
    if not text.strip():
        raise ProgressError("Say what has happened.", field="text")
    checked = None
    if file is not None:
        try:
            checked = evidence.check(file)
        except uploads.FileRefused as refused:
            raise ProgressError(str(refused), field="file") from refused
    with transaction.atomic():
        update = ProgressUpdate.objects.create(
            action=action, author=actor, text=text.strip(), status=status
        )
        changes = {}
        if status and status != action.status:
            changes["status"] = [action.status, status]
            action.status = status
            action.save(update_fields=["status", "updated_at"])
        if checked is not None:
            name, kind = checked
            EvidenceFile.objects.create(
                update=update,
                file=file,
                original_name=name,
                content_type=kind.content_type,
                size=file.size,
            )
            changes["evidence"] = [None, name]
        audit.log_action(
            update,
            "action.progress",
            actor=actor,
            summary=f"{actor} posted progress on {action.label}",
            context=action.audit_context,
            changes=changes,
            note=update.text,
        )
    return update
