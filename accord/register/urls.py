from django.urls import path

from . import views

urlpatterns = [
    path("register/", views.register, name="register"),
    path("register.csv", views.register_csv, name="register-csv"),
    path("register.json", views.register_json, name="register-json"),
    path("register/<slug:reference>/", views.verification, name="verification"),
    path("register/<slug:reference>/qr.svg", views.verification_qr, name="verification-qr"),
    path(
        "register/<slug:reference>/certificate.pdf",
        views.certificate,
        name="verification-certificate",
    ),
    path("register/<slug:reference>/logo-pack.zip", views.logo_pack, name="logo-pack"),
]
