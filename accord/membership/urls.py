from django.urls import path

from . import views

urlpatterns = [
    path(
        "memberships/<int:pk>/status/<slug:change>/",
        views.change_status,
        name="membership-status",
    ),
]
