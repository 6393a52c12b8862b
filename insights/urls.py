from django.urls import path

from . import views

app_name = "insights"

urlpatterns = [
    path("", views.index, name="index"),
    path("<str:scope_type>/<int:pk>/", views.scope, name="scope"),
    path("<str:scope_type>/<int:pk>/insights.csv", views.scope_csv, name="scope_csv"),
]
