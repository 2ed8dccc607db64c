from django.urls import path

from . import cycle_views, views

urlpatterns = [
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
