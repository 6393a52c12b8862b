"""URLs of the Open Badges API, its authorization server and the student's pages."""

from django.urls import path
from oauth2_provider import views as oauth_views

from . import views

# /ims/ob/v3p0/: the resource server, as the specification names its paths.
api_patterns = [
    path("discovery", views.discovery, name="discovery"),
    path("credentials", views.Credentials.as_view(), name="credentials"),
    path("profile", views.Profile.as_view(), name="profile"),
]

# /oauth/: the authorization server (django-oauth-toolkit) and client registration.
oauth_patterns = [
    path("authorize/", views.ConsentView.as_view(), name="authorize"),
    path("token/", oauth_views.TokenView.as_view(), name="token"),
    path("revoke/", oauth_views.RevokeTokenView.as_view(), name="revoke"),
    path("register/", views.register, name="register"),
]

# /apps/: for people.
app_patterns = [
    path("", views.about, name="about"),
    path("<str:client_id>/disconnect/", views.disconnect, name="disconnect"),
]
