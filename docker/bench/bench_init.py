"""Benchmark (not a test): ``init`` throughput on loopback vs a plain parallel download, and the
bytes fetched again after a kill at 50 % of a large file.

    python docker/bench/bench_init.py [--large-mb 256] [--workers 4]

Both contenders fetch the same files from the same loopback Hub fixture (docker/tests/hf_server.py).
"init" is the real CLI in a subprocess (resolve through huggingface_hub, Range-capable download to
``.partial``, sha256 of every byte, fsync, atomic rename, lock file); the baseline is a
ThreadPoolExecutor of ``requests`` GETs writing straight to disk with no verification. The ratio
is therefore the cost of init's safety on a link far faster than any real Hub link.
"""

from __future__ import annotations

import argparse
import shutil
import signal
import subprocess
import sys
import tempfile
import time
from concurrent.futures import ThreadPoolExecutor
from pathlib import Path
from typing import List, Tuple

import requests

DOCKER_DIR = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(DOCKER_DIR))

from avatar_worker.manifest import canonical_json, manifest_sha256  # noqa: E402
from tests.conftest import make_env  # noqa: E402
from tests.hf_server import INFINITETALK_REPO, LARGE_FILE, MIB, HubFixture, standard_manifest, standard_world  # noqa: E402


def planned_files(hub: HubFixture) -> List[Tuple[str, str, str, int]]:
    """(repo, revision, path, size) of every file the standard manifest selects."""
    from huggingface_hub.utils import filter_repo_objects

    files = []
    for model in standard_manifest()["models"]:  # type: ignore[index]
        commit, repo_files = hub.repos[model["repo"]].lookup(model["revision"])  # type: ignore[misc]
        for path in filter_repo_objects(list(repo_files), allow_patterns=model["include"], ignore_patterns=model["exclude"]):
            files.append((model["repo"], commit, path, repo_files[path].size))
    return files


def plain_parallel_download(hub: HubFixture, target: Path, workers: int) -> float:
    """Baseline: requests + threads, follow redirects, write to disk; returns seconds."""
    session = requests.Session()

    def fetch(item: Tuple[str, str, str, int]) -> None:
        repo, commit, path, _size = item
        dest = target / repo / path
        dest.parent.mkdir(parents=True, exist_ok=True)
        with session.get(f"{hub.url}/{repo}/resolve/{commit}/{path}", stream=True, timeout=60) as response:
            response.raise_for_status()
            with open(dest, "wb") as handle:
                for chunk in response.iter_content(1 << 20):
                    handle.write(chunk)

    started = time.perf_counter()
    with ThreadPoolExecutor(max_workers=workers) as pool:
        list(pool.map(fetch, sorted(planned_files(hub), key=lambda f: -f[3])))
    return time.perf_counter() - started


def run_init(env: dict) -> Tuple[float, int]:
    started = time.perf_counter()
    completed = subprocess.run([sys.executable, "-m", "avatar_worker", "init"], env=env, capture_output=True, text=True, cwd=DOCKER_DIR)
    elapsed = time.perf_counter() - started
    if completed.returncode != 0:
        raise SystemExit(f"init failed:\n{completed.stdout[-2000:]}\n{completed.stderr[-2000:]}")
    return elapsed, completed.returncode


def refetched_after_kill(hub: HubFixture, workdir: Path, env_base: dict) -> Tuple[int, int, int]:
    """Kill init at 50 % of the large file, rerun; return (file size, bytes at kill, bytes fetched again)."""
    large = hub.file(INFINITETALK_REPO, LARGE_FILE)
    half = large.size // 2
    root = workdir / "kill-volume"
    env = {**env_base, "AVATAR_MODEL_ROOT": str(root), "AVATAR_INIT_LOCK_STALE_SECONDS": "1"}
    hub.faults.release.clear()
    hub.faults.pause_after_bytes[LARGE_FILE] = half
    partial = root / "InfiniteTalk" / (LARGE_FILE + ".partial")
    process = subprocess.Popen([sys.executable, "-m", "avatar_worker", "init"], env=env, stdout=subprocess.DEVNULL, cwd=DOCKER_DIR)
    deadline = time.monotonic() + 120
    while not (partial.exists() and partial.stat().st_size >= half):
        if time.monotonic() > deadline:
            raise SystemExit("the large file never reached 50 %")
        time.sleep(0.01)
    process.send_signal(signal.SIGKILL)
    process.wait()
    at_kill = partial.stat().st_size
    hub.faults.release.set()
    del hub.faults.pause_after_bytes[LARGE_FILE]
    # The killed request is logged when its server thread notices; wait for it before counting.
    while not hub.content_requests(LARGE_FILE):
        time.sleep(0.01)
    hub.clear_log()
    run_init(env)
    again = sum(r.body_bytes for r in hub.content_requests(LARGE_FILE))
    return large.size, at_kill, again


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--large-mb", type=int, default=256, help="size of the large LFS file (MiB)")
    parser.add_argument("--workers", type=int, default=4, help="parallel downloads for both contenders")
    parser.add_argument("--repeat", type=int, default=3, help="runs per contender; the best is reported")
    args = parser.parse_args()

    hub = standard_world(HubFixture(), large_file_size=args.large_mb * MIB).start()
    workdir = Path(tempfile.mkdtemp(prefix="avatar-bench-"))
    try:
        total = sum(f[3] for f in planned_files(hub))
        manifest = standard_manifest()
        env_base = make_env(hub.url, manifest, workdir / "volume", workdir)
        env_base["AVATAR_DOWNLOAD_CONCURRENCY"] = str(args.workers)
        assert env_base["AVATAR_MODEL_MANIFEST_SHA256"] == manifest_sha256(manifest)
        assert canonical_json(manifest)
        plain, init = [], []
        for attempt in range(args.repeat):
            target = workdir / f"plain-{attempt}"
            plain.append(plain_parallel_download(hub, target, args.workers))
            shutil.rmtree(target)
            root = workdir / f"init-{attempt}"
            init.append(run_init({**env_base, "AVATAR_MODEL_ROOT": str(root)})[0])
            shutil.rmtree(root)
        root = workdir / "ready"
        run_init({**env_base, "AVATAR_MODEL_ROOT": str(root)})
        hub.clear_log()
        second_started = time.perf_counter()
        run_init({**env_base, "AVATAR_MODEL_ROOT": str(root)})
        second = time.perf_counter() - second_started
        second_requests = len(hub.requests)
        size, at_kill, again = refetched_after_kill(hub, workdir, env_base)

        best_plain, best_init = min(plain), min(init)
        print(f"files: {len(planned_files(hub))}, {total / 1e6:.1f} MB; {args.workers} parallel downloads; best of {args.repeat}")
        print(f"{'contender':44} {'seconds':>8} {'MB/s':>8}")
        print(f"{'plain parallel requests (no verification)':44} {best_plain:8.2f} {total / best_plain / 1e6:8.1f}")
        print(f"{'avatar_worker init (subprocess, verified)':44} {best_init:8.2f} {total / best_init / 1e6:8.1f}")
        print(f"{'ratio init / plain (throughput)':44} {'':8} {best_plain / best_init:8.2f}")
        print(f"{'second init on a ready volume':44} {second:8.2f}  ({second_requests} HTTP requests)")
        print(
            f"kill at 50 % of a {size / 1e6:.0f} MB file: {at_kill / 1e6:.1f} MB on disk at the kill, "
            f"{again / 1e6:.1f} MB fetched again on rerun ({again / size:.0%} of the file)"
        )
    finally:
        hub.stop()
        shutil.rmtree(workdir, ignore_errors=True)
    return 0


if __name__ == "__main__":
    sys.exit(main())
