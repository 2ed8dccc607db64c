from django.urls import path

from . import views

urlpatterns = [
    path("actions/<int:pk>/", views.action_detail, name="action"),
    path("evidence/<int:pk>/", views.evidence_file, name="evidence"),
]
