"""Checking an uploaded image before it is kept: it must really be a PNG, JPEG or WebP image (read
by Pillow, not trusted from its name or content type), no larger than a size in bytes, and no
larger than a number of pixels, so that a small file that decompresses into a huge picture (a
decompression bomb) is refused before anything decodes it."""

import struct
import warnings

from django.core.exceptions import ValidationError
from django.utils.translation import gettext as _

# Pillow's format name → (the extension a kept file gets, its content type).
FORMATS = {"PNG": ("png", "image/png"), "JPEG": ("jpg", "image/jpeg"), "WEBP": ("webp", "image/webp")}
MAX_BYTES = 2 * 1024 * 1024
# 6000 × 6000: far more than a logo or a seal needs, far less than Pillow's own bomb limit.
MAX_PIXELS = 36_000_000


def image_input(upload, *, field: str, max_bytes: int = MAX_BYTES, max_pixels: int = MAX_PIXELS) -> str:
    """The Pillow format of ``upload`` (``"PNG"``, ``"JPEG"`` or ``"WEBP"``), or a
    ``ValidationError`` naming ``field``: not a file, over ``max_bytes``, not an image (a text file
    renamed ``.png`` included), an image of another format, a broken one, or one of more than
    ``max_pixels``. The file is left at its start."""
    from PIL import Image, UnidentifiedImageError

    if upload is None or not hasattr(upload, "read"):
        raise ValidationError({field: _("Choose an image file.")})
    size = getattr(upload, "size", None) or 0
    if size > max_bytes:
        raise ValidationError(
            {field: _("The image is too large (at most %(mb)s MB).") % {"mb": round(max_bytes / 1048576, 1)}}
        )
    try:
        upload.seek(0)
        with warnings.catch_warnings():
            # Pillow only warns between its limit and twice it: refuse there too.
            warnings.simplefilter("error", Image.DecompressionBombWarning)
            with Image.open(upload) as picture:
                kind = picture.format
                width, height = picture.size
                if width * height > max_pixels:
                    raise ValidationError(
                        {
                            field: _("The image has too many pixels (%(w)s × %(h)s).")
                            % {"w": width, "h": height}
                        }
                    )
                picture.verify()
    except ValidationError:
        raise
    except (
        UnidentifiedImageError,
        OSError,
        ValueError,
        SyntaxError,
        EOFError,
        IndexError,
        TypeError,
        struct.error,
        Image.DecompressionBombError,
        Image.DecompressionBombWarning,
    ):
        raise ValidationError({field: _("The file is not an image.")}) from None
    finally:
        try:
            upload.seek(0)
        except (OSError, ValueError):
            pass
    if kind not in FORMATS:
        raise ValidationError({field: _("Only PNG, JPEG or WebP images are accepted.")})
    return kind
