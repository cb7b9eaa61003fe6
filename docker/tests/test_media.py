"""media: image decoding, audio preparation and mp4 encoding with the real Pillow and ffmpeg."""

from __future__ import annotations

import io
import os
import wave

import numpy as np
import pytest
from PIL import Image

from .serving_fixtures import jpeg_bytes, png_bytes, probe, tone_bytes

from avatar_worker import media
from avatar_worker.errors import AudioTooLong, AudioTooShort, MediaUndecodable


def write(tmp_path: "os.PathLike[str]", name: str, data: bytes) -> str:
    path = os.path.join(str(tmp_path), name)
    with open(path, "wb") as handle:
        handle.write(data)
    return path


def test_decode_png_and_jpeg(tmp_path: "os.PathLike[str]") -> None:
    image = media.decode_image(write(tmp_path, "a", png_bytes(320, 180)), 10**7)
    assert image.mode == "RGB" and image.size == (320, 180)
    assert media.decode_image(write(tmp_path, "b", jpeg_bytes(240, 320)), 10**7).size == (240, 320)


def test_exif_orientation_is_applied(tmp_path: "os.PathLike[str]") -> None:
    buffer = io.BytesIO()
    exif = Image.Exif()
    exif[0x0112] = 6  # rotate 90° clockwise on display
    Image.new("RGB", (200, 100), (1, 2, 3)).save(buffer, format="JPEG", exif=exif)
    assert media.decode_image(write(tmp_path, "c", buffer.getvalue()), 10**7).size == (100, 200)


@pytest.mark.parametrize(
    "data",
    [
        b"hello, I am a text file\n" * 20,
        png_bytes()[:400],  # truncated PNG
        b"",
        tone_bytes(1.0, "wav"),
    ],
    ids=["text", "truncated-png", "empty", "wav"],
)
def test_non_images_are_refused(data: bytes, tmp_path: "os.PathLike[str]") -> None:
    with pytest.raises(MediaUndecodable):
        media.decode_image(write(tmp_path, "x", data), 10**7)


def test_decompression_bomb_is_refused_from_the_header(tmp_path: "os.PathLike[str]") -> None:
    buffer = io.BytesIO()
    Image.new("1", (6000, 6000)).save(buffer, format="PNG")  # 36 MP, a few KB on disk
    with pytest.raises(MediaUndecodable, match="pixel limit"):
        media.decode_image(write(tmp_path, "bomb", buffer.getvalue()), 10_000_000)


def test_gif_is_refused(tmp_path: "os.PathLike[str]") -> None:
    buffer = io.BytesIO()
    Image.new("RGB", (100, 100)).save(buffer, format="GIF")
    with pytest.raises(MediaUndecodable, match="GIF"):
        media.decode_image(write(tmp_path, "g", buffer.getvalue()), 10**7)


@pytest.mark.parametrize("fmt", ["wav", "mp3", "aac", "ogg"])
def test_prepare_audio_formats(fmt: str, tmp_path: "os.PathLike[str]") -> None:
    source = write(tmp_path, f"in.{fmt}", tone_bytes(4.0, fmt))
    out = os.path.join(str(tmp_path), "model.wav")
    prepared = media.prepare_audio(source, out, min_seconds=0.5, max_seconds=60)
    assert abs(prepared.seconds - 4.0) < 0.1
    assert prepared.model_seconds == pytest.approx(prepared.seconds)
    with open(out, "rb") as handle:
        header = handle.read(24)
    assert header[:4] == b"RIFF" and header[8:12] == b"WAVE"
    assert int.from_bytes(header[20:22], "little") == 3  # IEEE float
    info = probe(out)["streams"][0]
    assert info["sample_rate"] == "16000" and info["channels"] == 1


def test_short_audio_is_padded_to_the_model_minimum(tmp_path: "os.PathLike[str]") -> None:
    prepared = media.prepare_audio(write(tmp_path, "a.wav", tone_bytes(1.0)), os.path.join(str(tmp_path), "m.wav"), 0.5, 60)
    assert prepared.seconds == pytest.approx(1.0, abs=0.01)
    assert prepared.model_seconds >= 3.28
    assert int(prepared.model_seconds * 25) >= 82  # InfiniteTalk's real requirement


def test_too_short_and_too_long(tmp_path: "os.PathLike[str]") -> None:
    with pytest.raises(AudioTooShort):
        media.prepare_audio(write(tmp_path, "s.wav", tone_bytes(0.2)), os.path.join(str(tmp_path), "m.wav"), 0.5, 60)
    with pytest.raises(AudioTooLong, match="max_duration_seconds"):
        media.prepare_audio(write(tmp_path, "l.wav", tone_bytes(6.0)), os.path.join(str(tmp_path), "m.wav"), 0.5, 5)


def test_png_and_empty_wav_are_not_audio(tmp_path: "os.PathLike[str]") -> None:
    with pytest.raises(MediaUndecodable):
        media.prepare_audio(write(tmp_path, "p", png_bytes()), os.path.join(str(tmp_path), "m.wav"), 0.5, 60)
    empty = io.BytesIO()
    with wave.open(empty, "wb") as w:
        w.setnchannels(1)
        w.setsampwidth(2)
        w.setframerate(16000)
    with pytest.raises(MediaUndecodable):
        media.prepare_audio(write(tmp_path, "e.wav", empty.getvalue()), os.path.join(str(tmp_path), "m.wav"), 0.5, 60)


def test_encode_tensor_layout_with_original_audio(tmp_path: "os.PathLike[str]") -> None:
    frames = 50
    video = np.linspace(-1, 1, 3 * frames * 64 * 96, dtype=np.float32).reshape(3, frames, 64, 96)
    audio = write(tmp_path, "a.mp3", tone_bytes(3.0, "mp3"))
    out = os.path.join(str(tmp_path), "v.mp4")
    encoded = media.encode_video(video, audio, out)
    assert (encoded.width, encoded.height, encoded.frames) == (96, 64, 50)
    info = probe(out)
    streams = {s["codec_type"]: s for s in info["streams"]}
    assert streams["video"]["codec_name"] == "h264" and streams["video"]["pix_fmt"] == "yuv420p"
    assert streams["audio"]["codec_name"] == "aac"
    # 3 s of audio cut to the 2 s of video.
    assert abs(float(info["format"]["duration"]) - 2.0) < 0.1


def test_encode_crops_odd_sizes_and_pads_short_audio(tmp_path: "os.PathLike[str]") -> None:
    frames = [np.full((65, 99, 3), i * 3, dtype=np.uint8) for i in range(75)]
    encoded = media.encode_video(iter(frames), write(tmp_path, "a.wav", tone_bytes(1.0)), os.path.join(str(tmp_path), "v.mp4"))
    assert (encoded.width, encoded.height) == (98, 64)
    info = probe(encoded.path)
    audio = [s for s in info["streams"] if s["codec_type"] == "audio"][0]
    assert abs(float(audio["duration"]) - 3.0) < 0.1  # silence-padded to the video
