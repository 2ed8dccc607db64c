"""API: what members do after joining, and what is said about them: actions (a cycle's
activities, a plan's workplan actions, a concern's remedies) with their progress and evidence,
policy checks, and concerns. Each view calls the page's own rules, forms and services."""

from __future__ import annotations

from .. import schema
from . import actions, concerns, policy_checks
from .common import document_upload_limit

urlpatterns = [*actions.urlpatterns, *policy_checks.urlpatterns, *concerns.urlpatterns]

schema.HOOKS.append(document_upload_limit([*actions.UPLOADS, *concerns.UPLOADS]))
schema.HOOKS.append(concerns.step_paths)
