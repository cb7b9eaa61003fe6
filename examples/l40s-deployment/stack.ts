import { DockerProvider } from '@cdktf/provider-docker/lib/provider';
import { NullProvider } from '@cdktf/provider-null/lib/provider';
import { TerraformOutput, TerraformStack, TerraformVariable } from 'cdktf';
import { Construct } from 'constructs';
import {
  AvatarServerlessEndpoint,
  InfiniteTalkImage,
  IWorkerImage,
  ModelSet,
  ModelVolume,
  OutputBucket,
  SecretValue,
  StorageInitJob,
  runpod,
} from '../../src';

/** Options of the example L40S deployment. */
export interface L40sDeploymentOptions {
  /** Data centre used when the `data_center` variable is not set. @default "EU-RO-1" */
  readonly defaultDataCenter?: string;
  /** Model set to deploy. @default ModelSet.FP8_LIGHTX2V (4 steps, the fast default) */
  readonly modelSet?: ModelSet;
  /**
   * A prebuilt worker image (`repository@sha256:…`). When set, nothing is built and no Docker daemon
   * is needed at deploy time. @default - build docker/ and push it to `imageRepository`
   */
  readonly prebuiltImage?: string;
  /** Repository the built image is pushed to. @default "docker.io/your-org/infinitetalk-worker" */
  readonly imageRepository?: string;
  /** Upload videos to the volume's data centre S3 API (keys from RunPod secrets). @default false */
  readonly s3Delivery?: boolean;
  /** RunPod API base URL for the storage init runner (an emulator in tests). @default - RunPod's */
  readonly apiBaseUrl?: string;
  /** Longest audio a job may send, in seconds. @default - the endpoint's default */
  readonly maxAudioSeconds?: number;
}

/**
 * The full L40S deployment: a network volume sized for the model set, the worker image, the storage
 * init job that fills the volume, and the serverless endpoint that serves jobs.
 */
export class L40sDeploymentStack extends TerraformStack {
  public readonly volume: ModelVolume;
  public readonly image: IWorkerImage;
  public readonly storageInit: StorageInitJob;
  public readonly endpoint: AvatarServerlessEndpoint;

  constructor(scope: Construct, id: string, options: L40sDeploymentOptions = {}) {
    super(scope, id);

    // Credentials come from the environment of `cdktf deploy` (RUNPOD_API_KEY, HF_TOKEN,
    // TF_VAR_… for sensitive variables), never from this file.
    new runpod.provider.RunpodProvider(this, 'runpod', {});
    new NullProvider(this, 'null');

    const dataCenter = new TerraformVariable(this, 'data_center', {
      type: 'string',
      default: options.defaultDataCenter ?? 'EU-RO-1',
      description:
        'RunPod data centre for the volume, the init pod and the endpoint workers. It must offer L40S serverless capacity and, for S3 delivery, the S3 API (EU-RO-1 does).',
    });

    this.volume = new ModelVolume(this, 'models', {
      dataCenter: dataCenter.stringValue,
      modelSet: options.modelSet ?? ModelSet.FP8_LIGHTX2V,
    });

    if (options.prebuiltImage) {
      this.image = InfiniteTalkImage.fromRegistry(this, 'worker-image', options.prebuiltImage);
    } else {
      new DockerProvider(this, 'docker', {});
      this.image = new InfiniteTalkImage(this, 'worker-image', {
        repository: options.imageRepository ?? 'docker.io/your-org/infinitetalk-worker',
      });
    }

    this.storageInit = new StorageInitJob(this, 'fill-models', {
      volume: this.volume,
      image: this.image,
      apiBaseUrl: options.apiBaseUrl,
    });

    // Videos on the volume itself, through RunPod's S3 API (bucket = volume id, region = data centre).
    const outputBucket = options.s3Delivery
      ? OutputBucket.runpodVolume(this.volume, {
        accessKeyId: SecretValue.runpodSecret('avatar_s3_access_key'),
        secretAccessKey: SecretValue.runpodSecret('avatar_s3_secret_key'),
      })
      : undefined;

    // The job carries the volume it fills and the image it ran; the endpoint takes both from it.
    this.endpoint = new AvatarServerlessEndpoint(this, 'avatar', {
      storageInitJob: this.storageInit,
      outputBucket,
      maxAudioSeconds: options.maxAudioSeconds,
    });

    new TerraformOutput(this, 'volume_id', { value: this.volume.volumeId, description: 'RunPod network volume holding the models' });
  }
}
