"""Measure the audio annobot sends phones: audio comparisons' voice notes and imported WAV
clips' Opus copies; what each costs a phone, and what making it costs the server at import
(``annotation/media/audio_pairs.py``, ``annotation/media/voice_notes.py``,
``docs/PERFORMANCE.md``).

Usage::

    .venv/bin/python benchmarks/phone_audio.py [--repeat 3]

Audio comparisons: the clips are the speech-like voices of the speech sample
(``bot/samples/voices.py``), each pair as a speaker's Opus voice note (48 kHz) against a
TTS-like clip as 24 kHz 16-bit WAV or as a 24 kHz MP3, at several lengths. For each: the
note's bytes and bytes per second of sound, the two clips' own bytes (what sending them as
they are would cost), and the median time of ``compose_audio_orders`` (decoding,
resampling what is not at 48 kHz, encoding both orders) on one core.

WAV clips: the same voice as 16-bit mono WAV at 16, 22.05 and 44.1 kHz, at several lengths:
the WAV's bytes, its Opus copy's, their ratio, and the median time of ``for_phones``.
"""

from __future__ import annotations

import argparse
import io
import statistics
import sys
import time

import numpy as np
import soundfile

from annotation.media.audio_pairs import compose_audio_orders
from annotation.media.preparation import prepare_audio
from annotation.media.voice_notes import for_phones
from bot.samples.voices import voice_note, voice_samples

LENGTHS = (5.0, 10.0, 30.0, 60.0)


def other_clip(seconds: float, container: str) -> tuple[bytes, str]:
    """Return a second voice as a 24 kHz WAV or MP3 file, and its name."""
    samples = voice_samples(seconds, seed=7, sample_rate=24_000).astype(np.float32)
    buffer = io.BytesIO()
    if container == "WAV":
        soundfile.write(buffer, samples, 24_000, format="WAV", subtype="PCM_16")
        return buffer.getvalue(), "tts.wav"
    soundfile.write(buffer, samples, 24_000, format="MP3", subtype="MPEG_LAYER_III")
    return buffer.getvalue(), "tts.mp3"


def measure_pair(seconds: float, container: str, repeat: int) -> dict[str, float]:
    """Compose one pair ``repeat`` times; return its sizes and the median time."""
    first = prepare_audio(voice_note(seconds, seed=1), "speaker.ogg")
    data, name = other_clip(seconds, container)
    second = prepare_audio(data, name)
    times = []
    for _ in range(repeat):
        start = time.perf_counter()
        forward, _backward = compose_audio_orders(first, second)
        times.append(time.perf_counter() - start)
    duration = forward.media.duration or 0.0
    return {"note": len(forward.media.data), "per_second": len(forward.media.data) / duration,
            "duration": duration, "clips": len(first.data) + len(second.data),
            "seconds": statistics.median(times)}


def measure_copy(seconds: float, rate: int, repeat: int) -> dict[str, float]:
    """Make one WAV's phone copy ``repeat`` times; return the sizes and the median time."""
    buffer = io.BytesIO()
    soundfile.write(buffer, voice_samples(seconds, seed=3, sample_rate=48_000 if rate > 24_000
                                          else 24_000).astype(np.float32)[:round(seconds * rate)],
                    rate, format="WAV", subtype="PCM_16")
    wav = prepare_audio(buffer.getvalue(), "clip.wav")
    times = []
    for _ in range(repeat):
        start = time.perf_counter()
        copy = for_phones(wav).phone
        times.append(time.perf_counter() - start)
    assert copy is not None
    return {"wav": len(wav.data), "copy": len(copy.data), "seconds": statistics.median(times)}


def main(argv: list[str] | None = None) -> int:
    """Print one line per length and format: comparisons' notes, then WAV copies."""
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--repeat", type=int, default=3)
    args = parser.parse_args(argv)
    print(f"{'clips':>9} {'vs':>4} {'note s':>7} {'note B':>9} {'B/s':>6} "
          f"{'clips B':>10} {'note/clips':>10} {'compose s':>10}")
    for container in ("WAV", "MP3"):
        for seconds in LENGTHS:
            row = measure_pair(seconds, container, args.repeat)
            print(f"{f'2 x {seconds:.0f} s':>9} {container:>4} {row['duration']:>7.1f} "
                  f"{row['note']:>9,} {row['per_second']:>6,.0f} {row['clips']:>10,} "
                  f"{row['note'] / row['clips']:>10.2f} {row['seconds']:>10.2f}")
    print()
    print(f"{'WAV clip':>15} {'WAV B':>10} {'Opus B':>8} {'Opus/WAV':>9} {'copy s':>7}")
    for rate in (16_000, 22_050, 44_100):
        for seconds in (5.0, 30.0):
            row = measure_copy(seconds, rate, args.repeat)
            print(f"{f'{seconds:.0f} s, {rate / 1000:g} kHz':>15} {row['wav']:>10,} "
                  f"{row['copy']:>8,} {row['copy'] / row['wav']:>9.3f} {row['seconds']:>7.2f}")
    return 0


if __name__ == "__main__":
    sys.exit(main())
