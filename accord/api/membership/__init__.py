"""API: memberships, cycles, reviews, co-signatures, the employer's view, status changes and
decisions on a lapse.

Each view mirrors its page in `accord/membership/views.py` and `cycle_views.py`: it reads with
the same selectors, asks the same rules (`membership.rules`, `enrolments.rules`), binds the same
form and calls the same service. What a page hides from a persona the API leaves out the same
way (`serializers.py`)."""

from __future__ import annotations

from django.urls import path

from .cycles import (
    CycleConfirmation,
    CycleCosignature,
    CycleDetail,
    CycleList,
    EmployerViewDetail,
    ReviewConfirmation,
    ReviewCosignature,
    ReviewList,
    ReviewRecord,
)
from .memberships import (
    LapseDecisionDetail,
    MembershipDetail,
    MembershipList,
    MembershipStatusChange,
)

urlpatterns = [
    path("memberships/", MembershipList.as_view(), name="membership-list"),
    path("memberships/<int:pk>/", MembershipDetail.as_view(), name="membership-detail"),
    path(
        "memberships/<int:pk>/status/<str:change>/",
        MembershipStatusChange.as_view(),
        name="membership-status",
    ),
    path("enrolments/<int:pk>/cycles/", CycleList.as_view(), name="cycle-list"),
    path("enrolments/<int:pk>/cycles/<int:number>/", CycleDetail.as_view(), name="cycle-detail"),
    path(
        "enrolments/<int:pk>/cycles/<int:number>/employer-view/",
        EmployerViewDetail.as_view(),
        name="employer-view",
    ),
    path(
        "enrolments/<int:pk>/cycles/<int:number>/reviews/",
        ReviewList.as_view(),
        name="review-list",
    ),
    path(
        "enrolments/<int:pk>/cycles/<int:number>/review/",
        ReviewRecord.as_view(),
        name="review-record",
    ),
    path("cycles/<int:pk>/confirmation/", CycleConfirmation.as_view(), name="cycle-confirm"),
    path("cycles/<int:pk>/co-signature/", CycleCosignature.as_view(), name="cycle-cosign"),
    path("reviews/<int:pk>/confirmation/", ReviewConfirmation.as_view(), name="review-confirm"),
    path("reviews/<int:pk>/co-signature/", ReviewCosignature.as_view(), name="review-cosign"),
    path("lapse-decisions/<int:pk>/", LapseDecisionDetail.as_view(), name="lapse-decision"),
]
