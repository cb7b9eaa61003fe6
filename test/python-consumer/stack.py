"""The example L40S deployment written by a Python user against the published wheel.

It mirrors examples/l40s-deployment/stack.ts statement by statement (same construct ids, same props),
so test_same_as_typescript.py can hold the two synthesized stacks side by side. Change both together.
"""

from typing import Optional

from cdktf import TerraformOutput, TerraformStack, TerraformVariable
from cdktf_cdktf_provider_docker.provider import DockerProvider
from cdktf_cdktf_provider_null.provider import NullProvider
from constructs import Construct

from cdktf_runpod_avatar import (
    AvatarServerlessEndpoint,
    InfiniteTalkImage,
    IWorkerImage,
    ModelSet,
    ModelVolume,
    OutputBucket,
    SecretValue,
    StorageInitJob,
    runpod,
)


class L40sDeploymentStack(TerraformStack):
    """The full L40S deployment: volume, worker image, storage init job and serverless endpoint.

    The keyword arguments are L40sDeploymentOptions of stack.ts in snake case, with the same defaults.
    """

    def __init__(
        self,
        scope: Construct,
        id: str,
        *,
        default_data_center: Optional[str] = None,
        model_set: Optional[ModelSet] = None,
        prebuilt_image: Optional[str] = None,
        image_repository: Optional[str] = None,
        s3_delivery: bool = False,
        api_base_url: Optional[str] = None,
        max_audio_seconds: Optional[float] = None,
    ) -> None:
        super().__init__(scope, id)

        # Credentials come from the environment of `cdktf deploy` (RUNPOD_API_KEY, HF_TOKEN,
        # TF_VAR_… for sensitive variables), never from this file.
        runpod.provider.RunpodProvider(self, "runpod")
        NullProvider(self, "null")

        data_center = TerraformVariable(
            self,
            "data_center",
            type="string",
            default=default_data_center or "EU-RO-1",
            description=(
                "RunPod data centre for the volume, the init pod and the endpoint workers. It must offer L40S "
                "serverless capacity and, for S3 delivery, the S3 API (EU-RO-1 does)."
            ),
        )

        self.volume = ModelVolume(
            self,
            "models",
            data_center=data_center.string_value,
            model_set=model_set or ModelSet.FP8_LIGHTX2_V,  # jsii spells TypeScript's FP8_LIGHTX2V so in Python
        )

        self.image: IWorkerImage
        if prebuilt_image:
            self.image = InfiniteTalkImage.from_registry(self, "worker-image", prebuilt_image)
        else:
            DockerProvider(self, "docker")
            self.image = InfiniteTalkImage(
                self,
                "worker-image",
                repository=image_repository or "docker.io/your-org/infinitetalk-worker",
            )

        self.storage_init = StorageInitJob(
            self,
            "fill-models",
            volume=self.volume,
            image=self.image,
            api_base_url=api_base_url,
        )

        # Videos on the volume itself, through RunPod's S3 API (bucket = volume id, region = data centre).
        output_bucket: Optional[OutputBucket] = None
        if s3_delivery:
            output_bucket = OutputBucket.runpod_volume(
                self.volume,
                access_key_id=SecretValue.runpod_secret("avatar_s3_access_key"),
                secret_access_key=SecretValue.runpod_secret("avatar_s3_secret_key"),
            )

        # The job carries the volume it fills and the image it ran; the endpoint takes both from it.
        self.endpoint = AvatarServerlessEndpoint(
            self,
            "avatar",
            storage_init_job=self.storage_init,
            output_bucket=output_bucket,
            max_audio_seconds=max_audio_seconds,
        )

        TerraformOutput(
            self, "volume_id", value=self.volume.volume_id, description="RunPod network volume holding the models"
        )
