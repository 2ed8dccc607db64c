from django.urls import path

from . import join_views, views

urlpatterns = [
    path("enrolments/", views.enrolment_list, name="enrolments"),
    path("enrolments/export.<slug:kind>", views.enrolment_export, name="enrolments-export"),
    path("enrolments/<int:pk>/steps/<slug:name>/", views.take_step, name="enrolment-step"),
    path("enrolments/<int:pk>/letter/", views.letter, name="enrolment-letter"),
    path("enrolments/<int:pk>/letter.docx", views.letter_docx, name="enrolment-letter-docx"),
    path("enrolments/<int:pk>/letter.pdf", views.letter_pdf, name="enrolment-letter-pdf"),
    path(
        "enrolments/<int:pk>/letter/addressee/",
        views.letter_addressee,
        name="enrolment-letter-addressee",
    ),
    path("enrolments/<int:pk>/agenda-item/", views.agenda_item, name="enrolment-agenda-item"),
    path("enrolments/<int:pk>/diagram.svg", views.enrolment_diagram, name="enrolment-diagram"),
    path("employers/<int:employer_pk>/propose/", views.propose, name="employer-propose"),
    path("process/", views.process_page, name="process"),
    path("process/diagram.svg", views.process_diagram, name="process-diagram"),
    path("join/", join_views.join_request_new, name="join-request-new"),
    path("join/sent/", join_views.join_request_sent, name="join-request-sent"),
    path("join-requests/<int:pk>/", join_views.join_request_detail, name="join-request"),
    path(
        "join-requests/<int:pk>/propose/",
        join_views.join_request_propose,
        name="join-request-propose",
    ),
    path("join-requests/<int:pk>/close/", join_views.join_request_close, name="join-request-close"),
]
