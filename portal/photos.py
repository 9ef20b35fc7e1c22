"""Staff photos: checked with Pillow (a real PNG, JPEG or WebP of sane size), then stored
re-encoded as a small JPEG without its metadata (no camera data or location leaves)."""

from __future__ import annotations

import io
import warnings

from django.core.exceptions import ValidationError
from django.core.files.uploadedfile import SimpleUploadedFile, UploadedFile
from django.utils.translation import gettext_lazy as _
from PIL import Image, ImageOps, UnidentifiedImageError

MAX_PHOTO_BYTES = 5 * 1024 * 1024
MAX_PHOTO_SIDE = 6000  # pixels, either side, before it is made small
MIN_PHOTO_SIDE = 64
STORED_SIDE = 480  # the stored photo fits in this square
ALLOWED_FORMATS = {"JPEG", "PNG", "WEBP"}


def photo_checked(upload: UploadedFile) -> SimpleUploadedFile:
    """The upload as a small JPEG, or ValidationError with a message the person can act on."""
    if upload.size is None or upload.size > MAX_PHOTO_BYTES:
        raise ValidationError(_("The photo must be 5 MB or smaller."), code="photo_size")
    not_image = ValidationError(
        _("The photo must be a PNG, JPEG or WebP image."), code="photo_type"
    )
    upload.seek(0)
    data = upload.read(MAX_PHOTO_BYTES + 1)
    try:
        with warnings.catch_warnings():
            # A decompression bomb is refused, never unpacked.
            warnings.simplefilter("error", Image.DecompressionBombWarning)
            with Image.open(io.BytesIO(data)) as probe:
                if probe.format not in ALLOWED_FORMATS:
                    raise not_image
                width, height = probe.size
                if max(width, height) > MAX_PHOTO_SIDE:
                    raise ValidationError(
                        _("The photo must be at most %(max)s pixels on each side.")
                        % {"max": MAX_PHOTO_SIDE},
                        code="photo_dimensions",
                    )
                if min(width, height) < MIN_PHOTO_SIDE:
                    raise ValidationError(
                        _("The photo must be at least %(min)s pixels on each side.")
                        % {"min": MIN_PHOTO_SIDE},
                        code="photo_dimensions",
                    )
                probe.verify()
            with Image.open(io.BytesIO(data)) as image:
                image.load()
                upright = ImageOps.exif_transpose(image)
                upright.thumbnail((STORED_SIDE, STORED_SIDE))
                if upright.mode not in ("RGB", "L"):
                    background = Image.new("RGB", upright.size, (255, 255, 255))
                    rgba = upright.convert("RGBA")
                    background.paste(rgba, mask=rgba.getchannel("A"))
                    upright = background
                out = io.BytesIO()
                upright.convert("RGB").save(out, format="JPEG", quality=85, optimize=True)
    except ValidationError:
        raise
    except (
        UnidentifiedImageError,
        Image.DecompressionBombError,
        Image.DecompressionBombWarning,
        OSError,
        SyntaxError,
        ValueError,
    ) as exc:
        raise not_image from exc
    return SimpleUploadedFile("photo.jpg", out.getvalue(), content_type="image/jpeg")
