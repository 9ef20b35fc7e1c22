"""Content-Security-Policy on every HTML page (django-csp): scripts and styles only from our
own origin or with the response's nonce, nothing inline without it, nothing may frame a page
except the booking embed on the firm's own sites.
"""

from __future__ import annotations

from html.parser import HTMLParser
from typing import Any

import pytest
from django.core.checks import run_checks
from django.test import Client
from django.urls import reverse

from tests.conftest import CSP_REFUSALS
from tests.e2e.conftest import PHONE, new_page

HEADER = "Content-Security-Policy"


def policy(response: Any) -> dict[str, list[str]]:
    directives: dict[str, list[str]] = {}
    for part in response[HEADER].split(";"):
        name, *sources = part.split()
        directives[name] = sources
    return directives


def nonce_of(directives: dict[str, list[str]]) -> str:
    (nonce,) = [s for s in directives["script-src"] if s.startswith("'nonce-")]
    return nonce.removeprefix("'nonce-").removesuffix("'")


def allows_inline(directives: dict[str, list[str]], kind: str, nonce: str | None) -> bool:
    """Whether a browser would run an inline <script> (or apply an inline <style>) under the
    policy, per CSP level 3: 'unsafe-inline' counts only when no nonce or hash is listed."""
    sources = directives.get(f"{kind}-src", directives.get("default-src", []))
    has_nonce_or_hash = any(s.startswith(("'nonce-", "'sha")) for s in sources)
    if nonce is not None and f"'nonce-{nonce}'" in sources:
        return True
    return "'unsafe-inline'" in sources and not has_nonce_or_hash


class InlineCode(HTMLParser):
    """The inline scripts and styles of a page, with their nonce, and any inline handlers
    or style attributes (which no nonce can allow)."""

    def __init__(self) -> None:
        super().__init__()
        self.inline: list[tuple[str, str | None]] = []
        self.attributes: list[str] = []

    def handle_starttag(self, tag: str, attrs: list[tuple[str, str | None]]) -> None:
        values = dict(attrs)
        if tag == "script" and "src" not in values:
            if values.get("type") not in ("application/json", "application/ld+json"):
                self.inline.append(("script", values.get("nonce")))
        if tag == "style":
            self.inline.append(("style", values.get("nonce")))
        self.attributes += [f"<{tag} {name}>" for name, _ in attrs if name.startswith("on")]
        self.attributes += [f"<{tag} style>" for name, _ in attrs if name == "style"]


def assert_strict(response: Any) -> dict[str, list[str]]:
    assert HEADER in response, response.request["PATH_INFO"]
    assert "Content-Security-Policy-Report-Only" not in response
    directives = policy(response)
    for kind in ("script", "style"):
        assert "'unsafe-inline'" not in directives[f"{kind}-src"]
        assert "'unsafe-eval'" not in directives[f"{kind}-src"]
        assert directives[f"{kind}-src"][0] == "'self'"
    assert directives["default-src"] == ["'self'"]
    assert directives["object-src"] == ["'none'"]
    assert directives["base-uri"] == ["'none'"]
    return directives


def assert_inline_code_carries_the_nonce(response: Any) -> None:
    directives = assert_strict(response)
    page = InlineCode()
    page.feed(response.content.decode())
    assert not page.attributes, page.attributes
    if page.inline:
        nonce = nonce_of(directives)
        for kind, carried in page.inline:
            assert carried == nonce, (response.request["PATH_INFO"], kind, carried)
            assert allows_inline(directives, kind, carried)


def test_an_inline_script_without_the_nonce_would_be_blocked(client: Client, firm: Any) -> None:
    # given: the sign-in page, which has one inline script (with the nonce)
    response = client.get(reverse("account_login"))
    directives = assert_strict(response)
    nonce = nonce_of(directives)
    assert f'<script nonce="{nonce}">' in response.content.decode()
    # then: the policy allows that script, and no inline script or style without it
    assert allows_inline(directives, "script", nonce)
    assert not allows_inline(directives, "script", None)
    assert not allows_inline(directives, "script", "somebody-elses-nonce")
    assert not allows_inline(directives, "style", None)
    # and each response has a fresh nonce
    assert nonce_of(policy(client.get(reverse("account_login")))) != nonce
    # and no other site may frame the page
    assert directives["frame-ancestors"] == ["'none'"]
    assert directives["form-action"] == ["'self'", "https://checkout.stripe.com"]


@pytest.mark.parametrize(
    ("who", "name", "kwargs"),
    [
        (None, "account_login", {}),
        (None, "account_reset_password", {}),
        (None, "scheduling:book", {}),
        ("client_a", "portal:home", {}),
        ("client_a", "portal:preferences", {}),
        ("admin", "staff:home", {}),
        ("admin", "staff:firm-settings", {}),
        (
            "admin",
            "notifications:template-edit",
            {"event": "reminder", "channel": "sms", "language": "pl"},
        ),
    ],
)
def test_pages_carry_the_policy_and_their_inline_code_the_nonce(
    client: Client, world: Any, who: str | None, name: str, kwargs: dict[str, str]
) -> None:
    if who:
        client.force_login(getattr(world, who))
    response = client.get(reverse(name, kwargs=kwargs))
    assert response.status_code == 200
    assert_inline_code_carries_the_nonce(response)


def test_the_not_found_and_error_pages_carry_the_policy(firm: Any) -> None:
    client = Client(raise_request_exception=False)
    missing = client.get("/no-such-page/")
    assert missing.status_code == 404
    assert_inline_code_carries_the_nonce(missing)
    broken = client.get("/test-only/broken/")
    assert broken.status_code == 500
    assert b"Something went wrong" in broken.content
    assert_inline_code_carries_the_nonce(broken)


@pytest.fixture(autouse=True)
def _broken_page(settings: Any) -> None:
    settings.ROOT_URLCONF = "tests.config.csp_urls"


def test_the_booking_embed_keeps_the_policy_and_widens_only_frame_ancestors(
    client: Client, firm: Any, settings: Any
) -> None:
    settings.ATRIUM_BOOKING_FRAME_ANCESTORS = ["https://www.firm.example"]
    embed = client.get(reverse("scheduling:book"), {"embed": "1"})
    directives = assert_strict(embed)
    assert directives["frame-ancestors"] == ["'self'", "https://www.firm.example"]
    assert "X-Frame-Options" not in embed


def test_deploy_check_warns_when_the_policy_only_reports(settings: Any) -> None:
    assert not [m for m in run_checks(include_deployment_checks=True) if m.id == "atrium.W001"]
    settings.ATRIUM_CSP_REPORT_ONLY = True
    (warning,) = [m for m in run_checks(include_deployment_checks=True) if m.id == "atrium.W001"]
    assert "report" in warning.msg


@pytest.mark.e2e
@pytest.mark.django_db(transaction=True)
def test_chromium_refuses_an_inline_script_without_the_nonce(
    browser: Any, live_server: Any, firm: Any
) -> None:
    # given: the sign-in page in Chromium, whose own inline script ran (it marks <html>)
    page = new_page(browser, PHONE)
    page.goto(f"{live_server.url}/accounts/login/")
    assert "js" in (page.get_attribute("html", "class") or "")
    # when: a script without the nonce is put into the page (as an injection would)
    page.evaluate(
        """() => new Promise((done) => {
            document.addEventListener("securitypolicyviolation", done, {once: true});
            const s = document.createElement("script");
            s.textContent = "window.injected = true";
            document.body.appendChild(s);
        })"""
    )
    # then: it did not run, and Chromium reported the refusal
    assert page.evaluate("() => window.injected === undefined")
    assert any("inline script" in refusal for refusal in CSP_REFUSALS)
    CSP_REFUSALS.clear()  # expected here; any other refusal fails a browser test
