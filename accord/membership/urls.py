from django.urls import path

from . import (
    concern_views,
    cycle_views,
    employer_edit_views,
    employer_views,
    place_views,
    policy_views,
    views,
)

urlpatterns = [
    path("enrolments/<int:pk>/", views.enrolment_detail, name="enrolment"),
    path("employers/", employer_views.employer_list, name="employers"),
    path("employers/export.<slug:kind>", employer_views.employer_export, name="employers-export"),
    path("employers/import/", employer_views.gias_import, name="employers-import"),
    path("employers/<int:pk>/", employer_views.employer_detail, name="employer"),
    path(
        "employers/unassigned/",
        employer_edit_views.employers_unassigned,
        name="employers-unassigned",
    ),
    path("employers/<int:pk>/edit/", employer_edit_views.employer_edit, name="employer-edit"),
    path(
        "employers/<int:pk>/association/",
        employer_edit_views.employer_association,
        name="employer-association",
    ),
    path("employers/<int:pk>/merge/", employer_edit_views.employer_merge, name="employer-merge"),
    path("areas/", place_views.areas, name="areas"),
    path(
        "areas/local-authorities/<int:pk>/move/",
        place_views.local_authority_move,
        name="local-authority-move",
    ),
    path(
        "memberships/<int:pk>/policy-checks/new/", policy_views.log_policy, name="policy-check-new"
    ),
    path("policy-checks/", policy_views.policy_check_list, name="policy-checks"),
    path(
        "policy-checks/export.<slug:kind>",
        policy_views.policy_check_export,
        name="policy-checks-export",
    ),
    path("policy-checks/<int:pk>/", policy_views.policy_check, name="policy-check"),
    path(
        "register/<slug:reference>/concerns/new/",
        concern_views.concern_raise,
        name="concern-raise",
    ),
    path("concerns/", concern_views.concern_list, name="concerns"),
    path("concerns/sent/", concern_views.concern_sent, name="concern-sent"),
    path("concerns/link/<str:token>/", concern_views.concern_link, name="concern-link"),
    path("concerns/<int:pk>/", concern_views.concern_detail, name="concern"),
    path("concerns/<int:pk>/step/<slug:step>/", concern_views.concern_step, name="concern-step"),
    path("concerns/evidence/<int:pk>/", concern_views.concern_evidence, name="concern-evidence"),
    path(
        "enrolments/<int:pk>/cycles/<int:number>/review/",
        cycle_views.record_review,
        name="cycle-review",
    ),
    path("enrolments/<int:pk>/cycles/new/", cycle_views.start_cycle, name="cycle-new"),
    path(
        "enrolments/<int:pk>/cycles/<int:number>/employer-view/",
        cycle_views.employer_view,
        name="employer-view",
    ),
    path("reviews/<int:pk>/confirmation/", cycle_views.confirm_review, name="review-confirm"),
    path("cycles/<int:pk>/confirmation/", cycle_views.confirm_cycle, name="cycle-confirm"),
    path("lapse-decisions/<int:pk>/", views.lapse_decision, name="lapse-decision"),
    path("reviews/<int:pk>/co-signature/", cycle_views.cosign_review, name="review-cosign"),
    path("cycles/<int:pk>/co-signature/", cycle_views.cosign_cycle, name="cycle-cosign"),
    path(
        "memberships/<int:pk>/status/<slug:change>/",
        views.change_status,
        name="membership-status",
    ),
    *[
        pattern
        for kind, name in place_views.URL_NAMES_BY_KIND.items()
        for pattern in (
            path(f"areas/{kind}/new/", place_views.area_new, {"kind": kind}, name=f"{name}-new"),
            path(
                f"areas/{kind}/<int:pk>/",
                place_views.area_edit,
                {"kind": kind},
                name=f"{name}-edit",
            ),
            path(
                f"areas/{kind}/<int:pk>/merge/",
                place_views.area_merge,
                {"kind": kind},
                name=f"{name}-merge",
            ),
            path(
                f"areas/{kind}/<int:pk>/retire/",
                place_views.area_retire,
                {"kind": kind},
                name=f"{name}-retire",
            ),
        )
    ],
]
