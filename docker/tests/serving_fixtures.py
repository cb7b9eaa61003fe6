"""Fixtures for the serving tests; test modules import the fixtures they use by name.

Everything here is real and on 127.0.0.1: generated media (Pillow, ffmpeg), a threaded HTTP file
server, a moto S3 server, a tiny model volume with a valid lock, and the RunPod SDK's own local
API server running ``docker/handler.py`` in a subprocess.
"""

from __future__ import annotations

import base64
import hashlib
import io
import json
import os
import socket
import subprocess
import sys
import threading
import time
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from typing import Callable, Dict, Iterator, List, Optional, Tuple

import pytest
import requests
from PIL import Image

DOCKER_DIR = os.path.dirname(os.path.dirname(os.path.abspath(__file__)))
if DOCKER_DIR not in sys.path:
    sys.path.insert(0, DOCKER_DIR)

from avatar_worker.manifest import manifest_sha256  # noqa: E402

TEST_BUCKET = "avatar-test-videos"
S3_KEY_ID = "testing-access-key"
S3_SECRET = "testing-secret-key-never-logged"


# --- media -----------------------------------------------------------------------------------------


def png_bytes(width: int = 320, height: int = 180, color: Tuple[int, int, int] = (40, 90, 160)) -> bytes:
    """A real PNG with a gradient (so encoders see detail)."""
    image = Image.new("RGB", (width, height), color)
    for x in range(0, width, 8):
        for y in range(0, height, 8):
            image.putpixel((x, y), ((x * 3) % 256, (y * 5) % 256, 128))
    buffer = io.BytesIO()
    image.save(buffer, format="PNG")
    return buffer.getvalue()


def jpeg_bytes(width: int = 240, height: int = 320) -> bytes:
    """A real JPEG (portrait)."""
    buffer = io.BytesIO()
    Image.new("RGB", (width, height), (200, 120, 60)).save(buffer, format="JPEG", quality=90)
    return buffer.getvalue()


def tone_bytes(seconds: float, fmt: str = "wav", frequency: int = 330) -> bytes:
    """A speech-like tone (sine with a 3 Hz amplitude wobble) encoded by ffmpeg as ``fmt``."""
    codec = {"wav": ["-c:a", "pcm_s16le"], "mp3": ["-c:a", "libmp3lame"], "aac": ["-c:a", "aac"], "ogg": ["-c:a", "libvorbis"]}[fmt]
    muxer = {"wav": "wav", "mp3": "mp3", "aac": "adts", "ogg": "ogg"}[fmt]
    result = subprocess.run(
        [
            "ffmpeg", "-nostdin", "-v", "error", "-f", "lavfi",
            "-i", f"sine=frequency={frequency}:sample_rate=44100:duration={seconds}",
            "-af", "volume='0.3+0.7*abs(sin(3*PI*t))':eval=frame", "-ac", "2",
            *codec, "-f", muxer, "pipe:1",
        ],
        capture_output=True,
        check=True,
    )
    return result.stdout


def b64(data: bytes) -> str:
    """Plain base64 text."""
    return base64.b64encode(data).decode("ascii")


def probe(path_or_url: str) -> dict:
    """ffprobe a file or URL; return streams and format."""
    result = subprocess.run(
        ["ffprobe", "-v", "error", "-show_streams", "-show_format", "-of", "json", path_or_url],
        capture_output=True, check=True,
    )
    return json.loads(result.stdout)


# --- loopback HTTP file server -------------------------------------------------------------------------


class FileServer:
    """Serves registered bodies and redirects on 127.0.0.1; counts requests per path."""

    def __init__(self) -> None:
        self.routes: Dict[str, Callable[[BaseHTTPRequestHandler], None]] = {}
        self.hits: Dict[str, int] = {}
        outer = self

        class Handler(BaseHTTPRequestHandler):
            def do_GET(self) -> None:  # noqa: N802 (http.server API)
                path = self.path.split("?", 1)[0]
                outer.hits[path] = outer.hits.get(path, 0) + 1
                route = outer.routes.get(path)
                if route is None:
                    self.send_error(404)
                    return
                route(self)

            def log_message(self, *args: object) -> None:
                pass

        self.httpd = ThreadingHTTPServer(("127.0.0.1", 0), Handler)
        self.httpd.daemon_threads = True
        self.port = self.httpd.server_address[1]
        self.thread = threading.Thread(target=self.httpd.serve_forever, daemon=True)
        self.thread.start()

    def url(self, path: str) -> str:
        """Absolute URL of ``path`` on this server."""
        return f"http://127.0.0.1:{self.port}{path}"

    def add(self, path: str, body: bytes, content_type: str = "application/octet-stream") -> str:
        """Serve ``body`` at ``path``; return its URL."""

        def route(handler: BaseHTTPRequestHandler) -> None:
            handler.send_response(200)
            handler.send_header("Content-Type", content_type)
            handler.send_header("Content-Length", str(len(body)))
            handler.end_headers()
            handler.wfile.write(body)

        self.routes[path] = route
        return self.url(path)

    def add_redirect(self, path: str, location: str, status: int = 302) -> str:
        """Answer ``path`` with a redirect to ``location``."""

        def route(handler: BaseHTTPRequestHandler) -> None:
            handler.send_response(status)
            handler.send_header("Location", location)
            handler.send_header("Content-Length", "0")
            handler.end_headers()

        self.routes[path] = route
        return self.url(path)

    def add_streaming(self, path: str, total_bytes: int, announce_length: bool) -> str:
        """Serve ``total_bytes`` zero bytes in chunks, with or without Content-Length."""

        def route(handler: BaseHTTPRequestHandler) -> None:
            handler.send_response(200)
            if announce_length:
                handler.send_header("Content-Length", str(total_bytes))
            handler.end_headers()
            sent = 0
            try:
                while sent < total_bytes:
                    chunk = b"\0" * min(65536, total_bytes - sent)
                    handler.wfile.write(chunk)
                    sent += len(chunk)
            except (BrokenPipeError, ConnectionResetError):
                pass

        self.routes[path] = route
        return self.url(path)

    def close(self) -> None:
        """Stop serving."""
        self.httpd.shutdown()
        self.httpd.server_close()


@pytest.fixture(scope="session")
def file_server() -> Iterator[FileServer]:
    """A loopback HTTP server for job inputs."""
    server = FileServer()
    yield server
    server.close()


# --- moto S3 -----------------------------------------------------------------------------------------


@pytest.fixture(scope="session")
def s3_server() -> Iterator[str]:
    """A moto S3 server on 127.0.0.1 with the test bucket; yields its endpoint URL."""
    from moto.server import ThreadedMotoServer
    import boto3

    server = ThreadedMotoServer(ip_address="127.0.0.1", port=0, verbose=False)
    server.start()
    host, port = server.get_host_and_port()
    endpoint = f"http://{host}:{port}"
    client = boto3.client(
        "s3", endpoint_url=endpoint, aws_access_key_id=S3_KEY_ID,
        aws_secret_access_key=S3_SECRET, region_name="us-east-1",
    )
    client.create_bucket(Bucket=TEST_BUCKET)
    yield endpoint
    server.stop()


def bucket_env(endpoint: str) -> Dict[str, str]:
    """Worker environment for delivery to the moto bucket."""
    return {
        "BUCKET_ENDPOINT_URL": endpoint,
        "BUCKET_ACCESS_KEY_ID": S3_KEY_ID,
        "BUCKET_SECRET_ACCESS_KEY": S3_SECRET,
        "BUCKET_NAME": TEST_BUCKET,
        "BUCKET_KEY_PREFIX": "videos/",
    }


# --- tiny model volume ---------------------------------------------------------------------------


def tiny_manifest() -> dict:
    """A manifest (docs/CONTRACTS.md §1) for a volume of a few bytes."""
    return {
        "formatVersion": 1,
        "modelSet": "fp8",
        "models": [
            {
                "name": "tiny-wan",
                "repo": "example/tiny-wan",
                "revision": "a" * 40,
                "revisionPinned": True,
                "include": ["config.json"],
                "exclude": [],
                "directory": "Wan2.1-I2V-14B-480P",
                "expectedBytes": 2,
            },
            {
                "name": "tiny-wav2vec",
                "repo": "example/tiny-wav2vec",
                "revision": "b" * 40,
                "revisionPinned": True,
                "include": ["config.json"],
                "exclude": [],
                "directory": "chinese-wav2vec2-base",
                "expectedBytes": 2,
            },
            {
                "name": "tiny-infinitetalk",
                "repo": "example/tiny-infinitetalk",
                "revision": "c" * 40,
                "revisionPinned": True,
                "include": ["single/infinitetalk.safetensors"],
                "exclude": [],
                "directory": "InfiniteTalk",
                "expectedBytes": 2,
            },
        ],
        "pipeline": {
            "checkpointDirectory": "Wan2.1-I2V-14B-480P",
            "wav2vecDirectory": "chinese-wav2vec2-base",
            "quantization": None,
            "quantizedDitFile": None,
            "infiniteTalkFile": "InfiniteTalk/single/infinitetalk.safetensors",
            "loraFiles": [],
            "loraScales": [],
        },
        "expectedBytes": 6,
    }


def write_tiny_volume(root: str) -> Dict[str, str]:
    """Write the tiny manifest's files and a valid lock under ``root``; return the worker env."""
    manifest = tiny_manifest()
    digest = manifest_sha256(manifest)
    lock_models: List[dict] = []
    total = 0
    for model in manifest["models"]:
        # Every model of the tiny set includes exactly one literal file of two bytes.
        (relative,) = model["include"]
        path = os.path.join(root, model["directory"], relative)
        os.makedirs(os.path.dirname(path), exist_ok=True)
        body = b"{}"
        with open(path, "wb") as handle:
            handle.write(body)
        total += len(body)
        lock_models.append({
            "name": model["name"], "repo": model["repo"], "revision": model["revision"],
            "commit": model["revision"], "directory": model["directory"],
            "files": [{"path": relative, "size": len(body), "sha256": hashlib.sha256(body).hexdigest()}],
        })
    lock = {
        "formatVersion": 1, "manifestSha256": digest, "completedAt": "2026-11-29T03:17:49Z",
        "models": lock_models, "totalBytes": total,
    }
    with open(os.path.join(root, "avatar-models.lock.json"), "w") as handle:
        json.dump(lock, handle)
    return {
        "AVATAR_MODEL_MANIFEST": json.dumps(manifest),
        "AVATAR_MODEL_MANIFEST_SHA256": digest,
        "AVATAR_MODEL_ROOT": root,
    }


@pytest.fixture(scope="session")
def tiny_volume(tmp_path_factory: pytest.TempPathFactory) -> Dict[str, str]:
    """Environment pointing at a tiny, verified model volume."""
    return write_tiny_volume(str(tmp_path_factory.mktemp("volume")))


# --- the SDK's local API server ------------------------------------------------------------------------


def free_port() -> int:
    """A TCP port free on 127.0.0.1 right now."""
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return int(sock.getsockname()[1])


class WorkerServer:
    """``python docker/handler.py --rp_serve_api`` in a subprocess, with its log captured."""

    def __init__(self, env: Dict[str, str], log_path: str) -> None:
        self.port = free_port()
        self.log_path = log_path
        self._log = open(log_path, "wb")
        full_env = {k: v for k, v in os.environ.items() if not k.startswith(("AVATAR_", "BUCKET_", "RUNPOD_"))}
        full_env.update(env)
        self.process = subprocess.Popen(
            [sys.executable, os.path.join(DOCKER_DIR, "handler.py"), "--rp_serve_api",
             "--rp_api_host", "127.0.0.1", "--rp_api_port", str(self.port)],
            env=full_env, stdout=self._log, stderr=subprocess.STDOUT, cwd=DOCKER_DIR,
        )
        self.base = f"http://127.0.0.1:{self.port}"
        self._wait_ready()

    def _wait_ready(self, timeout: float = 60.0) -> None:
        deadline = time.monotonic() + timeout
        while time.monotonic() < deadline:
            if self.process.poll() is not None:
                raise RuntimeError(f"worker exited with {self.process.returncode}:\n{self.log_text()}")
            try:
                if requests.get(f"{self.base}/openapi.json", timeout=1).status_code == 200:
                    return
            except requests.ConnectionError:
                time.sleep(0.2)
        raise RuntimeError(f"worker did not start:\n{self.log_text()}")

    def runsync(self, job_input: dict, timeout: float = 300.0) -> dict:
        """POST /runsync and return the JSON body."""
        response = requests.post(f"{self.base}/runsync", json={"input": job_input}, timeout=timeout)
        response.raise_for_status()
        return dict(response.json())

    def log_text(self) -> str:
        """Everything the worker printed so far."""
        self._log.flush()
        with open(self.log_path, "rb") as handle:
            return handle.read().decode("utf-8", "replace")

    def stop(self) -> None:
        """Terminate the worker process (only this one)."""
        if self.process.poll() is None:
            self.process.terminate()
            try:
                self.process.wait(timeout=10)
            except subprocess.TimeoutExpired:
                self.process.kill()
                self.process.wait()
        self._log.close()


def job_error(body: dict) -> Optional[dict]:
    """The ``{"code","message"}`` of a FAILED job (``error`` is JSON text), else None."""
    if body.get("status") != "FAILED":
        return None
    return dict(json.loads(body["error"]))
