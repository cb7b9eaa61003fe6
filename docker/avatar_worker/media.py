"""Media in and out: decode the image, prepare the audio, encode the finished video.

Everything is judged by content, never by file name or Content-Type: Pillow decides what an
image is, ffprobe/ffmpeg what audio is. Audio is decoded at most ``max_seconds + 1`` long, so a
tiny, highly compressed file cannot make the worker decode hours of sound.
"""

from __future__ import annotations

import json
import math
import os
import struct
import subprocess
from dataclasses import dataclass
from typing import Any, Iterator, Optional, Tuple

import numpy as np
from PIL import Image, ImageOps

from .contract import FPS, MODEL_MIN_AUDIO_SECONDS
from .errors import AudioTooLong, AudioTooShort, MediaUndecodable, PipelineFailed

MODEL_SAMPLE_RATE = 16000
SUPPORTED_IMAGE_FORMATS = frozenset({"PNG", "JPEG", "WEBP", "BMP"})
MIN_IMAGE_SIDE = 64
FFMPEG = "ffmpeg"
FFPROBE = "ffprobe"
X264_PRESET = "medium"
X264_CRF = 18
AAC_BITRATE = "192k"


# --- image ---------------------------------------------------------------------------------------


def decode_image(path: str, max_pixels: int, field_name: str = "image") -> Image.Image:
    """Open ``path`` as an image and return it upright, in RGB, fully loaded.

    Rejects non-images, unsupported formats, truncated files and anything over ``max_pixels``
    (checked from the header, before the pixels are decoded: a decompression bomb never allocates).
    """
    try:
        with Image.open(path) as probe:
            fmt = probe.format
            width, height = probe.size
            probe.verify()  # structure and checksums (PNG CRCs); does not decode everything
    except Image.DecompressionBombError as err:
        raise MediaUndecodable(f"`{field_name}` is too large to decode safely: {err}.") from err
    except Exception as err:  # Pillow raises many types for garbage input
        raise MediaUndecodable(f"`{field_name}` is not a readable image ({type(err).__name__}: {err}).") from err
    if fmt not in SUPPORTED_IMAGE_FORMATS:
        raise MediaUndecodable(
            f"`{field_name}` is a {fmt} image; send PNG, JPEG, WebP or BMP."
        )
    if width * height > max_pixels:
        raise MediaUndecodable(
            f"`{field_name}` is {width}x{height} ({width * height} pixels), above the "
            f"{max_pixels}-pixel limit (AVATAR_MAX_IMAGE_PIXELS)."
        )
    if min(width, height) < MIN_IMAGE_SIDE:
        raise MediaUndecodable(f"`{field_name}` is {width}x{height}; each side must be at least {MIN_IMAGE_SIDE} px.")
    try:
        # verify() leaves the file unusable; reopen and decode every pixel (catches truncation).
        with Image.open(path) as image:
            image.load()
            upright = ImageOps.exif_transpose(image)
            return upright.convert("RGB")
    except Exception as err:
        raise MediaUndecodable(f"`{field_name}` is truncated or corrupt ({type(err).__name__}: {err}).") from err


# --- audio ---------------------------------------------------------------------------------------


@dataclass(frozen=True)
class PreparedAudio:
    """Audio ready for the model plus what the mux needs.

    ``seconds`` is the real sound decoded from the input; ``model_seconds`` the length handed to
    the model after silence padding (>= :data:`MODEL_MIN_AUDIO_SECONDS`).
    """

    source_path: str
    model_wav_path: str
    seconds: float
    model_seconds: float
    samples: np.ndarray  # float32 mono at MODEL_SAMPLE_RATE, padded


def probe_audio(path: str, field_name: str = "audio") -> dict:
    """Return ffprobe's description of the first audio stream; refuse files without one."""
    try:
        result = subprocess.run(
            [FFPROBE, "-v", "error", "-select_streams", "a:0", "-show_streams", "-show_format", "-of", "json", path],
            capture_output=True,
            timeout=60,
            check=False,
        )
    except subprocess.TimeoutExpired as err:
        raise MediaUndecodable(f"`{field_name}`: probing the audio took too long.") from err
    if result.returncode != 0:
        raise MediaUndecodable(f"`{field_name}` is not a readable audio file ({_last_line(result.stderr)}).")
    try:
        info = json.loads(result.stdout or b"{}")
    except ValueError as err:
        raise MediaUndecodable(f"`{field_name}`: ffprobe returned no description.") from err
    streams = info.get("streams") or []
    if not streams:
        raise MediaUndecodable(f"`{field_name}` has no audio stream.")
    return dict(streams[0])


def decode_audio(path: str, max_seconds: float, field_name: str = "audio") -> np.ndarray:
    """Decode the first audio stream to float32 mono at 16 kHz, at most ``max_seconds + 1`` long."""
    try:
        result = subprocess.run(
            [
                FFMPEG, "-nostdin", "-v", "error", "-i", path,
                "-map", "0:a:0", "-vn", "-sn", "-dn",
                "-t", f"{max_seconds + 1.0:.3f}",
                "-ac", "1", "-ar", str(MODEL_SAMPLE_RATE), "-f", "f32le", "pipe:1",
            ],
            capture_output=True,
            timeout=max(60.0, max_seconds * 2),
            check=False,
        )
    except subprocess.TimeoutExpired as err:
        raise MediaUndecodable(f"`{field_name}`: decoding the audio took too long.") from err
    if result.returncode != 0:
        raise MediaUndecodable(f"`{field_name}` could not be decoded ({_last_line(result.stderr)}).")
    samples = np.frombuffer(result.stdout, dtype="<f4").astype(np.float32)
    if not np.all(np.isfinite(samples)):
        raise MediaUndecodable(f"`{field_name}` decodes to invalid (NaN/inf) samples.")
    return samples


def prepare_audio(
    path: str,
    model_wav_path: str,
    min_seconds: float,
    max_seconds: float,
    field_name: str = "audio",
    max_seconds_hint: str = "max_duration_seconds",
) -> PreparedAudio:
    """Probe, decode and length-check the audio; write the model's 16 kHz mono float32 WAV.

    Too long is rejected, not trimmed: a silently shortened video is a worse surprise than a clear
    error naming the limit. Too short to be speech is rejected; merely shorter than the model's
    minimum is padded with silence (the video then holds a still-ish tail).
    """
    probe_audio(path, field_name)
    samples = decode_audio(path, max_seconds, field_name)
    seconds = len(samples) / MODEL_SAMPLE_RATE
    if seconds == 0:
        raise MediaUndecodable(f"`{field_name}` holds no audio samples.")
    if seconds < min_seconds:
        raise AudioTooShort(
            f"`{field_name}` is {seconds:.2f} s long; at least {min_seconds:g} s of audio is needed."
        )
    if seconds > max_seconds + 1.0 / FPS:
        raise AudioTooLong(
            f"`{field_name}` is longer than {max_seconds:g} s (the limit set by `{max_seconds_hint}`, "
            "itself capped by the worker's AVATAR_MAX_AUDIO_SECONDS); shorten it or split the job."
        )
    min_samples = int(math.ceil(MODEL_MIN_AUDIO_SECONDS * MODEL_SAMPLE_RATE))
    padded = samples if len(samples) >= min_samples else np.pad(samples, (0, min_samples - len(samples)))
    write_float_wav(model_wav_path, padded, MODEL_SAMPLE_RATE)
    return PreparedAudio(
        source_path=path,
        model_wav_path=model_wav_path,
        seconds=seconds,
        model_seconds=len(padded) / MODEL_SAMPLE_RATE,
        samples=padded,
    )


def write_float_wav(path: str, samples: np.ndarray, sample_rate: int) -> None:
    """Write mono IEEE-float32 WAV (format tag 3), which the stdlib ``wave`` module cannot."""
    data = np.asarray(samples, dtype="<f4").tobytes()
    header = b"RIFF" + struct.pack("<I", 4 + 26 + 12 + 8 + len(data)) + b"WAVE"
    fmt = struct.pack("<HHIIHHH", 3, 1, sample_rate, sample_rate * 4, 4, 32, 0)
    fact = b"fact" + struct.pack("<II", 4, len(samples))
    with open(path, "wb") as out:
        out.write(header + b"fmt " + struct.pack("<I", len(fmt)) + fmt + fact + b"data" + struct.pack("<I", len(data)))
        out.write(data)


def frame_count_for(seconds: float) -> int:
    """Frames needed to cover ``seconds`` at :data:`FPS`."""
    return int(math.ceil(seconds * FPS - 1e-9))


# --- video ---------------------------------------------------------------------------------------


@dataclass(frozen=True)
class EncodedVideo:
    """The muxed mp4 and its measured shape."""

    path: str
    width: int
    height: int
    frames: int
    seconds: float
    size_bytes: int


def iter_frames(video: Any) -> Tuple[int, int, Iterator[np.ndarray]]:
    """Normalise pipeline output to ``(height, width, iterator of uint8 HxWx3 frames)``.

    Accepts the InfiniteTalk tensor/array shaped (3, T, H, W) in [-1, 1] or a sequence of uint8
    HxWx3 arrays (list or generator). Frames are converted one at a time so a long video never
    exists twice in RAM.
    """
    if hasattr(video, "detach"):  # torch.Tensor without importing torch here
        video = video.detach().to("cpu").float().numpy()
    if isinstance(video, np.ndarray) and video.ndim == 4 and video.shape[0] == 3:
        channels_first = video
        _, total, height, width = channels_first.shape

        def from_tensor() -> Iterator[np.ndarray]:
            for index in range(total):
                frame = channels_first[:, index].transpose(1, 2, 0)
                yield np.clip((frame + 1.0) * 127.5 + 0.5, 0, 255).astype(np.uint8)

        return height, width, from_tensor()
    iterator = iter(video)
    try:
        first = np.asarray(next(iterator))
    except StopIteration:
        raise PipelineFailed("the pipeline returned no frames.") from None
    if first.ndim != 3 or first.shape[2] != 3 or first.dtype != np.uint8:
        raise PipelineFailed(f"the pipeline returned frames shaped {first.shape} {first.dtype}; expected HxWx3 uint8.")

    def chained() -> Iterator[np.ndarray]:
        yield first
        for frame in iterator:
            yield np.asarray(frame)

    return first.shape[0], first.shape[1], chained()


def encode_video(video: Any, audio_path: str, out_path: str, log_path: Optional[str] = None) -> EncodedVideo:
    """Encode frames to H.264/yuv420p mp4 at 25 fps and mux ``audio_path`` (the original) as AAC.

    Two ffmpeg runs: frames are piped into a video-only file first, because the frame count is
    only known at the end of a lazy stream; the mux then cuts (or silence-pads) the audio to
    exactly ``frames / 25`` s (``-shortest`` overshoots by up to an audio packet and a bit).
    Dimensions are cropped to even numbers (yuv420p requires it); ``+faststart`` lets players
    start before the whole file has downloaded.
    """
    height, width, frames = iter_frames(video)
    even_w, even_h = width - width % 2, height - height % 2
    silent_path = out_path + ".video.mp4"
    count = _encode_frames(frames, width, height, silent_path, log_path)
    if count == 0:
        raise PipelineFailed("the pipeline returned no frames.")
    seconds = count / FPS
    _run_ffmpeg(
        [
            FFMPEG, "-nostdin", "-y", "-v", "error",
            "-i", silent_path, "-i", audio_path,
            "-map", "0:v:0", "-map", "1:a:0",
            "-c:v", "copy",
            "-af", "apad", "-t", f"{seconds:.3f}",
            "-c:a", "aac", "-b:a", AAC_BITRATE,
            "-movflags", "+faststart",
            out_path,
        ],
        log_path,
        "mux the audio",
    )
    os.remove(silent_path)
    return EncodedVideo(
        path=out_path, width=even_w, height=even_h, frames=count, seconds=seconds, size_bytes=os.path.getsize(out_path)
    )


def _encode_frames(frames: Iterator[np.ndarray], width: int, height: int, out_path: str, log_path: Optional[str]) -> int:
    even_w, even_h = width - width % 2, height - height % 2
    stderr_target = open(log_path, "ab") if log_path else subprocess.DEVNULL
    count = 0
    try:
        process = subprocess.Popen(
            [
                FFMPEG, "-nostdin", "-y", "-v", "error",
                "-f", "rawvideo", "-pix_fmt", "rgb24", "-s", f"{width}x{height}", "-r", str(FPS), "-i", "pipe:0",
                "-vf", f"crop={even_w}:{even_h}:0:0",
                "-c:v", "libx264", "-preset", X264_PRESET, "-crf", str(X264_CRF), "-pix_fmt", "yuv420p",
                out_path,
            ],
            stdin=subprocess.PIPE,
            stdout=subprocess.DEVNULL,
            stderr=stderr_target,  # a file, not a pipe: a full stderr pipe would deadlock the writes
        )
        assert process.stdin is not None
        try:
            for frame in frames:
                if frame.shape != (height, width, 3):
                    raise PipelineFailed(f"frame {count} is shaped {frame.shape}; expected {(height, width, 3)}.")
                process.stdin.write(np.ascontiguousarray(frame, dtype=np.uint8).tobytes())
                count += 1
        except BrokenPipeError:
            pass  # ffmpeg died; its exit code below explains why
        except BaseException:
            process.kill()
            process.wait()
            raise
        finally:
            try:
                process.stdin.close()
            except BrokenPipeError:
                pass
        code = process.wait()
    finally:
        if stderr_target is not subprocess.DEVNULL:
            stderr_target.close()  # type: ignore[union-attr]
    if code != 0:
        raise PipelineFailed(f"ffmpeg could not encode the video (exit {code}: {_log_tail(log_path)}).")
    return count


def _run_ffmpeg(command: list, log_path: Optional[str], what: str) -> None:
    stderr_target = open(log_path, "ab") if log_path else subprocess.DEVNULL
    try:
        code = subprocess.run(command, stdout=subprocess.DEVNULL, stderr=stderr_target, check=False, timeout=600).returncode
    finally:
        if stderr_target is not subprocess.DEVNULL:
            stderr_target.close()  # type: ignore[union-attr]
    if code != 0:
        raise PipelineFailed(f"ffmpeg could not {what} (exit {code}: {_log_tail(log_path)}).")


def _log_tail(log_path: Optional[str]) -> str:
    if not log_path or not os.path.exists(log_path):
        return "no details"
    with open(log_path, "rb") as handle:
        return _last_line(handle.read())


def _last_line(stderr: bytes) -> str:
    lines = [line.strip() for line in stderr.decode("utf-8", "replace").splitlines() if line.strip()]
    return lines[-1][:300] if lines else "no details"

