"""Opus voice notes annobot makes itself: the lighter copy of an imported clip that goes to
phones, and the encoder that audio comparisons share.

Mobile data is what annotators pay for. An imported WAV clip (uncompressed: 16-bit mono at
16 kHz is 32 KB a second, CD quality 176 KB) gets a copy for phones (:func:`for_phones`):
decoded by libsndfile, mixed to mono, at its own rate when Opus takes it (8, 12, 16, 24
or 48 kHz; else resampled to 48 kHz), encoded as OGG/Opus at ``OPUS_COMPRESSION`` (about
20-24 kbit/s, under 3 KB a second), which Telegram's apps play as a voice note. The
original stays the item's media: exports and the dataset carry it as it was given; only
what is sent changes (``storage`` resolves an item's media to its phone copy when one
exists).

Compressed clips (MP3, M4A, OGG) go to phones as they came: re-encoding one lossy format
into another loses more than it saves. A WAV libsndfile cannot decode (a codec it lacks)
goes as it came too: it passed the import's own checks, and a heavier clip is better than
none.

Blocking (decoding, resampling, encoding): intake runs it on the uploads' worker pool.
"""

from __future__ import annotations

import hashlib
import io
import logging
from dataclasses import replace
from pathlib import PurePosixPath

import numpy as np
import soundfile

from annotation.media.preparation import MediaRejected, PreparedMedia
from annotation.media.speech import decode_audio, resample
from annotation.models import MediaKey, MediaKind

logger = logging.getLogger(__name__)

OPUS_RATES = frozenset({8_000, 12_000, 16_000, 24_000, 48_000})
OPUS_RATE = 48_000  # what a clip at another rate is resampled to
OPUS_COMPRESSION = 0.95  # libsndfile's scale: about 20-24 kbit/s for speech
HEAVY_MIMES = frozenset({"audio/wav"})  # uncompressed: worth a copy for phones
# libsndfile draws each OGG stream's serial number at random: a fixed one makes a note's
# bytes depend on its sound alone (one stream per file, so any number will do)
STREAM_SERIAL = 0x616E6E6F  # "anno"
_OGG_HEADER = 27  # bytes before a page's segment table


def _crc_entry(index: int) -> int:
    """Return Ogg's CRC-32 of one byte: polynomial 0x04C11DB7, most significant bit first."""
    register = index << 24
    for _ in range(8):
        register = ((register << 1) ^ 0x04C11DB7 if register & 0x80000000
                    else register << 1) & 0xFFFFFFFF
    return register


_CRC_TABLE = tuple(_crc_entry(index) for index in range(256))


def encode_voice_note(samples: np.ndarray, sample_rate: int, filename: str) -> PreparedMedia:
    """Return mono samples in [-1, 1] at an Opus rate as an OGG/Opus voice note: the same
    samples always give the same bytes (and so the same key)."""
    buffer = io.BytesIO()
    soundfile.write(buffer, np.clip(samples, -1.0, 1.0).astype(np.float32), sample_rate,
                    format="OGG", subtype="OPUS", compression_level=OPUS_COMPRESSION)
    data = with_serial(buffer.getvalue(), STREAM_SERIAL)
    return PreparedMedia(key=MediaKey(hashlib.sha256(data).hexdigest()), kind=MediaKind.AUDIO,
                         filename=filename, mime="audio/ogg", data=data, width=None,
                         height=None, duration=samples.size / sample_rate, send_as="voice")


def for_phones(media: PreparedMedia) -> PreparedMedia:
    """Return ``media`` with a lighter copy for phones when it is uncompressed audio."""
    if media.kind is not MediaKind.AUDIO or media.mime not in HEAVY_MIMES:
        return media
    try:
        audio = decode_audio(media.data, filename=media.filename)
    except MediaRejected:
        logger.info("%s is sent as it came: libsndfile cannot decode it", media.filename)
        return media
    rate = audio.sample_rate if audio.sample_rate in OPUS_RATES else OPUS_RATE
    samples = audio.samples if rate == audio.sample_rate else \
        resample(audio.samples, audio.sample_rate, rate)
    name = PurePosixPath(media.filename).stem or "audio"
    return replace(media, phone=encode_voice_note(samples, rate, f"{name}.ogg"))


def with_serial(data: bytes, serial: int) -> bytes:
    """Return an OGG file with every page's stream serial number set to ``serial`` and its
    checksum recomputed (Ogg's CRC-32: polynomial 0x04C11DB7, unreflected, from zero)."""
    out = bytearray(data)
    at = 0
    while at + _OGG_HEADER <= len(out) and out[at:at + 4] == b"OggS":
        segments = out[at + 26]
        size = _OGG_HEADER + segments + sum(out[at + _OGG_HEADER:at + _OGG_HEADER + segments])
        out[at + 14:at + 18] = serial.to_bytes(4, "little")
        out[at + 22:at + 26] = bytes(4)
        crc = 0
        for byte in out[at:at + size]:
            crc = ((crc << 8) & 0xFFFFFFFF) ^ _CRC_TABLE[(crc >> 24) ^ byte]
        out[at + 22:at + 26] = crc.to_bytes(4, "little")
        at += size
    return bytes(out)
