"""The people pages, and the link an invited person follows to set a password."""

from django.urls import path

from . import views

urlpatterns = [
    path("people/", views.people, name="people"),
    path("people/export.<slug:kind>", views.people_export, name="people-export"),
    path("people/invite/", views.invite, name="people-invite"),
    path("people/<int:pk>/", views.person, name="person"),
    path("people/<int:pk>/roles/new/", views.add_role, name="person-role-add"),
    path("people/<int:pk>/roles/<int:role_pk>/end/", views.end_role, name="person-role-end"),
    path(
        "people/<int:pk>/roles/<int:role_pk>/change/",
        views.change_role,
        name="person-role-change",
    ),
    path("people/<int:pk>/status/", views.status, name="person-status"),
    path("people/<int:pk>/erase/", views.erase, name="person-erase"),
    path("people/<int:pk>/data/", views.person_data, name="person-data"),
    path("people/<int:pk>/mfa-reset/", views.reset_mfa, name="person-mfa-reset"),
    path("people/<int:pk>/invitation/", views.resend_invitation, name="person-invitation"),
    path("invitations/<str:token>/", views.accept_invitation, name="invitation"),
]
