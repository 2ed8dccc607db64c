from django.urls import path

from . import views

urlpatterns = [
    path("employers/", views.employer_list, name="employers"),
    path("employers/import/", views.gias_import, name="employers-import"),
    path("employers/<int:pk>/", views.employer_detail, name="employer"),
]
