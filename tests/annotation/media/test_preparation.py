"""Media preparation: orientation, metadata stripping, bombs, corrupt files, sizes, audio."""

from __future__ import annotations

import hashlib
import io
import struct
import warnings
import wave
import zlib
from typing import cast

import numpy as np
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st
from PIL import Image, ImageCms, ImageDraw

from annotation.media.preparation import (
    MAX_AUDIO_SECONDS,
    MAX_INPUT_BYTES,
    MAX_SIDE,
    TARGET_BYTES,
    MediaProblem,
    MediaRejected,
    PreparedMedia,
    media_kind_for,
    prepare_audio,
    prepare_image,
    prepare_media,
)
from annotation.models import MediaKind

# -- builders ---------------------------------------------------------------------------


def encode(image: Image.Image, fmt: str, **params: object) -> bytes:
    buffer = io.BytesIO()
    image.save(buffer, fmt, **params)
    return buffer.getvalue()


def photo_like(width: int = 2400, height: int = 1800, seed: int = 3) -> Image.Image:
    """Return a busy, camera-like picture: gradients, soft blobs, sensor noise."""
    rng = np.random.default_rng(seed)
    y, x = np.mgrid[0:height, 0:width].astype(np.float32)
    base = np.stack(
        [150 + 80 * np.sin(x / 300), 60 + 120 * y / height, 200 - 150 * (x + y) / (width + height)],
        axis=-1,
    )
    blobs = rng.standard_normal((height // 60 + 1, width // 60 + 1, 3), dtype=np.float32) * 35
    blobs = blobs.repeat(60, axis=0).repeat(60, axis=1)[:height, :width]
    noise = rng.standard_normal((height, width, 3), dtype=np.float32) * 9
    pixels = np.clip(base + blobs + noise, 0, 255).astype(np.uint8)
    image = Image.fromarray(pixels)
    draw = ImageDraw.Draw(image)
    for _ in range(30):
        x0, y0 = int(rng.integers(0, width)), int(rng.integers(0, height))
        color = tuple(int(c) for c in rng.integers(0, 255, 3))
        draw.ellipse((x0, y0, x0 + 150, y0 + 110), fill=color)
    return image


def png_declaring(width: int, height: int) -> bytes:
    """Return a tiny PNG whose header claims ``width`` x ``height`` pixels."""

    def chunk(kind: bytes, body: bytes) -> bytes:
        crc = zlib.crc32(kind + body)
        return struct.pack(">I", len(body)) + kind + body + struct.pack(">I", crc)

    header = struct.pack(">IIBBBBB", width, height, 8, 2, 0, 0, 0)
    return (
        b"\x89PNG\r\n\x1a\n"
        + chunk(b"IHDR", header)
        + chunk(b"IDAT", zlib.compress(b"\x00" * 64))
        + chunk(b"IEND", b"")
    )


def wav(seconds: float, rate: int = 8000) -> bytes:
    buffer = io.BytesIO()
    with wave.open(buffer, "wb") as writer:
        writer.setnchannels(1)
        writer.setsampwidth(2)
        writer.setframerate(rate)
        writer.writeframes(bytes(2 * int(seconds * rate)))
    return buffer.getvalue()


def ogg_page(packet: bytes, granule: int, sequence: int, flags: int = 0) -> bytes:
    """Return one OGG page holding ``packet`` (CRC left at zero; it is not checked)."""
    lacing = bytes([255] * (len(packet) // 255) + [len(packet) % 255])
    header = b"OggS" + struct.pack("<BBqIIIB", 0, flags, granule, 1, sequence, 0, len(lacing))
    return header + lacing + packet


def ogg_opus(seconds: float, pre_skip: int = 312) -> bytes:
    head = b"OpusHead" + struct.pack("<BBHIhB", 1, 1, pre_skip, 48000, 0, 0)
    tags = b"OpusTags" + struct.pack("<I", 0) + struct.pack("<I", 0)
    audio = b"\xfc" * 200
    return (
        ogg_page(head, 0, 0, flags=2)
        + ogg_page(tags, 0, 1)
        + ogg_page(audio, pre_skip + int(seconds * 48000) // 2, 2)
        + ogg_page(audio, pre_skip + int(seconds * 48000), 3, flags=4)
    )


def ogg_vorbis(seconds: float, rate: int = 44100) -> bytes:
    ident = b"\x01vorbis" + struct.pack("<IBIiiiBB", 0, 2, rate, 0, 128000, 0, 0xB8, 1)
    return ogg_page(ident, 0, 0, flags=2) + ogg_page(b"\x00" * 50, int(seconds * rate), 1)


def m4a(seconds: float, timescale: int = 44100) -> bytes:
    def box(kind: bytes, body: bytes) -> bytes:
        return struct.pack(">I", 8 + len(body)) + kind + body

    mvhd = struct.pack(">B3xIIII", 0, 0, 0, timescale, int(seconds * timescale)) + bytes(80)
    return (box(b"ftyp", b"M4A \x00\x00\x00\x00M4A isom") + box(b"moov", box(b"mvhd", mvhd))
            + box(b"mdat", bytes(64)))


MP3_FRAME = b"\xff\xfb\x90\x64" + bytes(413)
MP3_WITH_TAG = b"ID3\x04\x00\x00\x00\x00\x00\x00" + MP3_FRAME


def rgb_at(image: Image.Image, xy: tuple[int, int]) -> tuple[int, int, int]:
    red, green, blue = cast(tuple[int, int, int], image.getpixel(xy))
    return red, green, blue


def rejected(call: object, *args: object) -> MediaRejected:
    with pytest.raises(MediaRejected) as caught:
        call(*args)  # type: ignore[operator]
    return caught.value


# -- images -----------------------------------------------------------------------------


def test_photo_is_resized_and_fits_the_size_target() -> None:
    source = encode(photo_like(), "JPEG", quality=95)
    prepared = prepare_image(source, "holiday/IMG_0001.JPG")
    assert len(prepared.data) <= TARGET_BYTES
    assert (prepared.width, prepared.height) == (MAX_SIDE, 960)
    assert prepared.filename == "IMG_0001.jpg"
    assert (prepared.kind, prepared.mime, prepared.send_as) == (
        MediaKind.IMAGE,
        "image/jpeg",
        "photo",
    )
    assert prepared.key == hashlib.sha256(prepared.data).hexdigest()
    with Image.open(io.BytesIO(prepared.data)) as output:
        assert output.format == "JPEG"
        assert output.mode == "RGB"
        assert output.info.get("progressive") or output.info.get("progression")


@pytest.mark.parametrize(
    ("size", "expected"),
    [((3000, 500), (1280, 213)), ((500, 3000), (213, 1280)), ((300, 200), (300, 200))],
)
def test_long_side_is_bounded_and_small_images_are_kept(
    size: tuple[int, int], expected: tuple[int, int]
) -> None:
    prepared = prepare_image(encode(Image.new("RGB", size, "teal"), "PNG"), "x.png")
    assert (prepared.width, prepared.height) == expected


def test_exif_orientation_is_applied_and_metadata_stripped() -> None:
    image = Image.new("RGB", (200, 100), "red")
    image.paste((0, 0, 255), (100, 0, 200, 100))  # right half blue
    exif = Image.Exif()
    exif[0x0112] = 6  # display rotated 90 degrees clockwise
    exif[0x010F] = "PhoneMaker"
    exif.get_ifd(0x8825)[2] = (18.0, 52.0, 30.0)  # GPS latitude
    exif.get_ifd(0x8825)[1] = "S"
    icc = ImageCms.ImageCmsProfile(ImageCms.createProfile("sRGB")).tobytes()
    source = encode(image, "JPEG", exif=exif.tobytes(), icc_profile=icc, comment=b"secret")
    with Image.open(io.BytesIO(source)) as check:
        assert check.getexif().get_ifd(0x8825)  # the GPS block is really in the input
    prepared = prepare_image(source, "p.jpg")
    assert (prepared.width, prepared.height) == (100, 200)
    with Image.open(io.BytesIO(prepared.data)) as output:
        top, bottom = rgb_at(output, (50, 20)), rgb_at(output, (50, 180))
        assert top[2] < 80 and top[0] > 180  # red was the left half, now on top
        assert bottom[2] > 180 and bottom[0] < 80
        assert not output.getexif()
        assert not {"exif", "icc_profile", "comment", "xmp"}.intersection(output.info)
    assert b"PhoneMaker" not in prepared.data and b"secret" not in prepared.data


def test_preparation_is_deterministic() -> None:
    source = encode(photo_like(640, 480), "PNG")
    assert prepare_image(source, "a.png") == prepare_image(source, "a.png")


def _rgba() -> bytes:
    image = Image.new("RGBA", (64, 64), (0, 0, 0, 0))
    image.paste((255, 0, 0, 255), (0, 0, 32, 64))
    return encode(image, "PNG")


def _gif() -> bytes:
    frames = [Image.new("P", (40, 30), n) for n in (1, 2)]
    return encode(frames[0], "GIF", save_all=True, append_images=frames[1:], transparency=0)


@pytest.mark.parametrize(
    ("data", "filename"),
    [
        (_rgba(), "transparent.png"),
        (_gif(), "anim.gif"),
        (encode(Image.new("RGB", (50, 40), "navy"), "BMP"), "x.bmp"),
        (encode(Image.new("CMYK", (50, 40), (0, 50, 100, 0)), "TIFF"), "x.tif"),
        (encode(Image.new("RGB", (50, 40), "olive"), "WEBP"), "x.webp"),
        (encode(Image.new("I;16", (50, 40), 40000), "PNG"), "sixteen-bit.png"),
        (encode(Image.new("L", (50, 40), 90), "JPEG"), "grey.jpeg"),
        (encode(Image.new("CMYK", (50, 40), (0, 50, 100, 0)), "JPEG"), "cmyk.jpg"),
    ],
)
def test_supported_formats_become_rgb_jpeg(data: bytes, filename: str) -> None:
    prepared = prepare_media(data, filename)
    with Image.open(io.BytesIO(prepared.data)) as output:
        assert (output.format, output.mode) == ("JPEG", "RGB")


def test_sixteen_bit_grey_keeps_its_level() -> None:
    prepared = prepare_image(encode(Image.new("I;16", (50, 40), 40000), "PNG"), "g.png")
    with Image.open(io.BytesIO(prepared.data)) as output:
        assert all(150 <= channel <= 162 for channel in rgb_at(output, (25, 20)))


def test_transparency_is_flattened_onto_white() -> None:
    prepared = prepare_image(_rgba(), "t.png")
    with Image.open(io.BytesIO(prepared.data)) as output:
        assert all(channel > 240 for channel in rgb_at(output, (60, 30)))
        left = rgb_at(output, (5, 30))
        assert left[0] > 240 and left[1] < 30


@pytest.mark.parametrize("size", [(8000, 7000), (10_000, 10_000), (100_000, 100_000)])
def test_decompression_bomb_is_rejected_by_name(size: tuple[int, int]) -> None:
    error = rejected(prepare_image, png_declaring(*size), "uploads/bomb.png")
    assert error.reason is MediaProblem.DECOMPRESSION_BOMB
    assert error.params["filename"] == "uploads/bomb.png"


def test_pillow_and_warning_state_is_untouched() -> None:
    before, filters = Image.MAX_IMAGE_PIXELS, list(warnings.filters)
    rejected(prepare_image, png_declaring(10_000, 10_000), "bomb.png")
    assert before == Image.MAX_IMAGE_PIXELS
    assert filters == warnings.filters


@pytest.mark.parametrize(
    ("data", "filename", "reason"),
    [
        (encode(photo_like(300, 200), "JPEG")[:1500], "cut.jpg", MediaProblem.CORRUPT),
        (b"\x89PNG\r\n\x1a\n" + b"garbage" * 10, "broken.png", MediaProblem.CORRUPT),
        (b"not an image at all", "photo.jpg", MediaProblem.CORRUPT),
        (b"%PDF-1.4 ...", "scan.pdf", MediaProblem.UNSUPPORTED),
        (b"<svg xmlns='http://www.w3.org/2000/svg'/>", "logo.svg", MediaProblem.UNSUPPORTED),
        (b"", "empty.png", MediaProblem.CORRUPT),
    ],
)
def test_bad_images_are_rejected_by_name(data: bytes, filename: str, reason: MediaProblem) -> None:
    error = rejected(prepare_image, data, filename)
    assert (error.reason, error.params["filename"]) == (reason, filename)


def test_oversized_input_is_rejected() -> None:
    error = rejected(prepare_media, b"\xff\xd8\xff" + bytes(MAX_INPUT_BYTES), "huge.jpg")
    assert error.reason is MediaProblem.TOO_LARGE
    assert error.params["limit"] == MAX_INPUT_BYTES


def test_rejection_becomes_a_problem() -> None:
    problem = rejected(prepare_image, b"", "a.png").to_problem(line=4, field="image")
    assert (problem.code, problem.line, problem.field) == ("media.corrupt", 4, "image")
    assert problem.params == {"filename": "a.png"}


# -- audio ------------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("data", "mime", "send_as", "duration"),
    [
        (wav(1.5), "audio/wav", "audio", 1.5),
        (ogg_opus(2.0), "audio/ogg", "voice", 2.0),
        (ogg_vorbis(3.0), "audio/ogg", "audio", 3.0),
        (m4a(4.0), "audio/mp4", "audio", 4.0),
        (MP3_WITH_TAG, "audio/mpeg", "audio", 1152 / 44100),
        (MP3_FRAME * 3, "audio/mpeg", "audio", 3 * 1152 / 44100),
    ],
)
def test_audio_is_recognised_by_its_bytes(
    data: bytes, mime: str, send_as: str, duration: float
) -> None:
    prepared = prepare_media(data, "clip.bin")
    assert (prepared.kind, prepared.mime, prepared.send_as) == (MediaKind.AUDIO, mime, send_as)
    assert prepared.duration == pytest.approx(duration, abs=0.001)
    assert prepared.data == data
    assert prepared.filename == "clip.bin"


def test_magic_bytes_win_over_the_extension() -> None:
    assert prepare_media(wav(0.5), "looks-like.jpg").kind is MediaKind.AUDIO
    png = encode(Image.new("RGB", (20, 20)), "PNG")
    assert prepare_media(png, "looks-like.wav").kind is MediaKind.IMAGE
    assert rejected(prepare_audio, png, "x.wav").reason is MediaProblem.UNSUPPORTED


@pytest.mark.parametrize(
    ("data", "filename", "reason"),
    [
        (wav(MAX_AUDIO_SECONDS + 1, rate=1000), "long.wav", MediaProblem.TOO_LONG),
        (ogg_opus(MAX_AUDIO_SECONDS + 60), "long.ogg", MediaProblem.TOO_LONG),
        (b"OggS" + bytes(60), "broken.ogg", MediaProblem.CORRUPT),
        (b"RIFF\x00\x00\x00\x00WAVEjunk", "broken.wav", MediaProblem.CORRUPT),
        (b"just text", "notes.wav", MediaProblem.UNSUPPORTED),
        (b"\x00\x00\x00\x18ftypqt  ", "movie.m4a", MediaProblem.UNSUPPORTED),
        (b"ID3" + bytes(MAX_INPUT_BYTES), "huge.mp3", MediaProblem.TOO_LARGE),
    ],
)
def test_bad_audio_is_rejected_by_name(data: bytes, filename: str, reason: MediaProblem) -> None:
    error = rejected(prepare_audio, data, filename)
    assert (error.reason, error.params["filename"]) == (reason, filename)


def test_too_long_names_the_duration() -> None:
    error = rejected(prepare_audio, wav(400, rate=500), "long.wav")
    assert error.params["duration"] == 400.0
    assert error.params["limit"] == MAX_AUDIO_SECONDS


ID3_EMPTY = b"ID3\x04\x00\x00\x00\x00\x00\x00"


def m4a_without_sound() -> bytes:
    return m4a(4.0).rpartition(struct.pack(">I", 72) + b"mdat")[0]


@pytest.mark.parametrize(
    ("data", "filename"),
    [
        (ID3_EMPTY + bytes(1 << 20), "zeros.mp3"),  # issue 10: was accepted
        (ID3_EMPTY + b"\xff" * 5000, "ones.mp3"),
        (b"\xff\xfb\x90\x64" + bytes(100), "truncated.mp3"),
        (ogg_opus(2.0)[:47], "headers-only.ogg"),
        (ogg_opus(0.0, pre_skip=312)[:-224], "pre-skip-only.ogg"),
        (ogg_vorbis(3.0)[:58], "ident-only.ogg"),
        (b"OggS\x00\x00" + bytes(60), "not-first-page.ogg"),
        (m4a_without_sound(), "no-mdat.m4a"),
        (wav(0.0), "empty.wav"),
        (wav(1.0)[:44], "header-only.wav"),
    ],
)
def test_audio_without_sound_is_damaged(data: bytes, filename: str) -> None:
    assert rejected(prepare_audio, data, filename).reason is MediaProblem.CORRUPT
    assert rejected(prepare_media, data, filename).reason is MediaProblem.CORRUPT


def test_mp3_duration_counts_frames_and_skips_junk_and_tags() -> None:
    tagged = ID3_EMPTY[:9] + b"\x05" + b"TIT2\xff\xfb" + MP3_FRAME * 2 + b"junk" * 10
    data = tagged + MP3_FRAME * 2 + b"TAG" + bytes(125)
    assert prepare_audio(data, "a.mp3").duration == pytest.approx(4 * 1152 / 44100)


def test_long_mp3_is_refused() -> None:
    frames = int(MAX_AUDIO_SECONDS * 44100 / 1152) + 40
    error = rejected(prepare_audio, MP3_FRAME * frames, "long.mp3")
    assert error.reason is MediaProblem.TOO_LONG
    assert error.params["duration"] == round(frames * 1152 / 44100, 1)


_MP3_KINDS = [  # (second byte, sample rate index, samples, rate)
    (0xFB, 0, 1152, 44100),  # MPEG-1 layer III
    (0xFD, 1, 1152, 48000),  # MPEG-1 layer II
    (0xF3, 2, 576, 16000),  # MPEG-2 layer III
    (0xE3, 0, 576, 11025),  # MPEG-2.5 layer III
]


def mp3_frame(second: int, bitrate: int, rate_index: int, padding: int) -> bytes:
    from annotation.media.mp3 import parse_frame

    header = bytes([0xFF, second, bitrate << 4 | rate_index << 2 | padding << 1, 0x64])
    frame = parse_frame(header, 0)
    assert frame is not None
    return header + bytes(frame.length - 4)


@settings(max_examples=60, deadline=None)
@given(st.sampled_from(_MP3_KINDS),
       st.lists(st.tuples(st.integers(1, 14), st.integers(0, 1)), min_size=1, max_size=30),
       st.integers(0, 3))
def test_mp3_duration_is_the_sum_of_its_frames(
    kind: tuple[int, int, int, int], frames: list[tuple[int, int]], zeros: int
) -> None:
    second, rate_index, samples, rate = kind
    data = b"".join(mp3_frame(second, bitrate, rate_index, padding)
                    for bitrate, padding in frames)
    probe = prepare_audio(ID3_EMPTY + bytes(zeros) + data, "x.mp3")
    assert probe.duration == pytest.approx(len(frames) * samples / rate)


@pytest.mark.parametrize(
    ("filename", "kind"),
    [("a.JPG", MediaKind.IMAGE), ("b/c.opus", MediaKind.AUDIO), ("d.txt", None), ("e", None)],
)
def test_media_kind_for(filename: str, kind: MediaKind | None) -> None:
    assert media_kind_for(filename) is kind


# -- fuzzing ----------------------------------------------------------------------------

MAGIC = [
    b"",
    b"\x89PNG\r\n\x1a\n",
    b"\xff\xd8\xff",
    b"GIF89a",
    b"BM",
    b"II*\x00",
    b"OggS",
    b"RIFF\x10\x00\x00\x00WAVE",
    b"RIFF\x10\x00\x00\x00WEBP",
    b"ID3",
    b"\x00\x00\x00\x10ftypM4A ",
]


@settings(max_examples=150, deadline=None)
@given(st.sampled_from(MAGIC), st.binary(max_size=300), st.sampled_from(["a.png", "b.ogg", "c"]))
def test_arbitrary_bytes_are_prepared_or_rejected(magic: bytes, tail: bytes, name: str) -> None:
    try:
        prepared = prepare_media(magic + tail, name)
    except MediaRejected as exc:
        assert exc.reason in set(MediaProblem)
    else:
        assert isinstance(prepared, PreparedMedia)
