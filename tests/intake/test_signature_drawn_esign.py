"""The drawn signature and the ESIGN consumer disclosure (intake.md §6): an optional
drawing from the signing page's canvas, checked and re-encoded by the server and printed
on the certificate page; for a firm whose jurisdiction profile is the United States, the
disclosure shown and its acceptance recorded before the letter signs."""

from __future__ import annotations

import base64
import io
from typing import Any

import pytest
from django.core.files.storage import default_storage
from PIL import Image, ImageDraw, PngImagePlugin
from pypdf import PdfReader

from billing.models import BillingSettings
from intake import services, signature_image
from intake.models import Engagement, SignatureEvidence
from portal.models import ConsentRecord
from tests.intake.helpers import letter_draft

pytestmark = pytest.mark.django_db


def _png(size: tuple[int, int] = (600, 200), *, strokes: bool = True, comment: str = "") -> bytes:
    image = Image.new("RGBA", size, (0, 0, 0, 0))
    if strokes:
        ImageDraw.Draw(image).line([(40, 150), (200, 40), (420, 160)], fill=(0, 0, 0, 255), width=5)
    info = PngImagePlugin.PngInfo()
    if comment:
        info.add_text("Comment", comment)
    out = io.BytesIO()
    image.save(out, format="PNG", pnginfo=info)
    return out.getvalue()


def _url(data: bytes) -> str:
    return "data:image/png;base64," + base64.b64encode(data).decode()


def _opened(client: Any, world: Any) -> Engagement:
    engagement = services.engagement_send(engagement=letter_draft(world), actor=world.staff_on)
    client.force_login(world.client_a)
    assert client.get(f"/portal/letters/{engagement.pk}/").status_code == 200
    return engagement


def _sign(client: Any, world: Any, engagement: Engagement, **extra: str) -> Any:
    data = {
        "typed_name": world.contact_a.full_name,
        "agreed": "on",
        "shown_sha256": engagement.document_sha256,
    }
    data.update(extra)
    return client.post(f"/portal/letters/{engagement.pk}/sign/", data)


def _certificate_page(engagement: Engagement) -> Any:
    engagement.refresh_from_db()
    with default_storage.open(engagement.signed_pdf.name, "rb") as fh:
        return PdfReader(io.BytesIO(fh.read())).pages[-1]


def test_the_sign_page_offers_the_pad_with_its_script_under_the_nonce(
    client: Any, world: Any
) -> None:
    engagement = _opened(client, world)
    html = client.get(f"/portal/letters/{engagement.pk}/").content.decode()
    assert "data-signature-pad" in html and 'name="drawn_signature"' in html
    assert "/static/js/signature.js" in html and 'nonce="' in html.split("js/signature.js")[1][:80]
    assert "ESIGN" not in html  # a Polish firm: no US disclosure


def test_a_drawn_signature_is_re_encoded_kept_and_printed_on_the_certificate(
    client: Any, world: Any
) -> None:
    engagement = _opened(client, world)
    posted = _png(comment="<script>alert(1)</script> tracking")
    response = _sign(client, world, engagement, drawn_signature=_url(posted))
    assert response.status_code == 302
    evidence = SignatureEvidence.objects.get(engagement=engagement)
    stored = bytes(evidence.drawn_png)
    assert stored.startswith(b"\x89PNG") and b"tracking" not in stored
    assert len(evidence.drawn_sha256) == 64
    with Image.open(io.BytesIO(stored)) as image:
        assert image.format == "PNG" and image.width < 600  # cropped to the strokes
    page = _certificate_page(engagement)
    assert len(page.images) == 1
    assert "Drawn signature" in page.extract_text()
    client.force_login(world.staff_on)
    letter = client.get(f"/staff/intake/letters/{engagement.pk}/").content.decode()
    assert "yes, on the certificate page" in letter


def test_without_a_drawing_the_typed_name_signs_alone(client: Any, world: Any) -> None:
    engagement = _opened(client, world)
    empty = _url(_png(strokes=False))  # an untouched canvas
    assert _sign(client, world, engagement, drawn_signature=empty).status_code == 302
    evidence = SignatureEvidence.objects.get(engagement=engagement)
    assert evidence.drawn_png is None and evidence.drawn_sha256 == ""
    page = _certificate_page(engagement)
    assert len(page.images) == 0
    assert "None (typed name only)" in page.extract_text()


JPEG = io.BytesIO()
Image.new("RGB", (100, 50), "white").save(JPEG, format="JPEG")
GIF = io.BytesIO()
Image.new("RGB", (100, 50), "white").save(GIF, format="GIF")


@pytest.mark.parametrize(
    "posted",
    [
        _url(JPEG.getvalue()),
        _url(GIF.getvalue()),
        "data:image/svg+xml;base64," + base64.b64encode(b"<svg onload=alert(1)>").decode(),
        "data:image/png;base64,not base64 at all!!",
        _url(b"\x89PNG\r\n\x1a\n" + b"\x00" * 200),
        _url(_png((5, 5))),
        "<script>alert(1)</script>",
        "data:image/png;base64," + "A" * (signature_image.MAX_POSTED + 10),
    ],
    ids=["jpeg", "gif", "svg", "base64", "truncated", "tiny", "script", "huge"],
)
def test_a_drawing_that_is_not_a_sane_png_is_refused_and_nothing_is_signed(
    client: Any, world: Any, posted: str
) -> None:
    engagement = _opened(client, world)
    response = _sign(client, world, engagement, drawn_signature=posted)
    assert response.status_code == 400
    html = response.content.decode()
    assert "drawn signature" in html
    assert Engagement.objects.get(pk=engagement.pk).status == "viewed"
    assert not SignatureEvidence.objects.exists()
    # the form keeps what the client typed and ticked
    assert f'value="{world.contact_a.full_name}"' in html


def test_a_bad_drawing_is_explained_in_polish(client: Any, world: Any) -> None:
    engagement = _opened(client, world)
    client.cookies["django_language"] = "pl"
    response = _sign(client, world, engagement, drawn_signature=_url(JPEG.getvalue()))
    assert response.status_code == 400
    assert "Nie udało się odczytać podpisu odręcznego" in response.content.decode()


@pytest.fixture
def us_firm(firm: Any) -> None:
    BillingSettings.objects.update_or_create(pk=1, defaults={"jurisdiction": "US_IOLTA"})


def test_a_us_client_reads_and_accepts_the_esign_disclosure_before_signing(
    client: Any, world: Any, us_firm: None
) -> None:
    engagement = _opened(client, world)
    html = client.get(f"/portal/letters/{engagement.pk}/").content.decode()
    assert "ESIGN" in html and "paper copy" in html and 'name="esign_accepted"' in html

    refused = _sign(client, world, engagement)
    assert refused.status_code == 400
    assert "disclosure on electronic records" in refused.content.decode()
    assert Engagement.objects.get(pk=engagement.pk).status == "viewed"
    assert not ConsentRecord.objects.filter(text_version="esign-consumer-1").exists()

    assert _sign(client, world, engagement, esign_accepted="on").status_code == 302
    evidence = SignatureEvidence.objects.select_related("esign_consent").get(engagement=engagement)
    consent = evidence.esign_consent
    assert consent is not None and consent.purpose == "esign_disclosure"
    assert consent.text_version == "esign-consumer-1" and consent.contact_id == world.contact_a.pk
    for words in ("paper copy", "withdraw your consent", "web browser", "PDF"):
        assert words in consent.text
    assert consent.context_key == f"engagement:{engagement.pk}"
    text = " ".join(_certificate_page(engagement).extract_text().split())
    assert "ESIGN consumer disclosure" in text and "accepted before signing" in text


def test_outside_the_us_no_disclosure_is_asked_for(client: Any, world: Any) -> None:
    engagement = _opened(client, world)
    assert _sign(client, world, engagement).status_code == 302
    assert SignatureEvidence.objects.get(engagement=engagement).esign_consent is None
