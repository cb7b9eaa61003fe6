"""Estimate the worker image's Python layer: sum the linux x86_64 / cp310 wheels of image.lock.txt.

Reads wheel sizes without downloading them from the JSON API (``<index root>/pypi/<name>/<version>/json``)
of the package index pip is configured to use (PIP_INDEX_URL or pip's configuration files, read by
pip's own loader; pip's default index otherwise; ``--index-url`` overrides), picking per package the
wheel pip would install on Ubuntu 22.04 / CPython 3.10 / x86_64. The installed size is estimated from the compressed size with a ratio (wheels are zip
files; CUDA libraries compress about 1.6x, pure Python about 3x); pass ``--measure N`` to download
the N largest wheels and sum their uncompressed members for a measured ratio.

    python docker/bench/python_layer_size.py [--lock docker/requirements/image.lock.txt] [--measure 3] [--index-url URL]
"""

from __future__ import annotations

import argparse
import json
import re
import subprocess
import sys
import tempfile
import time
import urllib.error
import urllib.parse
import urllib.request
import zipfile
from concurrent.futures import ThreadPoolExecutor
from pathlib import Path
from typing import Dict, List, Optional, Tuple

LOCK = Path(__file__).resolve().parents[1] / "requirements" / "image.lock.txt"
# Tags acceptable on Ubuntu 22.04 (glibc 2.35), CPython 3.10, x86_64, best first.
_PLATFORM_RE = re.compile(r"(manylinux_2_(\d+)_x86_64|manylinux2014_x86_64|manylinux2010_x86_64|manylinux1_x86_64|any)")
_LEGACY = {"manylinux2014_x86_64": 17, "manylinux2010_x86_64": 12, "manylinux1_x86_64": 5, "any": 0}


def pip_index_url() -> str:
    """The index pip would install from: PIP_INDEX_URL, then pip's configuration files, then pip's default.

    Asked of pip itself (``pip config list``, which reports the environment and every configuration
    file; pip's default index otherwise), so a mirror configured for pip is used here too and this
    file names no index of its own.
    """
    from pip._internal.models.index import PyPI

    listed = subprocess.run(
        [sys.executable, "-m", "pip", "config", "list"], capture_output=True, text=True, check=True
    ).stdout
    values = dict(re.findall(r"^(\S+?)='(.*)'$", listed, flags=re.MULTILINE))
    # pip's precedence: the environment, then the install command's section, then the global one.
    for key in (":env:.index-url", "install.index-url", "global.index-url"):
        if values.get(key):
            return values[key]
    return str(PyPI.simple_url)


def json_api_root(index_url: str) -> str:
    """``https://host/simple/`` -> ``https://host/pypi``: where the JSON API lives beside the simple index."""
    root = index_url.rstrip("/")
    if root.endswith("/simple"):
        root = root[: -len("/simple")]
    return f"{root}/pypi"


def read_lock(path: Path) -> List[Tuple[str, str]]:
    pins = []
    for line in path.read_text().splitlines():
        line = line.split("#", 1)[0].strip()
        if "==" in line:
            name, version = line.split("==", 1)
            pins.append((re.sub(r"\[.*\]", "", name), version))
    return pins


def _wheel_score(filename: str) -> Optional[int]:
    """Higher is better; None when the wheel does not install on cp310 / linux x86_64."""
    parts = filename[:-4].split("-")
    python_tag, abi_tag, platform_tag = parts[-3], parts[-2], parts[-1]
    pythons = python_tag.split(".")
    if not any(p in ("cp310", "py3", "py2.py3", "py310") or p.startswith("py3") for p in pythons):
        if not (abi_tag == "abi3" and any(p.startswith("cp3") and int(p[3:] or 0) <= 10 for p in pythons)):
            return None
    best = None
    for tag in platform_tag.split("."):
        match = _PLATFORM_RE.fullmatch(tag)
        if not match:
            continue
        glibc = int(match.group(2)) if match.group(2) else _LEGACY[tag]
        if glibc > 35:
            continue
        score = glibc + (100 if python_tag.startswith("cp310") else 0)
        best = score if best is None else max(best, score)
    return best


def _get_json(url: str, timeout: float) -> Dict[str, object]:
    """GET a JSON document, retrying transient network errors (DNS hiccups under parallel load)."""
    for attempt in range(5):
        try:
            with urllib.request.urlopen(url, timeout=timeout) as response:  # noqa: S310 - pip's configured index
                return json.load(response)
        except urllib.error.HTTPError:
            raise
        except (urllib.error.URLError, TimeoutError, ConnectionError):
            if attempt == 4:
                raise
            time.sleep(1 + attempt)
    raise AssertionError("unreachable")


def _release_files(api: str, name: str, version: str) -> List[Dict[str, object]]:
    """Files of one release: the per-version endpoint, or the project document where that 404s."""
    try:
        url = f"{api}/{name}/{version}/json"
        return _absolute(url, _get_json(url, 60)["urls"])  # type: ignore[arg-type]
    except urllib.error.HTTPError as error:
        if error.code != 404:
            raise
    # Some mirrors only serve /pypi/<name>/json; its "releases" map holds every version's files.
    project_url = f"{api}/{name}/json"
    releases: Dict[str, List[Dict[str, object]]] = _get_json(project_url, 120)["releases"]  # type: ignore[assignment]
    if version not in releases:
        raise SystemExit(f"{name}=={version}: not on the index ({api})")
    return _absolute(project_url, releases[version])


def _absolute(base: str, files: List[Dict[str, object]]) -> List[Dict[str, object]]:
    # Mirrors may list file URLs relative to the JSON document.
    return [{**entry, "url": urllib.parse.urljoin(base, str(entry["url"]))} for entry in files]


def wheel_for(api: str, name: str, version: str) -> Tuple[str, str, int]:
    normalized = re.sub(r"[-_.]+", "-", name).lower()  # PEP 503: the JSON API wants this form
    files = _release_files(api, normalized, version)
    candidates = []
    for entry in files:
        if entry["packagetype"] != "bdist_wheel":
            continue
        score = _wheel_score(entry["filename"])
        if score is not None:
            candidates.append((score, entry["filename"], entry["url"], entry["size"]))
    if not candidates:
        raise SystemExit(f"{name}=={version}: no wheel for cp310 linux x86_64 on the index ({api})")
    candidates.sort(reverse=True)
    _, filename, wheel_url, size = candidates[0]
    return filename, wheel_url, int(size)


def uncompressed_size(url: str) -> int:
    with tempfile.NamedTemporaryFile(suffix=".whl") as handle:
        with urllib.request.urlopen(url, timeout=600) as response:  # noqa: S310
            while True:
                block = response.read(1 << 20)
                if not block:
                    break
                handle.write(block)
        handle.flush()
        with zipfile.ZipFile(handle.name) as archive:
            return sum(info.file_size for info in archive.infolist())


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--lock", type=Path, default=LOCK)
    parser.add_argument("--measure", type=int, default=0, help="download the N largest wheels to measure the unzip ratio")
    parser.add_argument("--index-url", help="simple index URL (default: the one pip is configured to use)")
    args = parser.parse_args()
    api = json_api_root(args.index_url or pip_index_url())
    pins = read_lock(args.lock)
    with ThreadPoolExecutor(max_workers=6) as pool:
        wheels = list(pool.map(lambda pin: (pin, *wheel_for(api, *pin)), pins))
    wheels.sort(key=lambda w: w[3], reverse=True)
    total = sum(w[3] for w in wheels)
    nvidia = sum(w[3] for w in wheels if w[0][0].startswith("nvidia-"))
    torch_family = sum(w[3] for w in wheels if w[0][0] in ("torch", "torchvision", "torchaudio", "triton", "xformers"))
    print(f"{len(wheels)} wheels from {args.lock.name} (cp310, linux x86_64), largest first:")
    print(f"{'package':40} {'version':14} {'MB':>9}")
    for (name, version), _filename, _url, size in wheels[:15]:
        print(f"{name:40} {version:14} {size / 1e6:9.1f}")
    print(f"{'... ' + str(len(wheels) - 15) + ' more':40} {'':14} {sum(w[3] for w in wheels[15:]) / 1e6:9.1f}")
    print(f"download total: {total / 1e9:.2f} GB (nvidia-* {nvidia / 1e9:.2f} GB, torch/vision/audio/triton/xformers {torch_family / 1e9:.2f} GB)")
    ratio = 1.6
    if args.measure:
        measured_compressed = measured_uncompressed = 0
        for (name, version), _filename, url, size in wheels[: args.measure]:
            unpacked = uncompressed_size(url)
            print(f"measured {name}=={version}: {size / 1e6:.0f} MB -> {unpacked / 1e6:.0f} MB unzipped ({unpacked / size:.2f}x)")
            measured_compressed += size
            measured_uncompressed += unpacked
        ratio = measured_uncompressed / measured_compressed
    print(f"installed estimate: {total * ratio / 1e9:.2f} GB (x{ratio:.2f} {'measured on the largest wheels' if args.measure else 'assumed'})")
    return 0


if __name__ == "__main__":
    sys.exit(main())
