"""The product's addresses plus one page that fails, for the error page's policy."""

from __future__ import annotations

from django.http import HttpRequest, HttpResponse
from django.urls import path

from config.urls import handler404, handler500
from config.urls import urlpatterns as product_urlpatterns


def broken(request: HttpRequest) -> HttpResponse:
    raise RuntimeError("a page that fails")


urlpatterns = [path("test-only/broken/", broken), *product_urlpatterns]

__all__ = ["handler404", "handler500", "urlpatterns"]
