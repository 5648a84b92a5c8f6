from django.urls import path

from crm.service import survey_views

app_name = "surveys"

urlpatterns = [
    path("", survey_views.survey_list, name="list"),
    path("answer/<str:token>/", survey_views.survey_answer, name="answer"),
]
