"""Media preparation: untrusted image and audio bytes made safe and light to send.

Images are decoded with Pillow under a pixel cap per image and a total per upload (the size
is read from the header before any pixel is decoded), turned upright from their EXIF orientation,
converted to sRGB/RGB, bounded to ``MAX_SIDE`` pixels and re-encoded as a progressive JPEG of
about ``TARGET_BYTES`` with no metadata at all (no EXIF, GPS, ICC, comments). Audio is
passed through unchanged after its container is recognised by its magic bytes, found to
hold sound and its length checked (see ``annotation.media.audio``).

::

    DomainError (annotation.errors)
    └── MediaRejected        code INVALID, params: reason (a MediaProblem), filename, ...

Reasons (``MediaProblem``) and their params besides ``filename``:

- ``media.corrupt``             the bytes do not decode
- ``media.unsupported``         not a supported image or audio format
- ``media.decompression_bomb``  width, height, limit (pixels)
- ``media.upload_pixels``       limit (pixels an upload may decode in all; ``PixelBudget``)
- ``media.too_large``           size, limit (bytes)
- ``media.too_long``            duration, limit (seconds)
"""

from __future__ import annotations

import hashlib
import io
import warnings
from dataclasses import dataclass
from enum import StrEnum
from pathlib import PurePosixPath

from PIL import Image, ImageOps

from annotation.errors import DomainError, ErrorCode, Problem
from annotation.media.audio import AudioUnreadable, probe_audio
from annotation.models import MediaKey, MediaKind

try:  # Pillow wheels ship LittleCMS; a source build may not
    from PIL import ImageCms
except ImportError:  # pragma: no cover
    ImageCms = None  # type: ignore[assignment]


class MediaProblem(StrEnum):
    """Why a media file was refused."""

    CORRUPT = "media.corrupt"
    UNSUPPORTED = "media.unsupported"
    DECOMPRESSION_BOMB = "media.decompression_bomb"
    TOO_LARGE = "media.too_large"
    TOO_LONG = "media.too_long"
    UPLOAD_PIXELS = "media.upload_pixels"
    UNDECODABLE = "media.undecodable"  # an audio comparison's clip libsndfile cannot decode


MAX_INPUT_BYTES = 20 * 1024 * 1024
MAX_PIXELS = 50_000_000
MAX_UPLOAD_PIXELS = 200_000_000  # decoded pixels per upload, all its images together
MAX_SIDE = 1280
TARGET_BYTES = 100 * 1024
JPEG_QUALITIES = (85, 80, 75, 70, 65, 60)
MAX_AUDIO_SECONDS = 300.0
IMAGE_FORMATS = ("JPEG", "PNG", "WEBP", "GIF", "BMP", "TIFF")
IMAGE_EXTENSIONS = frozenset(
    {".jpg", ".jpeg", ".jpe", ".png", ".webp", ".gif", ".bmp", ".tif", ".tiff"}
)
AUDIO_EXTENSIONS = frozenset({".ogg", ".oga", ".opus", ".mp3", ".m4a", ".mp4", ".aac", ".wav"})


class MediaRejected(DomainError):
    """A media file cannot be used; ``reason`` says why."""

    code = ErrorCode.INVALID

    def __init__(self, reason: MediaProblem, filename: str, **params: object) -> None:
        super().__init__(ErrorCode.INVALID, reason=reason, filename=filename, **params)
        self.reason = reason

    def to_problem(self, line: int | None = None, field: str | None = None) -> Problem:
        """Return this rejection as a Problem found at ``line``/``field`` of an items file."""
        params = {k: v for k, v in self.params.items() if k != "reason"}
        return Problem(self.reason, line, field, params)


class PixelBudget:
    """The pixels one upload may still decode; each image is charged before it is decoded.

    A JPEG is charged at the reduced scale it is decoded at. One budget belongs to one
    upload, read by one thread at a time.
    """

    def __init__(self, limit: int | None = MAX_UPLOAD_PIXELS) -> None:
        self.limit = limit
        self.spent = 0

    def charge(self, pixels: int, filename: str) -> None:
        """Spend ``pixels``, or refuse the image when they would pass the limit."""
        if self.limit is not None and self.spent + pixels > self.limit:
            raise MediaRejected(MediaProblem.UPLOAD_PIXELS, filename, limit=self.limit)
        self.spent += pixels


@dataclass(frozen=True, slots=True)
class PreparedMedia:
    """Media bytes ready to upload once and send many times."""

    key: MediaKey  # sha256 hex of ``data``
    kind: MediaKind
    filename: str
    mime: str
    data: bytes
    width: int | None
    height: int | None
    duration: float | None
    send_as: str  # "photo" | "audio" | "voice"
    # a lighter copy sent to phones instead (``annotation.media.voice_notes``: a WAV's Opus)
    phone: PreparedMedia | None = None


def media_kind_for(filename: str) -> MediaKind | None:
    """Return the media kind a file name's extension suggests, or None."""
    suffix = PurePosixPath(filename).suffix.lower()
    if suffix in IMAGE_EXTENSIONS:
        return MediaKind.IMAGE
    if suffix in AUDIO_EXTENSIONS:
        return MediaKind.AUDIO
    return None


def prepare_media(data: bytes, filename: str, budget: PixelBudget | None = None
                  ) -> PreparedMedia:
    """Prepare an image or audio file, recognised by its magic bytes, then its extension."""
    if sniff_image(data) is not None:
        return prepare_image(data, filename, budget)
    try:
        probe_audio(data)
    except AudioUnreadable as exc:
        if exc.recognised:  # an audio container without sound: say it is damaged
            return prepare_audio(data, filename)
    else:
        return prepare_audio(data, filename)
    if media_kind_for(filename) is MediaKind.AUDIO:
        return prepare_audio(data, filename)
    return prepare_image(data, filename, budget)


def sniff_image(data: bytes) -> str | None:
    """Return the Pillow format name of a supported image from its magic bytes, or None."""
    if data.startswith(b"\xff\xd8\xff"):
        return "JPEG"
    if data.startswith(b"\x89PNG\r\n\x1a\n"):
        return "PNG"
    if data[:6] in (b"GIF87a", b"GIF89a"):
        return "GIF"
    if data[:4] == b"RIFF" and data[8:12] == b"WEBP":
        return "WEBP"
    if data[:2] == b"BM":
        return "BMP"
    if data[:4] in (b"II*\x00", b"MM\x00*"):
        return "TIFF"
    return None


def prepare_image(data: bytes, filename: str, budget: PixelBudget | None = None
                  ) -> PreparedMedia:
    """Decode an image safely and re-encode it as a small, metadata-free JPEG.

    ``budget``: the upload's pixel budget, charged (before decoding) with the pixels this
    image decodes; None charges nothing (one image alone is still capped by ``MAX_PIXELS``).
    """
    _check_size(data, filename)
    image_format = sniff_image(data)
    if image_format is None:
        suffix = PurePosixPath(filename).suffix.lower()
        reason = MediaProblem.CORRUPT if suffix in IMAGE_EXTENSIONS else MediaProblem.UNSUPPORTED
        raise MediaRejected(reason, filename)
    with warnings.catch_warnings():
        # Local filters only: Pillow's noise on odd files is ignored, and its bomb warning
        # (raised before our own check for sizes between its two thresholds) becomes an error.
        warnings.simplefilter("ignore")
        warnings.simplefilter("error", Image.DecompressionBombWarning)
        image = _decode(data, filename, image_format, budget)
    output = encode_jpeg(image)
    return PreparedMedia(
        key=MediaKey(hashlib.sha256(output).hexdigest()),
        kind=MediaKind.IMAGE,
        filename=str(PurePosixPath(PurePosixPath(filename).name).with_suffix(".jpg")),
        mime="image/jpeg",
        data=output,
        width=image.width,
        height=image.height,
        duration=None,
        send_as="photo",
    )


def prepare_audio(data: bytes, filename: str) -> PreparedMedia:
    """Check an audio file's container and length; the bytes are kept as they are."""
    _check_size(data, filename)
    try:
        probe = probe_audio(data)
    except AudioUnreadable as exc:
        reason = MediaProblem.CORRUPT if exc.recognised else MediaProblem.UNSUPPORTED
        raise MediaRejected(reason, filename) from None
    if probe.duration > MAX_AUDIO_SECONDS:
        raise MediaRejected(
            MediaProblem.TOO_LONG,
            filename,
            duration=round(probe.duration, 1),
            limit=MAX_AUDIO_SECONDS,
        )
    name = PurePosixPath(filename).name or f"audio{probe.extension}"
    return PreparedMedia(
        key=MediaKey(hashlib.sha256(data).hexdigest()),
        kind=MediaKind.AUDIO,
        filename=name,
        mime=probe.mime,
        data=data,
        width=None,
        height=None,
        duration=probe.duration,
        send_as=probe.send_as,
    )


def _check_size(data: bytes, filename: str) -> None:
    if len(data) > MAX_INPUT_BYTES:
        raise MediaRejected(MediaProblem.TOO_LARGE, filename, size=len(data), limit=MAX_INPUT_BYTES)
    if not data:
        raise MediaRejected(MediaProblem.CORRUPT, filename)


def _decode(data: bytes, filename: str, image_format: str, budget: PixelBudget | None
            ) -> Image.Image:
    """Open, check, load, orient and flatten an image to an RGB image of bounded size."""
    try:
        with Image.open(io.BytesIO(data), formats=[image_format]) as opened:
            width, height = opened.size
            if width * height > MAX_PIXELS:
                raise MediaRejected(
                    MediaProblem.DECOMPRESSION_BOMB,
                    filename,
                    width=width,
                    height=height,
                    limit=MAX_PIXELS,
                )
            if opened.format == "JPEG":
                opened.draft("RGB", (MAX_SIDE, MAX_SIDE))  # decode at a reduced scale
            if budget is not None:
                budget.charge(opened.width * opened.height, filename)
            opened.load()
            # Shrink first, in place: every later step copies the image, and a copy of a
            # full-size decode is what costs memory (the bounding box is square, so turning
            # the image upright afterwards gives the same result).
            opened.thumbnail((MAX_SIDE, MAX_SIDE), Image.Resampling.LANCZOS)
            image = _upright(opened)
            image = _to_srgb(image)
            return _flatten(image)
    except MediaRejected:
        raise
    except (Image.DecompressionBombError, Image.DecompressionBombWarning):
        raise MediaRejected(
            MediaProblem.DECOMPRESSION_BOMB, filename, width=None, height=None, limit=MAX_PIXELS
        ) from None
    except Exception:  # decoders raise assorted errors on hostile input
        raise MediaRejected(MediaProblem.CORRUPT, filename) from None


def _upright(image: Image.Image) -> Image.Image:
    """Apply the EXIF orientation; a malformed EXIF block is ignored, not fatal."""
    try:
        return ImageOps.exif_transpose(image)
    except Exception:  # EXIF parsers raise assorted errors on bad data
        return image


def _to_srgb(image: Image.Image) -> Image.Image:
    """Convert from an embedded ICC profile to sRGB before the profile is dropped."""
    icc = image.info.get("icc_profile")
    if not icc or ImageCms is None or image.mode not in ("RGB", "RGBA", "CMYK"):
        return image
    try:
        source = ImageCms.ImageCmsProfile(io.BytesIO(icc))
        srgb = ImageCms.createProfile("sRGB")
        mode = "RGBA" if image.mode == "RGBA" else "RGB"
        converted = ImageCms.profileToProfile(image, source, srgb, outputMode=mode)
    except Exception:  # a broken profile only costs colour accuracy
        return image
    return converted if converted is not None else image


def _flatten(image: Image.Image) -> Image.Image:
    """Return a fresh RGB image (transparency over white) carrying no metadata."""
    if image.mode in ("I;16", "I;16B", "I;16L", "I", "F"):
        image = image.point(lambda value: value / 256) if image.mode != "F" else image
        image = image.convert("L")
    has_alpha = image.mode in ("RGBA", "LA", "PA") or "transparency" in image.info
    if has_alpha:
        rgba = image.convert("RGBA")
        background = Image.new("RGB", rgba.size, (255, 255, 255))
        background.paste(rgba, mask=rgba.getchannel("A"))
        rgb = background
    else:
        rgb = image.convert("RGB")
    return Image.frombytes("RGB", rgb.size, rgb.tobytes())


def encode_jpeg(image: Image.Image, target: int = TARGET_BYTES) -> bytes:
    """Encode at the highest listed quality that fits ``target`` bytes (else the lowest)."""
    data = b""
    for quality in JPEG_QUALITIES:
        buffer = io.BytesIO()
        image.save(buffer, "JPEG", quality=quality, optimize=True, progressive=True)
        data = buffer.getvalue()
        if len(data) <= target:
            break
    return data
