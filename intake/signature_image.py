"""The optional drawn signature (spec intake.md §6): what the signing page's canvas posts.

The page sends the drawing as a `data:image/png;base64,…` URL in a hidden field. The
server trusts none of it: the text is at most MAX_POSTED characters, the bytes must be a
PNG by their signature and by Pillow's parse, of a sensible size, and the image is
re-encoded (only its pixels kept: no text chunks, no metadata) before it is stored with
the evidence and printed on the certificate page. An empty canvas counts as no drawing.
"""

from __future__ import annotations

import base64
import binascii
import io

from django.utils.translation import gettext as _
from PIL import Image, UnidentifiedImageError

PREFIX = "data:image/png;base64,"
MAX_BYTES = 300_000  # the decoded PNG; a phone's full-width drawing is 10-60 KB
MAX_POSTED = len(PREFIX) + (MAX_BYTES * 4) // 3 + 4
MAX_SIDE = 4000
MIN_SIDE = 20
PNG_MAGIC = b"\x89PNG\r\n\x1a\n"


class DrawingRefused(ValueError):
    """The posted drawing cannot be used; the message says why (translated)."""


def _refuse() -> DrawingRefused:
    return DrawingRefused(
        _("The drawn signature could not be read. Clear it and draw it again, or sign without it.")
    )


def drawn_signature_png(posted: str | None) -> bytes | None:
    """The re-encoded PNG of a posted drawing, or None when nothing was drawn."""
    text = (posted or "").strip()
    if not text:
        return None
    if len(text) > MAX_POSTED:
        raise DrawingRefused(_("The drawn signature is too large. Clear it and draw it again."))
    if not text.startswith(PREFIX):
        raise _refuse()
    try:
        raw = base64.b64decode(text[len(PREFIX) :], validate=True)
    except (binascii.Error, ValueError):
        raise _refuse() from None
    if len(raw) > MAX_BYTES:
        raise DrawingRefused(_("The drawn signature is too large. Clear it and draw it again."))
    if not raw.startswith(PNG_MAGIC):
        raise _refuse()
    try:
        with Image.open(io.BytesIO(raw)) as probe:
            if probe.format != "PNG":
                raise _refuse()
            width, height = probe.size
            if not (MIN_SIDE <= width <= MAX_SIDE and MIN_SIDE <= height <= MAX_SIDE):
                raise _refuse()
            probe.verify()
        with Image.open(io.BytesIO(raw)) as image:
            image.load()
            pixels = image.convert("RGBA")
    except DrawingRefused:
        raise
    except (UnidentifiedImageError, OSError, SyntaxError, ValueError, Image.DecompressionBombError):
        raise _refuse() from None
    strokes = pixels.getchannel("A").getbbox()
    if strokes is None:
        return None  # an empty canvas: nothing was drawn
    # Crop to the strokes with a small margin, then re-encode: only the pixels survive.
    left, top, right, bottom = strokes
    margin = 8
    box = (
        max(0, left - margin),
        max(0, top - margin),
        min(pixels.width, right + margin),
        min(pixels.height, bottom + margin),
    )
    out = io.BytesIO()
    pixels.crop(box).save(out, format="PNG", optimize=True)
    return out.getvalue()


def png_data_url(png: bytes) -> str:
    return PREFIX + base64.b64encode(png).decode("ascii")
