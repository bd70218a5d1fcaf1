"""MP3 files measured by walking their MPEG audio frames (no sound is decoded).

An MP3 file is optional ID3v2 tags, then MPEG-1/2/2.5 audio frames, each starting with a
4-byte header that gives its length and its number of samples; an ID3v1 tag may close it.
The duration is the sum of the frames' samples over their sample rate. A frame counts
only when the next one starts right after it with the same version, layer and sample rate
(or the file ends there), so stray ``0xFF`` bytes in a tag or in junk are not mistaken for
sound. Junk between frames is skipped by looking for the next such pair. A file with no
frame at all (an ``ID3`` header then zeros, say) has no duration: it is not audio.
Free-format streams (bitrate index 0) are not supported.
"""

from __future__ import annotations

import re
from typing import NamedTuple

ID3_HEADER = 10
ID3V1_SIZE = 128
MAX_RESYNCS = 10_000  # candidate headers tried in junk before giving up (hostile files)

# kbit/s by bitrate index 1..14, for (MPEG-1?, layer)
_BITRATES: dict[tuple[bool, int], tuple[int, ...]] = {
    (True, 1): (32, 64, 96, 128, 160, 192, 224, 256, 288, 320, 352, 384, 416, 448),
    (True, 2): (32, 48, 56, 64, 80, 96, 112, 128, 160, 192, 224, 256, 320, 384),
    (True, 3): (32, 40, 48, 56, 64, 80, 96, 112, 128, 160, 192, 224, 256, 320),
    (False, 1): (32, 48, 56, 64, 80, 96, 112, 128, 144, 160, 176, 192, 224, 256),
    (False, 2): (8, 16, 24, 32, 40, 48, 56, 64, 80, 96, 112, 128, 144, 160),
    (False, 3): (8, 16, 24, 32, 40, 48, 56, 64, 80, 96, 112, 128, 144, 160),
}
# Hz by sample rate index 0..2, for the version bits 0 (MPEG-2.5), 2 (MPEG-2), 3 (MPEG-1)
_RATES = {0: (11025, 12000, 8000), 2: (22050, 24000, 16000), 3: (44100, 48000, 32000)}


class Frame(NamedTuple):
    """One MPEG audio frame header, decoded."""

    length: int  # bytes, header included
    samples: int
    rate: int  # Hz
    kind: tuple[int, int, int]  # version bits, layer, sample rate index: equal in a stream


def _byte_class(allowed: list[int]) -> bytes:
    return b"[" + b"".join(re.escape(bytes([value])) for value in allowed) + b"]"


# A possible header: sync, a known version and layer, a usable bitrate and sample rate.
_SYNC = re.compile(
    b"\xff"
    + _byte_class([b for b in range(0xE0, 0x100) if (b >> 3) & 3 != 1 and (b >> 1) & 3 != 0])
    + _byte_class([b for b in range(256) if b >> 4 not in (0, 15) and (b >> 2) & 3 != 3])
)


def parse_frame(data: bytes, position: int) -> Frame | None:
    """Return the frame whose header starts at ``position``, or None if it is not one."""
    if position + 4 > len(data) or data[position] != 0xFF or data[position + 1] & 0xE0 != 0xE0:
        return None
    second, third = data[position + 1], data[position + 2]
    version, layer_bits = (second >> 3) & 0b11, (second >> 1) & 0b11
    bitrate_index, rate_index = third >> 4, (third >> 2) & 0b11
    if version == 1 or layer_bits == 0 or bitrate_index in (0, 15) or rate_index == 3:
        return None
    layer = 4 - layer_bits  # 0b11 is layer I, 0b01 layer III
    mpeg1 = version == 3
    bitrate = _BITRATES[(mpeg1, layer)][bitrate_index - 1] * 1000
    rate = _RATES[version][rate_index]
    padding = (third >> 1) & 1
    if layer == 1:
        length, samples = (12 * bitrate // rate + padding) * 4, 384
    elif layer == 2 or mpeg1:
        length, samples = 144 * bitrate // rate + padding, 1152
    else:  # layer III of MPEG-2 and 2.5: half the samples
        length, samples = 72 * bitrate // rate + padding, 576
    return Frame(length, samples, rate, (version, layer, rate_index))


def skip_id3v2(data: bytes) -> int:
    """Return where the audio starts after any ID3v2 tags (their sizes are syncsafe)."""
    position = 0
    while data.startswith(b"ID3", position) and position + ID3_HEADER <= len(data):
        size_bytes = data[position + 6 : position + 10]
        if any(byte & 0x80 for byte in size_bytes):
            break  # not a syncsafe size: not a tag after all
        size = 0
        for byte in size_bytes:
            size = (size << 7) | byte
        footer = ID3_HEADER if data[position + 5] & 0x10 else 0
        position += ID3_HEADER + size + footer
    return min(position, len(data))


def _confirmed(data: bytes, position: int, end: int) -> Frame | None:
    """Return the frame at ``position`` if the next one follows it (or the data ends)."""
    frame = parse_frame(data, position)
    if frame is None or position + frame.length > end:
        return None
    after = position + frame.length
    if after == end:
        return frame
    following = parse_frame(data, after)
    return frame if following is not None and following.kind == frame.kind else None


def mp3_duration(data: bytes) -> float | None:
    """Return the duration in seconds of an MP3 file's frames, or None if it has none."""
    end = len(data)
    if end >= ID3V1_SIZE and data.startswith(b"TAG", end - ID3V1_SIZE):
        end -= ID3V1_SIZE
    position = skip_id3v2(data)
    seconds, frames, resyncs = 0.0, 0, 0
    kind: tuple[int, int, int] | None = None
    while position + 4 <= end and resyncs <= MAX_RESYNCS:
        frame = parse_frame(data, position)
        walking = frame is not None and frame.kind == kind and position + frame.length <= end
        if not walking:
            frame = _confirmed(data, position, end)
        if frame is None:
            found = _SYNC.search(data, position + 1, end)  # skip junk to the next header
            if found is None:
                break
            position, resyncs = found.start(), resyncs + 1
            continue
        kind = frame.kind
        seconds += frame.samples / frame.rate
        frames += 1
        position += frame.length
    return seconds if frames else None
