"""Command line: ``python -m avatar_worker {init,verify,serve}``.

The mode comes from the first argument, else from ``AVATAR_MODE``, else ``serve`` (the image's
``CMD``). ``init`` and ``verify`` print JSON lines (docs/CONTRACTS.md section 4) and end with one
``result`` line; errors become that line and an exit code, never a traceback, except for truly
unexpected ones, whose traceback goes into a ``log`` line before the result.

Exit codes:

====  =========================================================================================
0     success (``verify``: the volume matches the lock and the lock matches the manifest)
1     unexpected error (a bug: the log line before the result has the traceback)
2     ``verify``: no lock file, init has not completed
3     ``verify``: the lock was written for another manifest
4     ``verify``: files missing, short, too long or with the wrong sha256
64    usage: bad arguments, unknown ``AVATAR_MODE``, missing or invalid manifest
65    ``init``: a file kept arriving corrupt (CHECKSUM_MISMATCH)
66    ``init``: repository, revision or file not found on the Hub (HUB_NOT_FOUND)
69    ``init``: the Hub is unavailable after retries (HUB_UNAVAILABLE)
73    ``init``: not enough space / disk full (INSUFFICIENT_SPACE, DISK_FULL)
75    ``init``: another init holds the volume and did not finish in time (INIT_LOCKED), or serving
      workers hold it (VOLUME_IN_USE)
77    ``init``: the Hub refused access (HUB_UNAUTHORIZED)
143   ``init``: terminated by SIGTERM/SIGINT (TERMINATED)
====  =========================================================================================
"""

from __future__ import annotations

import argparse
import dataclasses
import os
import signal
import sys
import traceback
from pathlib import Path
from typing import Any, List, Mapping, NoReturn, Optional, Sequence

from .contract import DEFAULT_MODEL_ROOT, MODES, Env
from .errors import EXIT_FAILURE, EXIT_USAGE, Terminated, UsageError, WorkerError
from .jsonlog import JsonLines

MODE_ENV = Env.MODE
MODEL_ROOT_ENV = Env.MODEL_ROOT


class _ArgumentParser(argparse.ArgumentParser):
    """argparse that raises :class:`UsageError` instead of printing and exiting with 2.

    Exit code 2 means "no lock file" for ``verify``; a usage error must not look like it.
    """

    def error(self, message: str) -> NoReturn:  # type: ignore[override]
        raise UsageError(f"{message} (usage: {self.format_usage().strip()})")


def build_parser() -> argparse.ArgumentParser:
    """The argument parser for all modes."""
    parser = _ArgumentParser(prog="python -m avatar_worker", description="InfiniteTalk RunPod worker")
    commands = parser.add_subparsers(dest="mode")
    init = commands.add_parser("init", help="download the manifest's models to the volume and write the lock file")
    init.add_argument("--root", help=f"model root (default: ${MODEL_ROOT_ENV} or {DEFAULT_MODEL_ROOT})")
    init.add_argument("--rehash", action="store_true", help="re-hash files already on the volume instead of trusting the lock")
    verify = commands.add_parser("verify", help="check the volume against the lock file and the manifest")
    verify.add_argument("--root", help=f"model root (default: ${MODEL_ROOT_ENV} or {DEFAULT_MODEL_ROOT})")
    verify.add_argument("--hashes", action="store_true", help="also compare sha256 (reads every byte)")
    commands.add_parser("serve", help="start the RunPod serverless handler (default)")
    return parser


def resolve_argv(argv: Sequence[str], environ: Mapping[str, str]) -> List[str]:
    """Prepend the mode from ``AVATAR_MODE`` (default ``serve``) when argv names none."""
    args = list(argv)
    if args and not args[0].startswith("-"):
        return args  # argv wins; an unknown mode is reported by the parser
    if args and args[0] in ("-h", "--help"):
        return args
    mode = environ.get(MODE_ENV, "").strip() or "serve"
    if mode not in MODES:
        raise UsageError(f"{MODE_ENV} is {mode!r}: it must be one of {', '.join(MODES)}")
    return [mode, *args]


def main(argv: Optional[Sequence[str]] = None, environ: Optional[Mapping[str, str]] = None) -> int:
    """Run the worker; return the process exit code."""
    env = os.environ if environ is None else environ
    emitter = JsonLines()
    mode = "unknown"
    try:
        args = build_parser().parse_args(resolve_argv(sys.argv[1:] if argv is None else argv, env))
        mode = args.mode
        if mode == "serve":
            return _serve()
        with _terminate_on_signals():
            if mode == "init":
                return _init(args, env, emitter)
            return _verify(args, env, emitter)
    except WorkerError as error:
        emitter.log("error", mode, error.message, code=error.code, **_json_safe(error.details))
        emitter.result(mode, False, error=error.to_dict())
        return error.exit_code
    except SystemExit as exit_request:  # --help
        return int(exit_request.code or 0) if isinstance(exit_request.code, int) else EXIT_USAGE
    except Exception as error:  # noqa: BLE001 - the boundary: anything unexpected still ends in a result line
        emitter.log("error", mode, f"unexpected error: {error!r}", traceback=traceback.format_exc())
        emitter.result(mode, False, error={"code": "INTERNAL", "message": f"unexpected error: {error!r}"})
        return EXIT_FAILURE


def _model_root(args: argparse.Namespace, environ: Mapping[str, str]) -> Path:

    return Path(getattr(args, "root", None) or environ.get(MODEL_ROOT_ENV, "").strip() or DEFAULT_MODEL_ROOT)


def _init(args: argparse.Namespace, environ: Mapping[str, str], emitter: JsonLines) -> int:
    # Imported here so `serve` does not pay for the Hub client, and `--help` stays instant.
    from .hub import DEFAULT_ENDPOINT, HubClient
    from .manifest import check_model_root, load_manifest_from_env
    from .storage import InitSettings, VolumeInitializer

    manifest = load_manifest_from_env(environ)
    root = _model_root(args, environ)
    check_model_root(manifest, str(root))
    settings = InitSettings.from_env(environ)
    if args.rehash:
        settings = dataclasses.replace(settings, rehash_existing=True)
    endpoint = environ.get(Env.HUGGING_FACE_ENDPOINT, "").strip() or DEFAULT_ENDPOINT
    emitter.info(
        "start",
        f"init of model set {manifest.model_set!r} (manifest {manifest.sha256}) into {root}",
        endpoint=endpoint,
        models=[m.name for m in manifest.models],
    )
    hub = HubClient(
        endpoint,
        token=environ.get(Env.HUGGING_FACE_TOKEN, "").strip() or None,
        attempts=settings.attempts,
        backoff_seconds=settings.backoff_seconds,
        read_timeout_seconds=settings.read_timeout_seconds,
    )
    try:
        result = VolumeInitializer(manifest, root, hub, settings, emitter, environ=environ).run()
    finally:
        hub.close()
    emitter.result("init", True, **result.to_fields())
    return 0


def _verify(args: argparse.Namespace, environ: Mapping[str, str], emitter: JsonLines) -> int:
    from .manifest import check_model_root, load_manifest_from_env
    from .storage import verify_volume

    manifest = load_manifest_from_env(environ)
    root = _model_root(args, environ)
    check_model_root(manifest, str(root))
    report = verify_volume(manifest, root, hashes=args.hashes)
    for problem in report.problems:
        emitter.log("error", "verify", problem.describe(), **problem.to_dict())
    fields = {**report.to_fields(), "manifestSha256": manifest.sha256}
    error = report.error()
    if error is None:
        emitter.info("verify", report.message)
        emitter.result("verify", True, **fields)
    else:
        emitter.result("verify", False, error=error.to_dict(), **fields)
    return report.exit_code


def _serve() -> int:
    # The serving half lives in avatar_worker.serve (torch, the pipeline): import it only here.
    from . import serve

    result = serve.main()
    return int(result) if isinstance(result, int) else 0


class _terminate_on_signals:
    """Turn SIGTERM/SIGINT into :class:`Terminated` so ``finally`` blocks release the init lock.

    RunPod stops a pod with SIGTERM; without this the lock would stay until it went stale.
    """

    def __enter__(self) -> "_terminate_on_signals":
        self._previous: List[Any] = []
        for signum in (signal.SIGTERM, signal.SIGINT):
            try:
                self._previous.append((signum, signal.signal(signum, self._handler)))
            except ValueError:  # not the main thread (embedded use): keep default handling
                pass
        return self

    def __exit__(self, *exc_info: Any) -> None:
        for signum, handler in self._previous:
            signal.signal(signum, handler)

    @staticmethod
    def _handler(signum: int, _frame: Any) -> NoReturn:
        raise Terminated(f"received {signal.Signals(signum).name}; partial downloads are kept and resumed by the next run")


def _json_safe(details: Mapping[str, Any]) -> Mapping[str, Any]:
    # Detail keys must not clash with the log line's own fields.
    return {k: v for k, v in details.items() if k not in ("event", "level", "stage", "message", "time", "code")}


if __name__ == "__main__":  # pragma: no cover
    sys.exit(main())
