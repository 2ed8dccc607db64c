from django.urls import path

from . import cycle_views, employer_views, policy_views, views

urlpatterns = [
    path("enrolments/<int:pk>/", views.enrolment_detail, name="enrolment"),
    path("employers/", employer_views.employer_list, name="employers"),
    path("employers/import/", employer_views.gias_import, name="employers-import"),
    path("employers/<int:pk>/", employer_views.employer_detail, name="employer"),
    path(
        "memberships/<int:pk>/policy-checks/new/", policy_views.log_policy, name="policy-check-new"
    ),
    path("policy-checks/<int:pk>/", policy_views.policy_check, name="policy-check"),
    path(
        "enrolments/<int:pk>/cycles/<int:number>/review/",
        cycle_views.record_review,
        name="cycle-review",
    ),
    path("enrolments/<int:pk>/cycles/new/", cycle_views.start_cycle, name="cycle-new"),
    path("reviews/<int:pk>/confirmation/", cycle_views.confirm_review, name="review-confirm"),
    path("cycles/<int:pk>/confirmation/", cycle_views.confirm_cycle, name="cycle-confirm"),
    path(
        "memberships/<int:pk>/status/<slug:change>/",
        views.change_status,
        name="membership-status",
    ),
]
