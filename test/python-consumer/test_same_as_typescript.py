"""A Python user's app synthesizes the same deployment as the TypeScript example.

The Python app (main.py, stack.py; this library from the installed wheel) and the TypeScript example
(examples/l40s-deployment; this library from src/) run as their users run them, `python main.py` and
cdktf.json's app command, with the same synth-time environment variables. Their stacks are then held
side by side: resource types and counts, and for every resource the attributes that decide what gets
deployed (KEY_ATTRIBUTES), plus providers, variables, outputs and the assets they copy.
"""

import copy
import json
import os
import re
import shlex
import subprocess
import sys
import tarfile
from dataclasses import dataclass
from pathlib import Path
from typing import Any, Dict, List

import pytest

HERE = Path(__file__).resolve().parent
REPO = HERE.parent.parent
EXAMPLE = REPO / "examples" / "l40s-deployment"
STACK_ID = "l40s-deployment"
PREBUILT_IMAGE = "docker.io/acme/infinitetalk-worker@sha256:" + "1f" * 32

# Synth-time environment of each variant: the variables main.ts and main.py read
# (examples/l40s-deployment/README.md, "1. Synthesize").
VARIANTS: Dict[str, Dict[str, str]] = {
    # The Quickstart: the image is built from the packaged docker/ context and pushed.
    "build": {},
    # The rest of what the apps read: a prebuilt image, another data centre, S3 delivery.
    "prebuilt-s3": {"AVATAR_IMAGE": PREBUILT_IMAGE, "AVATAR_DATA_CENTER": "US-KS-2", "AVATAR_S3_DELIVERY": "true"},
}

# What decides a deployment, per resource type: dotted paths into the resource body (a number is a
# list index; `*` is every key of a map, each compared on its own).
KEY_ATTRIBUTES: Dict[str, List[str]] = {
    "runpod_network_volume": ["name", "size", "data_center", "type"],
    "runpod_serverless_endpoint": [
        "name", "image", "compute_type", "gpu_count", "gpu_pools", "excluded_types", "min_cuda_version",
        "data_center_ids", "network_volumes", "depends_on", "timeout", "idle_timeout", "disk", "flashboot",
        "workers_min", "workers_max", "scaling_type", "scaling_value", "endpoint_type", "env.*",
    ],
    "null_resource": [
        "triggers.*", "depends_on",
        "provisioner.0.local-exec.command", "provisioner.0.local-exec.environment.*",
    ],
    "docker_image": [
        "name", "platform", "keep_locally", "triggers.*",
        "build.context", "build.dockerfile", "build.platform", "build.build_args.*",
    ],
    "docker_registry_image": [
        "name", "keep_remotely", "triggers.*",
        "auth_config.address", "auth_config.username", "auth_config.password",
    ],
}

# cdktf names an asset's copy after a hash of the whole source directory. The TypeScript example's
# docker/ holds the worker's tests too, the wheel's does not (.npmignore), so the names differ while
# everything a docker build sees is equal (the context_sha256 trigger says so): compare names up to
# the hash, and the copied files in test_the_assets_are_copied_from_the_installed_wheel.
ASSET_HASH = re.compile(r"(assets/[^/\"]+/)[0-9A-F]{32}")

MISSING = "<missing>"


@dataclass(frozen=True)
class Synthesized:
    """One app's synthesized stack: cdk.tf.json and the directory it sits in (with its assets/)."""

    directory: Path
    stack: Dict[str, Any]


@pytest.fixture(scope="session")
def synthesized(tmp_path_factory: pytest.TempPathFactory) -> Dict[str, Dict[str, Synthesized]]:
    """Both apps in every variant, run side by side: {variant: {"typescript": …, "python": …}}."""
    out = tmp_path_factory.mktemp("synth")
    typescript_app = json.loads((EXAMPLE / "cdktf.json").read_text())["app"]
    commands = {
        "typescript": (typescript_app, EXAMPLE),
        "python": (f"{shlex.quote(sys.executable)} main.py", HERE),
    }
    running = {}
    for variant, variables in VARIANTS.items():
        for side, (command, cwd) in commands.items():
            outdir = out / side / variant
            outdir.mkdir(parents=True)  # cdktf creates only the last level
            env = {name: value for name, value in os.environ.items() if not name.startswith("AVATAR_")}
            env.update(variables, CDKTF_OUTDIR=str(outdir), CHECKPOINT_DISABLE="1")
            process = subprocess.Popen(
                command, shell=True, cwd=cwd, env=env, stdout=subprocess.PIPE, stderr=subprocess.STDOUT, text=True
            )
            running[(variant, side)] = (outdir, process)

    results: Dict[str, Dict[str, Synthesized]] = {}
    failures = []
    for (variant, side), (outdir, process) in running.items():
        output, _ = process.communicate(timeout=600)
        if process.returncode != 0:
            failures.append(f"the {side} app (variant {variant}) exited {process.returncode}:\n{output}")
            continue
        directory = outdir / "stacks" / STACK_ID
        results.setdefault(variant, {})[side] = Synthesized(directory, json.loads((directory / "cdk.tf.json").read_text()))
    if failures:
        pytest.fail("\n\n".join(failures), pytrace=False)
    return results


def _walk(value: Any, parts: List[str], prefix: str, flat: Dict[str, Any]) -> None:
    if not parts:
        flat[prefix] = ASSET_HASH.sub(r"\1<hash>", value) if isinstance(value, str) else value
        return
    head, rest = parts[0], parts[1:]
    if head == "*":
        for key in sorted(value) if isinstance(value, dict) else []:
            _walk(value[key], rest, f"{prefix}.{key}", flat)
        return
    if isinstance(value, list) and head.isdigit() and int(head) < len(value):
        child = value[int(head)]
    elif isinstance(value, dict) and head in value:
        child = value[head]
    else:
        flat[f"{prefix}.{'.'.join(parts)}"] = MISSING
        return
    _walk(child, rest, f"{prefix}.{head}", flat)


def key_attributes(stack: Dict[str, Any], resource_type: str) -> Dict[str, Any]:
    """Every key attribute of every resource of one type, as {"<type>.<name>.<path>": value}."""
    flat: Dict[str, Any] = {}
    for name, body in sorted(stack.get("resource", {}).get(resource_type, {}).items()):
        for path in KEY_ATTRIBUTES[resource_type]:
            _walk(body, path.split("."), f"{resource_type}.{name}", flat)
    return flat


def stack_settings(stack: Dict[str, Any]) -> Dict[str, Any]:
    """Providers, required provider sources and versions, variables and outputs, flattened likewise."""
    flat: Dict[str, Any] = {}
    for name in sorted(stack.get("provider", {})):
        flat[f"provider.{name}"] = "configured"
    for name, requirement in sorted(stack.get("terraform", {}).get("required_providers", {}).items()):
        for field in ("source", "version"):
            flat[f"required_providers.{name}.{field}"] = requirement.get(field, MISSING)
    for name, variable in sorted(stack.get("variable", {}).items()):
        for field in ("type", "default", "sensitive"):
            flat[f"variable.{name}.{field}"] = variable.get(field, MISSING)
    for name, output in sorted(stack.get("output", {}).items()):
        flat[f"output.{name}.value"] = output.get("value", MISSING)
    return flat


def differences(typescript: Dict[str, Any], python: Dict[str, Any]) -> List[str]:
    """One line per flattened attribute whose value differs or that only one side has."""
    return [
        f"{path}: TypeScript {typescript.get(path, MISSING)!r} but Python {python.get(path, MISSING)!r}"
        for path in sorted(set(typescript) | set(python))
        if typescript.get(path, MISSING) != python.get(path, MISSING)
    ]


def assert_same(typescript: Dict[str, Any], python: Dict[str, Any]) -> None:
    """Fails with every difference, one a line."""
    found = differences(typescript, python)
    assert not found, f"{len(found)} difference(s) between the TypeScript and the Python stack:\n" + "\n".join(found)


def resource_counts(stack: Dict[str, Any]) -> Dict[str, int]:
    """How many resources of each type the stack declares."""
    return {kind: len(resources) for kind, resources in stack.get("resource", {}).items()}


@pytest.mark.parametrize("variant", VARIANTS)
def test_same_resource_types_and_counts(synthesized: Dict[str, Dict[str, Synthesized]], variant: str) -> None:
    typescript, python = (synthesized[variant][side].stack for side in ("typescript", "python"))
    assert resource_counts(python) == resource_counts(typescript)
    # The same construct ids give the same logical ids, which other resources' references name.
    assert {kind: sorted(r) for kind, r in python["resource"].items()} == {
        kind: sorted(r) for kind, r in typescript["resource"].items()
    }


@pytest.mark.parametrize(
    "variant, resource_type",
    [(variant, kind) for variant in VARIANTS for kind in KEY_ATTRIBUTES if variant == "build" or not kind.startswith("docker_")],
)
def test_same_key_attributes(
    synthesized: Dict[str, Dict[str, Synthesized]], variant: str, resource_type: str
) -> None:
    typescript, python = (synthesized[variant][side].stack for side in ("typescript", "python"))
    expected = key_attributes(typescript, resource_type)
    assert expected, f"the TypeScript example has no {resource_type} in variant {variant}"
    assert_same(expected, key_attributes(python, resource_type))


@pytest.mark.parametrize("variant", VARIANTS)
def test_same_providers_variables_and_outputs(synthesized: Dict[str, Dict[str, Synthesized]], variant: str) -> None:
    typescript, python = (synthesized[variant][side].stack for side in ("typescript", "python"))
    assert_same(stack_settings(typescript), stack_settings(python))


@pytest.mark.parametrize("variant", VARIANTS)
def test_the_assets_are_copied_from_the_installed_wheel(
    synthesized: Dict[str, Dict[str, Synthesized]], variant: str
) -> None:
    typescript, python = synthesized[variant]["typescript"], synthesized[variant]["python"]

    def runner_directory(side: Synthesized) -> Path:
        command = next(iter(side.stack["resource"]["null_resource"].values()))["provisioner"][0]["local-exec"]["command"]
        script = re.search(r"assets/\S+\.js", command)
        assert script, f"the init job's command {command!r} names no runner script under assets/"
        runner = side.directory / script.group(0)
        assert runner.is_file(), f"the init job runs {runner}, which the synth did not copy"
        return runner.parent

    def files(directory: Path) -> Dict[str, bytes]:
        return {str(p.relative_to(directory)): p.read_bytes() for p in sorted(directory.rglob("*")) if p.is_file()}

    assert files(runner_directory(python)) == files(runner_directory(typescript))

    if variant == "build":
        context = python.directory / next(iter(python.stack["resource"]["docker_image"].values()))["build"]["context"]
        # The wheel ships the worker's build context without its tests (.npmignore).
        assert (context / "Dockerfile").is_file() and not (context / "tests").exists()
        typescript_context = typescript.directory / next(iter(typescript.stack["resource"]["docker_image"].values()))["build"]["context"]
        assert (context / "Dockerfile").read_bytes() == (typescript_context / "Dockerfile").read_bytes()


def test_the_installed_wheel_is_built_from_this_checkout() -> None:
    # A stale cached venv would compare yesterday's library: the assembly fingerprints must agree.
    import cdktf_runpod_avatar._jsii as bundled

    (tarball,) = Path(bundled.__file__).parent.glob("*.jsii.tgz")
    with tarfile.open(tarball) as archive:
        member = archive.extractfile("package/.jsii")
        assert member is not None
        installed = json.load(member)
    checkout = json.loads((REPO / ".jsii").read_text())
    assert installed["fingerprint"] == checkout["fingerprint"]


def test_the_comparison_reports_each_changed_attribute(synthesized: Dict[str, Dict[str, Synthesized]]) -> None:
    typescript = synthesized["build"]["typescript"].stack
    changed = copy.deepcopy(synthesized["build"]["python"].stack)
    (volume_name,) = changed["resource"]["runpod_network_volume"]
    changed["resource"]["runpod_network_volume"][volume_name]["size"] += 1
    (endpoint_name,) = changed["resource"]["runpod_serverless_endpoint"]
    del changed["resource"]["runpod_serverless_endpoint"][endpoint_name]["env"]["HF_HUB_OFFLINE"]
    (job_name,) = changed["resource"]["null_resource"]
    changed["resource"]["null_resource"][job_name]["provisioner"][0]["local-exec"]["environment"]["EXTRA"] = "1"
    changed["variable"]["data_center"]["default"] = "US-KS-2"

    found = [
        line.split(": TypeScript ")[0]
        for resource_type in KEY_ATTRIBUTES
        for line in differences(key_attributes(typescript, resource_type), key_attributes(changed, resource_type))
    ] + [line.split(": TypeScript ")[0] for line in differences(stack_settings(typescript), stack_settings(changed))]
    assert found == [
        f"runpod_network_volume.{volume_name}.size",
        f"runpod_serverless_endpoint.{endpoint_name}.env.HF_HUB_OFFLINE",
        f"null_resource.{job_name}.provisioner.0.local-exec.environment.EXTRA",
        "variable.data_center.default",
    ]
    # The two variants differ, and the comparison says so.
    other = synthesized["prebuilt-s3"]["python"].stack
    assert differences(key_attributes(typescript, "runpod_serverless_endpoint"), key_attributes(other, "runpod_serverless_endpoint"))
