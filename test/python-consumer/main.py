"""The example app in Python (examples/l40s-deployment/main.ts): `python main.py` synthesizes into
$CDKTF_OUTDIR (default cdktf.out), reading the same environment variables as main.ts."""

import os

from cdktf import App

from stack import L40sDeploymentStack

# Synthesis needs no credentials. Set AVATAR_IMAGE to a prebuilt `repository@sha256:…` to skip the
# image build, or AVATAR_IMAGE_REPOSITORY to the repository the built image is pushed to.
app = App()
L40sDeploymentStack(
    app,
    "l40s-deployment",
    prebuilt_image=os.environ.get("AVATAR_IMAGE") or None,
    image_repository=os.environ.get("AVATAR_IMAGE_REPOSITORY") or None,
    default_data_center=os.environ.get("AVATAR_DATA_CENTER") or None,
    s3_delivery=os.environ.get("AVATAR_S3_DELIVERY") == "true",
)
app.synth()
