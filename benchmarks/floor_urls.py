"""The floor of this stack: a minimal Django JSON view doing one indexed query, served by
the same server, settings and middleware as the project's pages (GET /bench/floor/)."""

from __future__ import annotations

from django.http import HttpRequest, JsonResponse
from django.urls import path

from config.urls import urlpatterns as project_urlpatterns
from scheduling.models import Service


def floor(request: HttpRequest) -> JsonResponse:
    row = Service.objects.filter(slug="consult").values("id", "slug").first() or {}
    return JsonResponse({"id": str(row.get("id", "")), "slug": row.get("slug", "")})


urlpatterns = [path("bench/floor/", floor), *project_urlpatterns]
