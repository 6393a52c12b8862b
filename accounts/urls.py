from django.urls import path

from . import views

app_name = "accounts"

urlpatterns = [
    path("no-access/", views.no_access, name="no_access"),
    path("two-factor-required/", views.second_factor_required, name="second_factor_required"),
    path("link/sent/", views.link_sent, name="link_sent"),
    path("link/<str:token>/", views.link_confirm, name="link_confirm"),
]
