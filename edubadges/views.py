from django.db import connection
from django.http import HttpRequest, HttpResponse, JsonResponse
from django.shortcuts import render

from issuers.models import Institution, Membership


def home(request: HttpRequest) -> HttpResponse:
    is_staff_member = request.user.is_authenticated and (
        request.user.is_superuser or Membership.objects.filter(user=request.user).exists()
    )
    return render(
        request,
        "home.html",
        {"institutions": Institution.objects.all(), "is_staff_member": is_staff_member},
    )


def health(request: HttpRequest) -> JsonResponse:
    with connection.cursor() as cursor:
        cursor.execute("SELECT 1")
    return JsonResponse({"status": "ok"})
