"""Search over messages, document names and document text in the matters one may see."""

from __future__ import annotations

from django.http import HttpResponse
from django.shortcuts import render

from core.decorators import portal_user_required, staff_required
from portal import selectors
from portal.types import Request


@portal_user_required
def search(request: Request) -> HttpResponse:
    query = request.GET.get("q", "")[:200]
    results = selectors.search_for_user(user=request.user, query=query)
    # The selector ignores one letter; say so rather than claim nothing matched.
    too_short = 0 < len(query.strip()) < selectors.SEARCH_MIN_CHARS
    return render(
        request, "portal/search.html", {"q": query, "results": results, "too_short": too_short}
    )


@staff_required
def staff_search(request: Request) -> HttpResponse:
    """One box for people and references (contacts, matters, appointment codes, invoice
    numbers) and for words in messages and documents."""
    query = request.GET.get("q", "")[:200]
    too_short = 0 < len(query.strip()) < selectors.SEARCH_MIN_CHARS
    return render(
        request,
        "staff/search.html",
        {
            "q": query,
            "too_short": too_short,
            "people": selectors.people_and_references_for_staff(user=request.user, query=query),
            "results": selectors.search_for_user(user=request.user, query=query),
        },
    )
