"""Audio containers: recognising OGG, MP3, M4A and WAV by their bytes, and their duration.

Every accepted file has a positive duration read from its structure, cheaply and without
decoding any sound; a file whose container is recognised but holds no sound is refused
(``AudioUnreadable(recognised=True)``): WAV from its ``fmt`` byte rate and the ``data`` bytes
actually present; OGG from the first page (version 0, beginning of stream) and the last
page's granule position (Opus at 48 kHz minus its pre-skip; Vorbis at its sample rate); M4A
from the ``mvhd`` box, with an ``mdat`` box holding the sound; MP3 by walking its MPEG audio
frames after any ID3v2 tag (``annotation.media.mp3``): no valid frame, no audio.
"""

from __future__ import annotations

import struct
from dataclasses import dataclass

from annotation.media.mp3 import mp3_duration

OGG_TAIL_BYTES = 65_536  # an OGG page is at most 65,307 bytes
OPUS_RATE = 48_000
M4A_BRANDS = frozenset({b"M4A ", b"M4B ", b"mp42", b"mp41", b"isom", b"iso2", b"dash"})


class AudioUnreadable(ValueError):
    """The bytes are not a supported audio file (``recognised``: the container was known)."""

    def __init__(self, recognised: bool) -> None:
        super().__init__("corrupt audio" if recognised else "unsupported audio")
        self.recognised = recognised


@dataclass(frozen=True, slots=True)
class AudioProbe:
    """What the header of an audio file says."""

    mime: str
    extension: str
    send_as: str  # "voice" for OGG/Opus, otherwise "audio"
    duration: float  # seconds, positive


def probe_audio(data: bytes) -> AudioProbe:
    """Recognise an audio container by its magic bytes and read its duration."""
    probe = _probe(data)
    if not probe.duration > 0:  # also refuses NaN
        raise AudioUnreadable(recognised=True)
    return probe


def _probe(data: bytes) -> AudioProbe:
    if data.startswith(b"OggS"):
        return _probe_ogg(data)
    if data[:4] == b"RIFF" and data[8:12] == b"WAVE":
        return AudioProbe("audio/wav", ".wav", "audio", _riff_duration(data))
    if data[4:8] == b"ftyp":
        if data[8:12] not in M4A_BRANDS:
            raise AudioUnreadable(recognised=False)
        return AudioProbe("audio/mp4", ".m4a", "audio", _mp4_duration(data))
    if _looks_like_mp3(data):
        duration = mp3_duration(data)
        if duration is None:
            raise AudioUnreadable(recognised=True)
        return AudioProbe("audio/mpeg", ".mp3", "audio", duration)
    raise AudioUnreadable(recognised=False)


def _looks_like_mp3(data: bytes) -> bool:
    if data.startswith(b"ID3") and len(data) >= 10:
        return True
    if len(data) < 4 or data[0] != 0xFF or data[1] & 0xE0 != 0xE0:
        return False
    version, layer = (data[1] >> 3) & 0b11, (data[1] >> 1) & 0b11
    bitrate, rate = data[2] >> 4, (data[2] >> 2) & 0b11
    return version != 0b01 and layer != 0 and bitrate not in (0, 15) and rate != 3


def _probe_ogg(data: bytes) -> AudioProbe:
    if len(data) < 27 or data[4] != 0 or not data[5] & 0x02:  # version 0, first page
        raise AudioUnreadable(recognised=True)
    head = data[:512]
    if b"OpusHead" in head:
        start = head.index(b"OpusHead")
        if len(head) < start + 12:
            raise AudioUnreadable(recognised=True)
        pre_skip = struct.unpack_from("<H", head, start + 10)[0]
        granule = _last_granule(data)
        if granule is None:
            raise AudioUnreadable(recognised=True)
        return AudioProbe("audio/ogg", ".ogg", "voice", (granule - pre_skip) / OPUS_RATE)
    if b"\x01vorbis" in head:
        start = head.index(b"\x01vorbis")
        if len(head) < start + 16:
            raise AudioUnreadable(recognised=True)
        rate = struct.unpack_from("<I", head, start + 12)[0]
        granule = _last_granule(data)
        if rate == 0 or granule is None:
            raise AudioUnreadable(recognised=True)
        return AudioProbe("audio/ogg", ".ogg", "audio", granule / rate)
    raise AudioUnreadable(recognised=True)


def _last_granule(data: bytes) -> int | None:
    """Return the granule position of the last complete OGG page header, if any."""
    tail_start = max(0, len(data) - OGG_TAIL_BYTES)
    position = len(data)
    while (position := data.rfind(b"OggS", tail_start, position)) >= 0:
        if position + 14 <= len(data) and data[position + 4] == 0:  # stream version 0
            granule: int = struct.unpack_from("<q", data, position + 6)[0]
            if granule >= 0:
                return granule
    return None


def _riff_duration(data: bytes) -> float:
    """Return the sound bytes present / byte rate, from the RIFF chunks of a WAV file."""
    byte_rate = 0
    position = 12
    while position + 8 <= len(data):
        chunk, size = data[position : position + 4], struct.unpack_from("<I", data, position + 4)[0]
        if chunk == b"fmt " and size >= 16 and position + 24 <= len(data):
            byte_rate = struct.unpack_from("<I", data, position + 16)[0]
        elif chunk == b"data":
            if byte_rate <= 0:
                break
            return min(size, len(data) - position - 8) / byte_rate
        position += 8 + size + (size & 1)
    raise AudioUnreadable(recognised=True)


def _mp4_duration(data: bytes) -> float:
    """Return the movie duration from ``moov/mvhd``; refuse a file without it or sound."""
    moov = _find_box(data, 0, len(data), b"moov")
    mdat = _find_box(data, 0, len(data), b"mdat")
    if moov is None or mdat is None or mdat[1] <= mdat[0]:
        raise AudioUnreadable(recognised=True)
    mvhd = _find_box(data, moov[0], moov[1], b"mvhd")
    if mvhd is None or mvhd[0] + 32 > len(data):
        raise AudioUnreadable(recognised=True)
    start = mvhd[0]
    if data[start] == 1:  # version 1: 64-bit times
        if start + 32 > mvhd[1]:
            raise AudioUnreadable(recognised=True)
        timescale, duration = struct.unpack_from(">IQ", data, start + 20)
    else:
        timescale, duration = struct.unpack_from(">II", data, start + 12)
    if not timescale:
        raise AudioUnreadable(recognised=True)
    return float(duration / timescale)


def _find_box(data: bytes, start: int, end: int, name: bytes) -> tuple[int, int] | None:
    """Return the (payload start, end) of the first box called ``name`` in data[start:end]."""
    position = start
    while position + 8 <= end:
        size, kind = struct.unpack_from(">I4s", data, position)
        header = 8
        if size == 1 and position + 16 <= end:
            size, header = struct.unpack_from(">Q", data, position + 8)[0], 16
        elif size == 0:
            size = end - position
        if size < header:
            return None
        if kind == name:
            return position + header, min(end, position + size)
        position += size
    return None
