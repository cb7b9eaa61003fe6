"""A loopback Hugging Face Hub for tests: real HTTP on 127.0.0.1, the endpoints huggingface_hub calls.

Written against huggingface_hub 0.36.2 (the image's pin; read in its source):

* ``HfApi.model_info(repo, revision=..., files_metadata=True)`` ->
  ``GET /api/models/{repo}[/revision/{quoted rev}]?blobs=True``, JSON with ``id``, ``sha`` and
  ``siblings`` ``[{rfilename, size, blobId, lfs: {sha256, size, pointerSize}}]``. Errors carry
  ``X-Error-Code`` (``RepoNotFound``, ``RevisionNotFound``) and ``X-Error-Message`` as
  ``hf_raise_for_status`` expects.
* ``hf_hub_url`` / ``hf_hub_download`` -> ``HEAD|GET /{repo}/resolve/{quoted rev}/{path}``. Files
  stored in git answer 200 with ``ETag`` (git blob id), ``X-Repo-Commit``, ``Content-Length``;
  LFS files answer 302 to ``/cdn/{sha256}`` (like the Hub's CDN redirect) with ``X-Linked-Etag``
  (sha256) and ``X-Linked-Size``, which ``get_hf_file_metadata`` prefers.
* Content is served with ``Accept-Ranges: bytes`` and honours ``Range: bytes=N-`` with 206.

Faults are scripted per file path on :class:`Faults` and every request is logged in
:attr:`HubFixture.requests` so tests can assert what the client did (e.g. ``Range: bytes=N-``).
"""

from __future__ import annotations

import hashlib
import json
import random
import re
import threading
import time
from dataclasses import dataclass, field
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from typing import Dict, List, Optional, Tuple
from urllib.parse import parse_qs, quote, unquote, urlsplit

HUGGINGFACE_HUB_VERSION_TARGETED = "0.36.2"
MIB = 1024 * 1024
_SEND_CHUNK = 64 * 1024


def deterministic_bytes(seed: str, size: int) -> bytes:
    """Pseudo-random, reproducible content (incompressible, so no accidental shortcuts)."""
    generator = random.Random(seed)
    block = 16 * MIB  # randbytes() overflows above 256 MiB in one call
    return b"".join(generator.randbytes(min(block, size - offset)) for offset in range(0, size, block))


def git_blob_id(content: bytes) -> str:
    """git's object id of a blob: sha1 of ``blob <size>\\0`` + content."""
    return hashlib.sha1(b"blob %d\x00" % len(content) + content).hexdigest()  # noqa: S324


@dataclass(frozen=True)
class HubFile:
    """One file of a repository snapshot."""

    path: str
    content: bytes
    lfs: bool

    @property
    def size(self) -> int:
        return len(self.content)

    @property
    def sha256(self) -> str:
        return hashlib.sha256(self.content).hexdigest()

    @property
    def pointer(self) -> bytes:
        """The git-lfs pointer file that git stores instead of the content."""
        return f"version https://git-lfs.github.com/spec/v1\noid sha256:{self.sha256}\nsize {self.size}\n".encode()

    @property
    def blob_id(self) -> str:
        return git_blob_id(self.pointer if self.lfs else self.content)

    def sibling(self) -> Dict[str, object]:
        """The ``siblings`` entry of ``/api/models`` with ``blobs=True``."""
        entry: Dict[str, object] = {"rfilename": self.path, "size": self.size, "blobId": self.blob_id}
        if self.lfs:
            entry["lfs"] = {"sha256": self.sha256, "size": self.size, "pointerSize": len(self.pointer)}
        return entry


@dataclass
class HubRepo:
    """A repository: revisions (branch names, ``refs/pr/N``) point at commits; commits hold files."""

    repo_id: str
    refs: Dict[str, str] = field(default_factory=dict)
    commits: Dict[str, Dict[str, HubFile]] = field(default_factory=dict)
    private: bool = False

    def add_commit(self, revision: str, files: List[HubFile]) -> str:
        commit = hashlib.sha1(f"{self.repo_id}@{revision}".encode()).hexdigest()  # noqa: S324
        self.refs[revision] = commit
        self.commits[commit] = {f.path: f for f in files}
        return commit

    def lookup(self, revision: str) -> Optional[Tuple[str, Dict[str, HubFile]]]:
        commit = self.refs.get(revision, revision)
        files = self.commits.get(commit)
        return None if files is None else (commit, files)


@dataclass
class Faults:
    """Scriptable misbehaviour, keyed by repository file path (e.g. ``Wan2.1_VAE.pth``).

    Counters (``fail_after_bytes`` times, ``corrupt`` times, statuses) are consumed per request;
    ``-1`` means every time.
    """

    #: path -> (bytes to send, times): send that many bytes of the body, then drop the connection.
    fail_after_bytes: Dict[str, Tuple[int, int]] = field(default_factory=dict)
    #: path -> bytes: send that many bytes, then block until :attr:`release` is set (kill/stall tests).
    pause_after_bytes: Dict[str, int] = field(default_factory=dict)
    release: threading.Event = field(default_factory=threading.Event)
    #: path -> times: flip bytes in the body.
    corrupt: Dict[str, int] = field(default_factory=dict)
    #: paths whose content requests ignore ``Range`` (answer 200 with the whole file).
    ignore_range: set = field(default_factory=set)
    #: repo id -> list of statuses returned by /api/models before answering normally (-1 entries repeat).
    api_status: Dict[str, List[int]] = field(default_factory=dict)
    #: path -> list of statuses returned for content requests before answering normally.
    content_status: Dict[str, List[int]] = field(default_factory=dict)
    #: when set, private repos need ``Authorization: Bearer <token>``.
    token: Optional[str] = None


@dataclass(frozen=True)
class RequestRecord:
    """What the server saw and did for one request."""

    method: str
    path: str
    kind: str  # api, resolve, cdn
    file: Optional[str]
    range: Optional[str]
    status: int
    body_bytes: int
    authorization: bool


class HubFixture:
    """Owns the server thread, the repositories, the faults and the request log."""

    def __init__(self) -> None:
        self.repos: Dict[str, HubRepo] = {}
        self.faults = Faults()
        self.requests: List[RequestRecord] = []
        self._lock = threading.Lock()
        self._blobs: Dict[str, Tuple[HubFile, str]] = {}
        self._server: Optional[ThreadingHTTPServer] = None
        self._thread: Optional[threading.Thread] = None

    # --- content --------------------------------------------------------------------------------

    def add_repo(self, repo: HubRepo) -> HubRepo:
        self.repos[repo.repo_id] = repo
        for files in repo.commits.values():
            for f in files.values():
                if f.lfs:
                    self._blobs[f.sha256] = (f, repo.repo_id)
        return repo

    def file(self, repo_id: str, path: str, revision: str = "main") -> HubFile:
        found = self.repos[repo_id].lookup(revision)
        assert found is not None
        return found[1][path]

    # --- lifecycle ------------------------------------------------------------------------------

    def start(self) -> "HubFixture":
        fixture = self

        class Handler(_Handler):
            hub = fixture

        self._server = ThreadingHTTPServer(("127.0.0.1", 0), Handler)
        self._server.daemon_threads = True
        self._thread = threading.Thread(target=self._server.serve_forever, name="hf-fixture", daemon=True)
        self._thread.start()
        return self

    def stop(self) -> None:
        self.faults.release.set()
        if self._server is not None:
            self._server.shutdown()
            self._server.server_close()

    @property
    def url(self) -> str:
        assert self._server is not None
        host, port = self._server.server_address[:2]
        return f"http://{host}:{port}"

    # --- log helpers ----------------------------------------------------------------------------

    def record(self, entry: RequestRecord) -> None:
        with self._lock:
            self.requests.append(entry)

    def content_requests(self, file: Optional[str] = None) -> List[RequestRecord]:
        """Requests that transfer file content (GET on cdn or a 200/206 resolve)."""
        with self._lock:
            return [
                r
                for r in self.requests
                if r.method == "GET" and r.kind in ("cdn", "resolve-content") and (file is None or r.file == file)
            ]

    def clear_log(self) -> None:
        with self._lock:
            self.requests.clear()

    def take_status(self, table: Dict[str, List[int]], key: str) -> Optional[int]:
        """Pop the next scripted status for ``key``; a negative entry repeats forever (abs value)."""
        with self._lock:
            queue = table.get(key)
            if not queue:
                return None
            status = queue[0]
            if status < 0:
                return -status
            queue.pop(0)
            return status

    def take_count(self, table: Dict[str, int], key: str) -> bool:
        with self._lock:
            left = table.get(key, 0)
            if left == 0:
                return False
            if left > 0:
                table[key] = left - 1
            return True

    def take_fail_after(self, key: str) -> Optional[int]:
        with self._lock:
            entry = self.faults.fail_after_bytes.get(key)
            if not entry or entry[1] == 0:
                return None
            count, times = entry
            if times > 0:
                self.faults.fail_after_bytes[key] = (count, times - 1)
            return count


_RANGE = re.compile(r"^bytes=(\d+)-(\d*)$")


class _Handler(BaseHTTPRequestHandler):
    hub: HubFixture
    protocol_version = "HTTP/1.1"

    def log_message(self, format: str, *args: object) -> None:  # noqa: A002 - quiet test output
        return

    def do_HEAD(self) -> None:  # noqa: N802
        self._dispatch(head=True)

    def do_GET(self) -> None:  # noqa: N802
        self._dispatch(head=False)

    # --- routing --------------------------------------------------------------------------------

    def _dispatch(self, head: bool) -> None:
        split = urlsplit(self.path)
        raw_path = split.path
        try:
            if raw_path.startswith("/api/models/"):
                self._model_info(raw_path[len("/api/models/") :], parse_qs(split.query), head)
            elif raw_path.startswith("/cdn/"):
                self._cdn(raw_path[len("/cdn/") :], head)
            elif "/resolve/" in raw_path:
                self._resolve(raw_path, head)
            else:
                self._error(404, "EntryNotFound", "no such endpoint", kind="other", head=head)
        except (BrokenPipeError, ConnectionResetError):
            pass

    def _authorized(self, repo: HubRepo) -> Tuple[bool, Optional[str]]:
        token = self.hub.faults.token
        header = self.headers.get("Authorization")
        if not repo.private or token is None:
            return True, None
        if header is None:
            return False, None
        if header != f"Bearer {token}":
            return False, "Invalid credentials in Authorization header"
        return True, None

    def _model_info(self, rest: str, query: Dict[str, List[str]], head: bool) -> None:
        if "/revision/" in rest:
            repo_part, revision = rest.split("/revision/", 1)
            revision = unquote(revision)
        else:
            repo_part, revision = rest, "main"
        repo_id = unquote(repo_part)
        forced = self.hub.take_status(self.hub.faults.api_status, repo_id)
        if forced is not None:
            self._error(forced, None, f"scripted {forced}", kind="api", head=head)
            return
        repo = self.hub.repos.get(repo_id)
        if repo is None:
            self._error(404, "RepoNotFound", "Repository not found", kind="api", head=head)
            return
        allowed, reason = self._authorized(repo)
        if not allowed:
            self._error(401, "RepoNotFound" if reason is None else None, reason or "Repository not found", kind="api", head=head)
            return
        found = repo.lookup(revision)
        if found is None:
            self._error(404, "RevisionNotFound", f"Invalid rev id: {revision}", kind="api", head=head)
            return
        commit, files = found
        with_blobs = query.get("blobs", ["false"])[0].lower() == "true"
        siblings = [f.sibling() if with_blobs else {"rfilename": f.path} for f in files.values()]
        body = json.dumps(
            {
                "_id": hashlib.md5(repo_id.encode()).hexdigest()[:24],  # noqa: S324
                "id": repo_id,
                "modelId": repo_id,
                "author": repo_id.split("/")[0],
                "sha": commit,
                "lastModified": "2025-08-25T00:00:00.000Z",
                "private": repo.private,
                "gated": False,
                "disabled": False,
                "downloads": 0,
                "likes": 0,
                "tags": [],
                "siblings": siblings,
            }
        ).encode()
        self.send_response(200)
        self.send_header("Content-Type", "application/json; charset=utf-8")
        self.send_header("Content-Length", str(len(body)))
        self.end_headers()
        if not head:
            self.wfile.write(body)
        self._record("api", None, 200, 0 if head else len(body))

    def _resolve(self, raw_path: str, head: bool) -> None:
        repo_part, rest = raw_path.lstrip("/").split("/resolve/", 1)
        repo_id = unquote(repo_part)
        revision_quoted, _, file_quoted = rest.partition("/")
        revision, path = unquote(revision_quoted), unquote(file_quoted)
        repo = self.hub.repos.get(repo_id)
        if repo is None:
            self._error(404, "RepoNotFound", "Repository not found", kind="resolve", head=head, file=path)
            return
        allowed, reason = self._authorized(repo)
        if not allowed:
            self._error(401, "RepoNotFound" if reason is None else None, reason or "Repository not found", kind="resolve", head=head, file=path)
            return
        found = repo.lookup(revision)
        if found is None:
            self._error(404, "RevisionNotFound", f"Invalid rev id: {revision}", kind="resolve", head=head, file=path)
            return
        commit, files = found
        hub_file = files.get(path)
        if hub_file is None:
            self._error(404, "EntryNotFound", f"{path} does not exist", kind="resolve", head=head, file=path)
            return
        forced = self.hub.take_status(self.hub.faults.content_status, path)
        if forced is not None:
            self._error(forced, None, f"scripted {forced}", kind="resolve", head=head, file=path)
            return
        if hub_file.lfs:
            location = f"{self.hub.url}/cdn/{hub_file.sha256}?file={quote(path)}"
            self.send_response(302)
            self.send_header("Location", location)
            self.send_header("X-Repo-Commit", commit)
            self.send_header("ETag", f'"{hub_file.blob_id}"')
            self.send_header("X-Linked-Etag", f'"{hub_file.sha256}"')
            self.send_header("X-Linked-Size", str(hub_file.size))
            self.send_header("Content-Length", "0")
            self.end_headers()
            self._record("resolve", path, 302, 0)
            return
        self._send_content(hub_file, commit, etag=hub_file.blob_id, head=head, kind="resolve-content")

    def _cdn(self, rest: str, head: bool) -> None:
        sha256 = rest.split("?", 1)[0]
        entry = self.hub._blobs.get(sha256)
        if entry is None:
            self._error(404, None, "no such blob", kind="cdn", head=head)
            return
        hub_file, _repo = entry
        forced = self.hub.take_status(self.hub.faults.content_status, hub_file.path)
        if forced is not None:
            self._error(forced, None, f"scripted {forced}", kind="cdn", head=head, file=hub_file.path)
            return
        self._send_content(hub_file, None, etag=hub_file.sha256, head=head, kind="cdn")

    # --- content with faults --------------------------------------------------------------------

    def _send_content(self, hub_file: HubFile, commit: Optional[str], *, etag: str, head: bool, kind: str) -> None:
        faults = self.hub.faults
        content = hub_file.content
        start = 0
        status = 200
        range_header = self.headers.get("Range")
        if range_header and hub_file.path not in faults.ignore_range:
            match = _RANGE.match(range_header.strip())
            if match:
                start = int(match.group(1))
                if start >= len(content):
                    self.send_response(416)
                    self.send_header("Content-Range", f"bytes */{len(content)}")
                    self.send_header("Content-Length", "0")
                    self.end_headers()
                    self._record(kind, hub_file.path, 416, 0)
                    return
                status = 206
        body = content[start:]
        if not head and self.hub.take_count(faults.corrupt, hub_file.path):
            middle = len(body) // 2
            body = body[:middle] + bytes([body[middle] ^ 0xFF]) + body[middle + 1 :] if body else body
        self.send_response(status)
        self.send_header("Content-Type", "application/octet-stream")
        self.send_header("Content-Length", str(len(body)))
        self.send_header("Accept-Ranges", "bytes")
        self.send_header("ETag", f'"{etag}"')
        if commit:
            self.send_header("X-Repo-Commit", commit)
        if status == 206:
            self.send_header("Content-Range", f"bytes {start}-{len(content) - 1}/{len(content)}")
        self.end_headers()
        if head:
            self._record(kind, hub_file.path, status, 0)
            return
        fail_after = self.hub.take_fail_after(hub_file.path)
        pause_at = faults.pause_after_bytes.get(hub_file.path)
        sent = 0
        try:
            while sent < len(body):
                absolute = start + sent
                if pause_at is not None and start < pause_at <= absolute:
                    self.wfile.flush()
                    faults.release.wait(timeout=60)
                    pause_at = None
                    continue
                limit = len(body)
                if fail_after is not None:
                    limit = min(limit, max(fail_after - start, 0))
                if pause_at is not None and start < pause_at:
                    limit = min(limit, pause_at - start)
                if sent >= limit:
                    break  # fail_after reached: drop the connection
                chunk = body[sent : min(sent + _SEND_CHUNK, limit)]
                self.wfile.write(chunk)
                sent += len(chunk)
            self.wfile.flush()
        except (BrokenPipeError, ConnectionResetError):
            pass
        if sent < len(body):
            self.close_connection = True
            try:
                self.connection.shutdown(2)
            except OSError:
                pass
        self._record(kind, hub_file.path, status, sent)

    # --- plumbing -------------------------------------------------------------------------------

    def _error(
        self, status: int, code: Optional[str], message: str, *, kind: str, head: bool, file: Optional[str] = None
    ) -> None:
        body = json.dumps({"error": message}).encode()
        self.send_response(status)
        if code:
            self.send_header("X-Error-Code", code)
        self.send_header("X-Error-Message", message)
        self.send_header("Content-Type", "application/json")
        self.send_header("Content-Length", str(len(body)))
        self.end_headers()
        if not head:
            self.wfile.write(body)
        self._record(kind, file, status, 0)

    def _record(self, kind: str, file: Optional[str], status: int, body_bytes: int) -> None:
        self.hub.record(
            RequestRecord(
                method=self.command,
                path=self.path,
                kind=kind,
                file=file,
                range=self.headers.get("Range"),
                status=status,
                body_bytes=body_bytes,
                authorization=self.headers.get("Authorization") is not None,
            )
        )


# =================================================================================================
# The standard test world: the three repositories of the fp8 model set, scaled down.
# =================================================================================================

WAN_REPO = "Wan-AI/Wan2.1-I2V-14B-480P"
INFINITETALK_REPO = "MeiGen-AI/InfiniteTalk"
WAV2VEC_REPO = "TencentGameMate/chinese-wav2vec2-base"
LARGE_FILE = "quant_models/infinitetalk_single_fp8.safetensors"
LARGE_FILE_SIZE = 24 * MIB


def _json_file(path: str, document: object) -> HubFile:
    return HubFile(path, json.dumps(document, indent=2).encode(), lfs=False)


def _blob(path: str, size: int) -> HubFile:
    return HubFile(path, deterministic_bytes(path, size), lfs=True)


def standard_world(fixture: HubFixture, *, large_file_size: int = LARGE_FILE_SIZE) -> HubFixture:
    """Populate ``fixture`` with scaled-down Wan, InfiniteTalk and wav2vec repositories."""
    wan = HubRepo(WAN_REPO)
    wan.add_commit(
        "main",
        [
            _json_file("config.json", {"_class_name": "WanModel", "dim": 5120, "num_layers": 40}),
            _blob("Wan2.1_VAE.pth", 6 * MIB + 123),
            _json_file("google/umt5-xxl/tokenizer_config.json", {"model_max_length": 512}),
            _blob("google/umt5-xxl/spiece.model", 1 * MIB + 7),
            _blob("examples/i2v_input.JPG", 300_000),
            _blob("assets/logo.png", 200_000),
            HubFile("README.md", b"# Wan2.1\n", lfs=False),
        ],
    )
    infinitetalk = HubRepo(INFINITETALK_REPO)
    infinitetalk.add_commit(
        "main",
        [
            _blob(LARGE_FILE, large_file_size),
            _json_file("quant_models/infinitetalk_single_fp8.json", {"blocks.0.attn": "fp8"}),
            _blob("quant_models/t5_fp8.safetensors", 4 * MIB + 1),
            _json_file("quant_models/t5_map_fp8.json", {"encoder": "fp8"}),
            _blob("single/infinitetalk.safetensors", 2 * MIB),
            _blob("comfyui/infinitetalk_single.safetensors", 1 * MIB),
        ],
    )
    wav2vec_main = [
        _json_file("config.json", {"model_type": "wav2vec2", "hidden_size": 768}),
        _json_file("preprocessor_config.json", {"sampling_rate": 16000}),
        _blob("pytorch_model.bin", 1 * MIB + 3),
    ]
    wav2vec = HubRepo(WAV2VEC_REPO)
    wav2vec.add_commit("main", wav2vec_main)
    wav2vec.add_commit("refs/pr/1", [*wav2vec_main, _blob("model.safetensors", 2 * MIB + 5)])
    for repo in (wan, infinitetalk, wav2vec):
        fixture.add_repo(repo)
    return fixture


def standard_manifest() -> Dict[str, object]:
    """A manifest (docs/CONTRACTS.md section 1) for :func:`standard_world`."""
    return {
        "formatVersion": 1,
        "modelSet": "fp8",
        "models": [
            {
                "name": "wan-i2v-14b-480p",
                "repo": WAN_REPO,
                "revision": "main",
                "revisionPinned": False,
                "include": ["config.json", "Wan2.1_VAE.pth", "google/umt5-xxl/*"],
                "exclude": ["examples/*", "assets/*"],
                "directory": "Wan2.1-I2V-14B-480P",
                "expectedBytes": 7_400_000,
            },
            {
                "name": "infinitetalk-fp8",
                "repo": INFINITETALK_REPO,
                "revision": "main",
                "revisionPinned": False,
                "include": ["quant_models/infinitetalk_single_fp8.*", "quant_models/t5_*"],
                "exclude": None,
                "directory": "InfiniteTalk",
                "expectedBytes": 29_400_000,
            },
            {
                "name": "wav2vec-config",
                "repo": WAV2VEC_REPO,
                "revision": "main",
                "revisionPinned": False,
                "include": ["config.json", "preprocessor_config.json"],
                "exclude": None,
                "directory": "chinese-wav2vec2-base",
                "expectedBytes": 200,
            },
            {
                "name": "wav2vec-safetensors",
                "repo": WAV2VEC_REPO,
                "revision": "refs/pr/1",
                "revisionPinned": False,
                "include": ["model.safetensors"],
                "exclude": None,
                "directory": "chinese-wav2vec2-base",
                "expectedBytes": 2_100_000,
            },
        ],
        "pipeline": {
            "checkpointDirectory": "Wan2.1-I2V-14B-480P",
            "wav2vecDirectory": "chinese-wav2vec2-base",
            "quantization": "fp8",
            "quantizedDitFile": "InfiniteTalk/quant_models/infinitetalk_single_fp8.safetensors",
            "infiniteTalkFile": None,
            "loraFiles": [],
            "loraScales": [],
        },
        "expectedBytes": 39_000_000,
    }


def main() -> None:  # pragma: no cover - manual use: python -m tests.hf_server
    fixture = standard_world(HubFixture()).start()
    print(f"HF_ENDPOINT={fixture.url}", flush=True)
    try:
        while True:
            time.sleep(3600)
    except KeyboardInterrupt:
        fixture.stop()


if __name__ == "__main__":  # pragma: no cover
    main()
