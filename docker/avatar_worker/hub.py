"""Hugging Face Hub access: resolve manifest models to commits and file lists, open downloads.

Resolution goes through huggingface_hub's own client (``HfApi.model_info(files_metadata=True)``)
so the endpoint, auth and error semantics are the library's. Byte downloads are plain ``requests``
GETs of ``hf_hub_url(...)`` with the library's headers, because init must control resuming
(``Range``) itself: recent huggingface_hub releases discard partial files.

Targets huggingface_hub 0.36.x (transformers 4.x needs ``huggingface_hub<1.0``).
"""

from __future__ import annotations

import re
import time
from dataclasses import dataclass
from typing import Callable, Dict, Iterable, List, Optional, Tuple, TypeVar

import requests
from huggingface_hub import HfApi, hf_hub_url
from huggingface_hub.errors import (
    GatedRepoError,
    HfHubHTTPError,
    OfflineModeIsEnabled,
    RepositoryNotFoundError,
    RevisionNotFoundError,
)
from huggingface_hub.utils import build_hf_headers, filter_repo_objects

from .errors import HubNotFound, HubUnauthorized, HubUnavailable
from .manifest import ModelSpec

DEFAULT_ENDPOINT = "https://huggingface.co"
_GLOB_CHARS = re.compile(r"[*?\[]")
_CONTENT_RANGE = re.compile(r"^bytes (\d+)-(\d+)/(\d+|\*)$")
T = TypeVar("T")


class TransientHubError(Exception):
    """A failure worth retrying (5xx, 429, connection reset, timeout, short body).

    Internal: after the last attempt it becomes :class:`HubUnavailable`.
    """


@dataclass(frozen=True)
class RemoteFile:
    """One file of a repository at a commit, with what the Hub says it must look like."""

    path: str
    size: int
    #: sha256 of the content for LFS files (``lfs.sha256``); ``None`` for files stored in git.
    sha256: Optional[str]
    #: git blob id (sha1 of ``b"blob <size>\\0" + content``): verifies files stored in git.
    git_blob_id: Optional[str]


@dataclass(frozen=True)
class ResolvedModel:
    """A manifest model resolved to a commit and the files its patterns select."""

    spec: ModelSpec
    commit: str
    files: Tuple[RemoteFile, ...]

    @property
    def total_bytes(self) -> int:
        """Sum of the selected files' sizes."""
        return sum(f.size for f in self.files)


def git_blob_sha1_prefix(size: int) -> bytes:
    """Return the header git hashes before a blob's content (``blob <size>\\0``)."""
    return b"blob %d\x00" % size


def select_files(
    files: Iterable[RemoteFile], include: Optional[Iterable[str]], exclude: Optional[Iterable[str]]
) -> List[RemoteFile]:
    """Apply the manifest's include/exclude patterns exactly like ``snapshot_download`` does."""
    return list(
        filter_repo_objects(
            list(files),
            allow_patterns=None if include is None else list(include),
            ignore_patterns=None if exclude is None else list(exclude),
            key=lambda f: f.path,
        )
    )


def literal_patterns_without_match(include: Optional[Iterable[str]], files: Iterable[RemoteFile]) -> List[str]:
    """Return include entries without glob characters that name no file (likely typos or moved files)."""
    if include is None:
        return []
    paths = {f.path for f in files}
    missing = []
    for pattern in include:
        if _GLOB_CHARS.search(pattern) or pattern.endswith("/"):
            continue
        if pattern not in paths:
            missing.append(pattern)
    return missing


class HubClient:
    """Talks to one Hub endpoint with one token; retries transient failures with backoff.

    ``sleep`` is injectable so tests of the retry path do not wait.
    """

    def __init__(
        self,
        endpoint: str = DEFAULT_ENDPOINT,
        token: Optional[str] = None,
        *,
        attempts: int = 3,
        backoff_seconds: float = 1.0,
        connect_timeout_seconds: float = 10.0,
        read_timeout_seconds: float = 60.0,
        sleep: Callable[[float], None] = time.sleep,
    ) -> None:
        self.endpoint = endpoint.rstrip("/")
        self.token = token
        self.attempts = max(1, attempts)
        self.backoff_seconds = backoff_seconds
        self.timeout = (connect_timeout_seconds, read_timeout_seconds)
        self._sleep = sleep
        self._api = HfApi(endpoint=self.endpoint, token=token)
        self._session = requests.Session()

    # --- resolution -----------------------------------------------------------------------------

    def resolve(self, spec: ModelSpec) -> ResolvedModel:
        """Resolve ``spec`` to a commit and the list of files it selects, with sizes and hashes."""
        info = self.with_retries(
            lambda: self._model_info(spec), what=f"reading {spec.repo}@{spec.revision} from {self.endpoint}"
        )
        commit = getattr(info, "sha", None)
        if not commit:
            raise HubUnavailable(
                f"{self.endpoint} answered for {spec.repo}@{spec.revision} without a commit sha; "
                "HF_ENDPOINT must point at a Hugging Face Hub compatible server"
            )
        remote = [_remote_file(sibling) for sibling in (info.siblings or [])]
        selected = select_files(remote, spec.include, spec.exclude)
        missing = literal_patterns_without_match(spec.include, remote)
        if missing:
            raise HubNotFound(
                f"{spec.repo} at revision {spec.revision} (commit {commit}) has no file {', '.join(missing)} "
                f"listed in the include patterns of model {spec.name!r}: fix the model catalog or the revision",
                details={"repo": spec.repo, "revision": spec.revision, "missing": missing},
            )
        if not selected:
            raise HubNotFound(
                f"no file of {spec.repo} at revision {spec.revision} matches the include/exclude patterns of "
                f"model {spec.name!r}: fix the patterns in the model catalog",
                details={"repo": spec.repo, "revision": spec.revision},
            )
        return ResolvedModel(spec=spec, commit=commit, files=tuple(sorted(selected, key=lambda f: f.path)))

    def _model_info(self, spec: ModelSpec):  # type: ignore[no-untyped-def]
        try:
            return self._api.model_info(
                spec.repo, revision=spec.revision, files_metadata=True, timeout=self.timeout[1]
            )
        except RevisionNotFoundError as error:
            raise HubNotFound(
                f"revision {spec.revision!r} of {spec.repo} does not exist on {self.endpoint} "
                f"(model {spec.name!r}): fix the revision in the model catalog",
                details={"repo": spec.repo, "revision": spec.revision},
            ) from error
        except GatedRepoError as error:
            raise HubUnauthorized(
                f"{spec.repo} is gated: accept its licence on the Hub with the account whose token is in "
                "HF_TOKEN, then rerun",
                details={"repo": spec.repo},
            ) from error
        except RepositoryNotFoundError as error:
            status = _status(error)
            if status == 401:
                raise self._unauthorized(spec.repo, spec.revision, status) from error
            raise HubNotFound(
                f"repository {spec.repo} (revision {spec.revision}) does not exist on {self.endpoint} "
                f"(model {spec.name!r}): fix the repo name in the model catalog",
                details={"repo": spec.repo, "revision": spec.revision},
            ) from error
        except OfflineModeIsEnabled as error:
            raise HubUnavailable(
                "HF_HUB_OFFLINE is set, so the Hub cannot be reached: unset it for the storage init job"
            ) from error
        except HfHubHTTPError as error:
            status = _status(error)
            if status in (401, 403):
                raise self._unauthorized(spec.repo, spec.revision, status) from error
            if status == 404:
                raise HubNotFound(
                    f"{spec.repo}@{spec.revision} not found on {self.endpoint} (model {spec.name!r})",
                    details={"repo": spec.repo, "revision": spec.revision},
                ) from error
            if status is None or status >= 500 or status == 429:
                raise TransientHubError(f"HTTP {status} from {self.endpoint}") from error
            raise HubUnavailable(
                f"{self.endpoint} answered HTTP {status} for {spec.repo}@{spec.revision}: {error}"
            ) from error
        except (requests.ConnectionError, requests.Timeout) as error:
            raise TransientHubError(f"cannot reach {self.endpoint}: {error}") from error

    def _unauthorized(self, repo: str, revision: str, status: int) -> HubUnauthorized:
        if self.token:
            hint = "the token in HF_TOKEN was refused or has no read access to it: use a token with read access"
        else:
            hint = "no HF_TOKEN is set: set HF_TOKEN to a token with read access (private or gated repo), or check the repo name"
        return HubUnauthorized(
            f"the Hub refused access (HTTP {status}) to {repo}@{revision}: {hint}",
            details={"repo": repo, "revision": revision, "status": status},
        )

    # --- downloads ------------------------------------------------------------------------------

    def file_url(self, repo: str, commit: str, path: str) -> str:
        """URL of ``path`` at ``commit`` (a commit, so a moving branch cannot mix two versions)."""
        return hf_hub_url(repo, path, revision=commit, endpoint=self.endpoint)

    def request_headers(self) -> Dict[str, str]:
        """The library's own headers (user agent, ``Authorization`` from ``HF_TOKEN``)."""
        headers = build_hf_headers(token=self.token)
        # Sizes and hashes are of the stored bytes: no transparent compression.
        headers["Accept-Encoding"] = "identity"
        return headers

    def open_download(self, url: str, offset: int, *, repo: str, path: str) -> Tuple[requests.Response, bool]:
        """GET ``url`` from byte ``offset``; return the streaming response and whether it resumes.

        ``resumed`` is False when the server ignored the Range header (status 200): the caller
        must then start the file over. Redirects (the Hub sends LFS files to a CDN) are followed;
        ``requests`` drops the Authorization header when the host changes.
        """
        headers = self.request_headers()
        if offset > 0:
            headers["Range"] = f"bytes={offset}-"
        try:
            response = self._session.get(url, headers=headers, stream=True, timeout=self.timeout, allow_redirects=True)
        except (requests.ConnectionError, requests.Timeout) as error:
            raise TransientHubError(f"cannot download {repo}/{path}: {error}") from error
        status = response.status_code
        if status == 200:
            return response, False
        if status == 206 and offset > 0:
            match = _CONTENT_RANGE.match(response.headers.get("Content-Range", ""))
            if match and int(match.group(1)) == offset:
                return response, True
            response.close()
            raise TransientHubError(
                f"{repo}/{path}: server answered Range bytes={offset}- with Content-Range "
                f"{response.headers.get('Content-Range')!r}"
            )
        response.close()
        if status == 416:
            raise RangeNotSatisfiable(f"{repo}/{path}: range bytes={offset}- not satisfiable")
        if status in (401, 403):
            raise self._unauthorized(repo, path, status)
        if status == 404:
            raise HubNotFound(
                f"{repo}/{path} is listed by the Hub but its download returned 404",
                details={"repo": repo, "path": path},
            )
        raise TransientHubError(f"HTTP {status} downloading {repo}/{path}")

    # --- retries --------------------------------------------------------------------------------

    def backoff_delay(self, failure_number: int) -> float:
        """Exponential backoff: base, 2x base, 4x base ... capped at 60 s."""
        return min(self.backoff_seconds * (2 ** max(failure_number - 1, 0)), 60.0)

    def with_retries(self, call: Callable[[], T], *, what: str) -> T:
        """Run ``call``; on :class:`TransientHubError` retry with backoff, finally raise HubUnavailable."""
        last: Optional[TransientHubError] = None
        for attempt in range(1, self.attempts + 1):
            try:
                return call()
            except TransientHubError as error:
                last = error
                if attempt < self.attempts:
                    self._sleep(self.backoff_delay(attempt))
        raise HubUnavailable(
            f"{what} failed {self.attempts} times (last: {last}); the Hub or the network is unavailable: "
            "rerun later, or raise AVATAR_DOWNLOAD_ATTEMPTS",
            details={"endpoint": self.endpoint},
        )

    def close(self) -> None:
        """Close pooled connections."""
        self._session.close()


class RangeNotSatisfiable(TransientHubError):
    """HTTP 416: the partial file is not a prefix the server can continue; start over."""


def _status(error: HfHubHTTPError) -> Optional[int]:
    response = getattr(error, "response", None)
    return getattr(response, "status_code", None)


def _remote_file(sibling) -> RemoteFile:  # type: ignore[no-untyped-def]
    lfs = sibling.lfs
    if lfs is not None:
        return RemoteFile(path=sibling.rfilename, size=int(lfs.size), sha256=str(lfs.sha256).lower(), git_blob_id=None)
    if sibling.size is None:
        raise HubUnavailable(
            f"the Hub listed {sibling.rfilename} without a size; HF_ENDPOINT must support files_metadata (blobs=true)"
        )
    return RemoteFile(path=sibling.rfilename, size=int(sibling.size), sha256=None, git_blob_id=sibling.blob_id)
