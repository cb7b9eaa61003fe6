import * as fs from 'fs';
import * as path from 'path';
import { NullProvider } from '@cdktf/provider-null/lib/provider';
import { Resource } from '@cdktf/provider-null/lib/resource';
import { TerraformStack, TerraformVariable, Testing } from 'cdktf';
import {
  AvatarServerlessEndpoint,
  GenerationPreset,
  GpuSelection,
  InfiniteTalkImage,
  ModelManifest,
  OutputBucket,
  ModelSet,
  ModelVolume,
  Resolution,
  SecretValue,
  StorageInitJob,
  initTimeoutSeconds,
  runpod,
} from '../src';
import { checkWithTerraform } from './terraform/lane';
import { annotations, newStack, onlyResource, resources, synthJson } from './util';

const DIGEST = `sha256:${'cd'.repeat(32)}`;
const IMAGE = `docker.io/acme/infinitetalk-worker@${DIGEST}`;

function setup(modelSet = ModelSet.FP8, stack: TerraformStack = newStack()) {
  const volume = new ModelVolume(stack, 'models', { dataCenter: 'EU-RO-1', modelSet });
  const image = InfiniteTalkImage.fromRegistry(stack, 'image', IMAGE);
  return { stack, volume, image };
}

function bucketProps() {
  return {
    endpointUrl: 'https://acct.r2.cloudflarestorage.com',
    bucketName: 'avatar-videos',
    region: 'auto',
    accessKeyId: SecretValue.runpodSecret('s3_access_key'),
    secretAccessKey: SecretValue.runpodSecret('s3_secret_key'),
  };
}

function bucket() {
  return OutputBucket.s3Compatible(bucketProps());
}

describe('AvatarServerlessEndpoint', () => {
  test('defaults: QUEUE, L40S only, 0-5 workers, QUEUE_DELAY 4 s, FlashBoot, the volume and its data centre', () => {
    const { stack, volume, image } = setup();
    const endpoint = new AvatarServerlessEndpoint(stack, 'avatar', { volume, image });
    const resource = onlyResource(synthJson(stack), 'runpod_serverless_endpoint');
    expect(resource).toMatchObject({
      endpoint_type: 'QUEUE',
      image: IMAGE,
      compute_type: 'GPU',
      gpu_pools: ['ADA_48_PRO'],
      excluded_types: ['NVIDIA L40', 'NVIDIA RTX 6000 Ada Generation'],
      gpu_count: 1,
      min_cuda_version: '12.1',
      workers_min: 0,
      workers_max: 5,
      idle_timeout: 60,
      scaling_type: 'QUEUE_DELAY',
      scaling_value: 4,
      flashboot: 'FLASHBOOT',
      network_volumes: [expect.stringMatching(/^\$\{runpod_network_volume\.models_.*\.id\}$/)],
      data_center_ids: ['EU-RO-1'],
      disk: 30,
    });
    expect(resource.template_id).toBeUndefined();
    // fp8's default preset (40 steps, text CFG 1): 40 x 2 passes x 14.6 s + 20.3 s = 1188 s per 480p
    // chunk (l40s-figures.ts); 10 s of audio is 4 chunks: 30 s + 4 x 1188 s = 4782 s, plus 25 % rounded up to a minute.
    expect(GenerationPreset.BALANCED_40STEP_CFG1.expectedJobSeconds(Resolution.P480, 10)).toBe(4782);
    expect(endpoint.executionTimeoutSeconds).toBe(6000);
    expect(resource.timeout).toBe(endpoint.executionTimeoutSeconds * 1000);
  });

  test('jobs may ask for at most the preset\'s steps unless maxStepsPerJob allows more, and the timeout covers that worst job', () => {
    const { stack, volume, image } = setup(ModelSet.BF16_LIGHTX2V);
    const fast = new AvatarServerlessEndpoint(stack, 'fast', { volume, image });
    expect(JSON.parse(fast.environment.AVATAR_PRESET).maxStepsAllowed).toBe(4);
    expect(fast.maxStepsPerJob).toBe(4);
    // 4 chunks of (4 steps x 2 passes x 24.3 s streamed + 22.6 s) + 30 s = 898 s, plus 25 % rounded up to a minute.
    expect(fast.executionTimeoutSeconds).toBe(1140);
    const flexible = new AvatarServerlessEndpoint(stack, 'flexible', { volume, image, maxStepsPerJob: 12 });
    expect(JSON.parse(flexible.environment.AVATAR_PRESET).maxStepsAllowed).toBe(12);
    // 12 steps: 4 x (12 x 2 x 24.3 + 22.6) + 30 = 2454 s, plus 25 % rounded up to a minute.
    expect(GenerationPreset.LIGHTX2V_4STEP_LOW_VRAM.expectedJobSeconds(Resolution.P480, 10, 12)).toBe(2454);
    expect(flexible.executionTimeoutSeconds).toBe(3120);
    expect(() => new AvatarServerlessEndpoint(stack, 'short', { volume, image, maxStepsPerJob: 12, executionTimeoutSeconds: 1800 })).toThrow(
      /is estimated to take about 2454 s for 10 s of audio at 480p with 12 steps on an L40S/,
    );
  });

  test('an execution timeout given as a Terraform variable is converted to milliseconds by Terraform', () => {
    const { stack, volume, image } = setup();
    const seconds = new TerraformVariable(stack, 'timeout_seconds', { type: 'number', default: 7200 });
    new AvatarServerlessEndpoint(stack, 'avatar', { volume, image, executionTimeoutSeconds: seconds.numberValue });
    expect(onlyResource(synthJson(stack), 'runpod_serverless_endpoint').timeout).toBe('${(var.timeout_seconds * 1000)}');
    checkWithTerraform(stack, { plan: true });
  });

  test('every API-defaulted attribute that differs from the console is set explicitly', () => {
    const { stack, volume, image } = setup();
    new AvatarServerlessEndpoint(stack, 'avatar', { volume, image });
    const resource = onlyResource(synthJson(stack), 'runpod_serverless_endpoint');
    const explicit = ['workers_min', 'workers_max', 'idle_timeout', 'timeout', 'flashboot', 'scaling_type', 'scaling_value', 'gpu_count', 'disk'];
    for (const key of [...explicit, 'compute_type', 'data_center_ids', 'network_volumes']) {
      expect(resource[key], key).toBeDefined();
    }
  });

  test('the worker environment carries the manifest, the model root, the preset and the init timeout', () => {
    const { stack, volume, image } = setup();
    new AvatarServerlessEndpoint(stack, 'avatar', { volume, image, maxAudioSeconds: 20 });
    const env = onlyResource(synthJson(stack), 'runpod_serverless_endpoint').env;
    expect(env.AVATAR_MODE).toBe('serve');
    expect(env.AVATAR_MODEL_MANIFEST).toBe(ModelManifest.of(ModelSet.FP8).json);
    expect(env.AVATAR_MODEL_MANIFEST_SHA256).toBe(ModelManifest.of(ModelSet.FP8).sha256);
    expect(env.AVATAR_MODEL_ROOT).toBe('/runpod-volume/infinitetalk');
    expect(JSON.parse(env.AVATAR_PRESET)).toMatchObject({ name: 'balanced-40step-cfg1', sampleSteps: 40, textGuideScale: 1, resolutions: [480] });
    expect(env.AVATAR_MAX_AUDIO_SECONDS).toBe('20');
    expect(env.HF_HUB_OFFLINE).toBe('1');
    expect(env.RUNPOD_INIT_TIMEOUT).toBe('600');
    expect(initTimeoutSeconds(ModelSet.BF16_LIGHTX2V)).toBeGreaterThan(600);
  });

  test('workerSettings become the worker\'s AVATAR_* variables, checked with the worker\'s bounds', () => {
    const { stack, volume, image } = setup();
    const endpoint = new AvatarServerlessEndpoint(stack, 'avatar', {
      volume,
      image,
      workerSettings: { maxImageBytes: 5_000_000, minAudioSeconds: 1, inlineOutputMaxBytes: 0, fetchAllowNetworks: ['10.1.0.0/16'] },
    });
    expect(endpoint.environment).toMatchObject({
      AVATAR_MAX_IMAGE_BYTES: '5000000',
      AVATAR_MIN_AUDIO_SECONDS: '1',
      AVATAR_INLINE_OUTPUT_MAX_BYTES: '0',
      AVATAR_FETCH_ALLOW_NETWORKS: '10.1.0.0/16',
    });
    expect(endpoint.environment.AVATAR_MAX_AUDIO_BYTES).toBeUndefined();
    expect(annotations(endpoint, 'warning').join('\n')).toMatch(/fetchAllowNetworks` lets anyone who can submit jobs/);
    expect(() => new AvatarServerlessEndpoint(stack, 'b', { volume, image, workerSettings: { maxImageBytes: 1023 } })).toThrow(
      /`workerSettings.maxImageBytes` is 1023 but must be an integer between 1024 and 1073741824/,
    );
    expect(() => new AvatarServerlessEndpoint(stack, 'c', { volume, image, workerSettings: { minAudioSeconds: 12 } })).toThrow(/cannot be longer than the longest/);
  });

  test('docs/CONFIGURATION.md documents every variable the endpoint sets', () => {
    const { stack, volume, image } = setup();
    const everySetting = { minAudioSeconds: 1, maxImageBytes: 2048, maxAudioBytes: 2048, maxImagePixels: 5000, fetchTimeoutSeconds: 5, inlineOutputMaxBytes: 5, urlExpirySeconds: 5, fetchAllowNetworks: ['10.0.0.0/8'] };
    const endpoint = new AvatarServerlessEndpoint(stack, 'avatar', { volume, image, outputBucket: bucket(), workerSettings: everySetting });
    const docs = fs.readFileSync(path.join(__dirname, '..', 'docs', 'CONFIGURATION.md'), 'utf8');
    const missing = Object.keys(endpoint.environment).filter((name) => !docs.includes(`\`${name}\``));
    expect(missing).toEqual([]);
  });

  test('outputs the endpoint id and its /run, /runsync, /status and /health URLs', () => {
    const { stack, volume, image } = setup();
    new AvatarServerlessEndpoint(stack, 'avatar', { volume, image });
    const outputs = synthJson(stack).output;
    const values = Object.values(outputs).map((o: any) => o.value);
    expect(values).toEqual(
      expect.arrayContaining([
        expect.stringMatching(/^\$\{runpod_serverless_endpoint\.avatar_.*\.id\}$/),
        expect.stringMatching(/^https:\/\/api\.runpod\.ai\/v2\/\$\{.*\}\/run$/),
        expect.stringMatching(/\/runsync$/),
        expect.stringMatching(/\/status$/),
        expect.stringMatching(/\/health$/),
      ]),
    );
  });

  test('takes the volume and the image from its storage init job and is created after it', () => {
    const { stack, volume, image } = setup();
    new NullProvider(stack, 'null');
    const job = new StorageInitJob(stack, 'init', { volume, image });
    new AvatarServerlessEndpoint(stack, 'avatar', { storageInitJob: job });
    const resource = onlyResource(synthJson(stack), 'runpod_serverless_endpoint');
    expect(resource.depends_on).toEqual([expect.stringMatching(/^null_resource\.init/)]);
    expect(resource.network_volumes).toEqual([expect.stringMatching(/^\$\{runpod_network_volume\.models_.*\.id\}$/)]);
    expect(resource.image).toBe(IMAGE);
  });

  test('may run another image than its storage init job', () => {
    const { stack, volume, image } = setup();
    new NullProvider(stack, 'null');
    const job = new StorageInitJob(stack, 'init', { volume, image });
    const newer = InfiniteTalkImage.fromRegistry(stack, 'newer', `docker.io/acme/infinitetalk-worker@sha256:${'ef'.repeat(32)}`);
    new AvatarServerlessEndpoint(stack, 'avatar', { storageInitJob: job, image: newer });
    expect(onlyResource(synthJson(stack), 'runpod_serverless_endpoint').image).toBe(newer.imageUri);
  });

  test('options: the whole ADA_48_PRO pool, workers, timeouts, FlashBoot off, disk, extra env', () => {
    const { stack, volume, image } = setup();
    new AvatarServerlessEndpoint(stack, 'avatar', {
      volume,
      image,
      gpu: GpuSelection.ada48Pool(),
      workersMin: 1,
      workersMax: 10,
      idleTimeoutSeconds: 300,
      queueDelaySeconds: 2.5,
      executionTimeoutSeconds: 7200,
      flashBoot: false,
      containerDiskGb: 50,
      name: 'avatar-prod',
      environment: { LOG_FORMAT: 'json' },
      maxAudioSeconds: 5,
    });
    expect(onlyResource(synthJson(stack), 'runpod_serverless_endpoint')).toMatchObject({
      name: 'avatar-prod',
      excluded_types: [],
      workers_min: 1,
      workers_max: 10,
      idle_timeout: 300,
      scaling_value: 2.5,
      timeout: 7_200_000,
      flashboot: 'OFF',
      disk: 50,
      env: expect.objectContaining({ LOG_FORMAT: 'json' }),
    });
  });

  test('S3 delivery settings go through RunPod secrets, never literals', () => {
    const { stack, volume, image } = setup();
    new AvatarServerlessEndpoint(stack, 'avatar', { volume, image, outputBucket: bucket() });
    const env = onlyResource(synthJson(stack), 'runpod_serverless_endpoint').env;
    expect(env).toMatchObject({
      BUCKET_ENDPOINT_URL: 'https://acct.r2.cloudflarestorage.com',
      BUCKET_NAME: 'avatar-videos',
      BUCKET_REGION: 'auto',
      BUCKET_ACCESS_KEY_ID: '{{ RUNPOD_SECRET_s3_access_key }}',
      BUCKET_SECRET_ACCESS_KEY: '{{ RUNPOD_SECRET_s3_secret_key }}',
      BUCKET_KEY_PREFIX: 'avatar-videos/',
      BUCKET_PRESIGNED_URLS: 'true',
    });
  });

  test('the volume as output bucket: bucket = volume id, region = data centre, endpoint of the data centre, no presigned URLs', () => {
    const { stack, volume, image } = setup();
    const endpoint = new AvatarServerlessEndpoint(stack, 'avatar', {
      volume,
      image,
      outputBucket: OutputBucket.runpodVolume(volume, { accessKeyId: SecretValue.runpodSecret('s3_access_key'), secretAccessKey: SecretValue.runpodSecret('s3_secret_key') }),
    });
    expect(onlyResource(synthJson(stack), 'runpod_serverless_endpoint').env).toMatchObject({
      BUCKET_ENDPOINT_URL: 'https://s3api-eu-ro-1.runpod.io',
      BUCKET_NAME: expect.stringMatching(/^\$\{runpod_network_volume\.models_.*\.id\}$/),
      BUCKET_REGION: 'EU-RO-1',
      BUCKET_KEY_PREFIX: 'avatar-videos/',
      BUCKET_PRESIGNED_URLS: 'false',
    });
    expect(annotations(endpoint, 'warning')).toEqual([]);
  });

  test('S3 keys can be sensitive Terraform variables', () => {
    const { stack, volume, image } = setup();
    new AvatarServerlessEndpoint(stack, 'avatar', {
      volume,
      image,
      outputBucket: OutputBucket.s3Compatible({ ...bucketProps(), secretAccessKey: SecretValue.terraformVariable(stack, 's3_secret', 'S3 secret key') }),
    });
    const json = synthJson(stack);
    expect(json.variable.s3_secret.sensitive).toBe(true);
    expect(onlyResource(json, 'runpod_serverless_endpoint').env.BUCKET_SECRET_ACCESS_KEY).toBe('${var.s3_secret}');
  });

  test('bf16 + lightx2v at 720p fits with streaming and warns about host RAM', () => {
    const { stack, volume, image } = setup(ModelSet.BF16_LIGHTX2V);
    const endpoint = new AvatarServerlessEndpoint(stack, 'avatar', { volume, image, maxResolution: Resolution.P720 });
    expect(JSON.parse(endpoint.environment.AVATAR_PRESET)).toMatchObject({ name: 'lightx2v-4step-low-vram', numPersistentParamInDit: 0, resolutions: [480, 720] });
    expect(annotations(endpoint, 'warning').join('\n')).toMatch(/peaks at about 72.3 GB of host RAM/);
  });

  describe('validation', () => {
    test('fails when the model set does not fit the GPU memory at the chosen resolution', () => {
      const { stack, volume, image } = setup();
      expect(() => new AvatarServerlessEndpoint(stack, 'a', { volume, image, maxResolution: Resolution.P720 })).toThrow(
        'the fp8 model set needs about 54.7 GB of GPU memory at 720p with preset balanced-40step-cfg1, more than the 48 GB of ADA_48_PRO: ' +
          'set `maxResolution` to Resolution.P480, or pick a pool with more memory.',
      );
      // A set that also runs streamed is pointed at the low-VRAM preset that fits.
      const bf16 = ModelSet.BF16_LIGHTX2V;
      const both = ModelSet.custom({
        name: 'bf16-both',
        models: bf16.models,
        pipeline: bf16.pipeline,
        gpuMemory: bf16.gpuMemory,
        hostRamGb: bf16.hostRamGb,
        presets: [GenerationPreset.LIGHTX2V_4STEP, GenerationPreset.LIGHTX2V_4STEP_LOW_VRAM],
      });
      const other = setup(both);
      expect(() => new AvatarServerlessEndpoint(other.stack, 'b', { volume: other.volume, image: other.image })).toThrow(
        'needs about 65.8 GB of GPU memory at 480p with preset lightx2v-4step, more than the 48 GB of ADA_48_PRO: ' +
          'use the low-VRAM preset lightx2v-4step-low-vram, or pick a pool with more memory.',
      );
    });
    test('fails when the preset is not one the model set runs', () => {
      const { stack, volume, image } = setup();
      expect(() => new AvatarServerlessEndpoint(stack, 'a', { volume, image, preset: GenerationPreset.LIGHTX2V_4STEP })).toThrow(
        /`preset` is lightx2v-4step but the fp8 model set runs balanced-40step-cfg1, quality-40step/,
      );
    });
    test('fails when the volume is in another data centre', () => {
      const { stack, volume, image } = setup();
      expect(() => new AvatarServerlessEndpoint(stack, 'a', { volume, image, dataCenter: 'US-KS-2' })).toThrow(
        '`dataCenter` is US-KS-2 but the volume is in EU-RO-1',
      );
    });
    test('fails when the volume is too small for the model set', () => {
      const stack = newStack();
      const volume = ModelVolume.fromVolumeAttributes(stack, 'shared', { volumeId: 'v1', dataCenter: 'EU-RO-1', sizeGb: 4096 });
      const small = { ...volume, sizeGb: 20, modelSet: volume.modelSet, manifest: volume.manifest, modelPath: volume.modelPath };
      expect(() => new AvatarServerlessEndpoint(stack, 'a', { volume: small, image: InfiniteTalkImage.fromRegistry(stack, 'i', IMAGE) })).toThrow(
        'the volume is 20 GB but the fp8 model set needs 32 GB',
      );
    });
    test('fails when given both a storage init job and a volume, or neither', () => {
      const { stack, volume, image } = setup();
      new NullProvider(stack, 'null');
      const job = new StorageInitJob(stack, 'init', { volume, image });
      expect(() => new AvatarServerlessEndpoint(stack, 'a', { volume, image, storageInitJob: job })).toThrow(
        'give `storageInitJob` or `volume`, not both: the storage init job carries the volume it fills',
      );
      expect(() => new AvatarServerlessEndpoint(stack, 'b', { image })).toThrow('give `storageInitJob` (the job that fills the volume) or, for a volume filled elsewhere, `volume`.');
      expect(() => new AvatarServerlessEndpoint(stack, 'c', { volume })).toThrow('give `image`');
    });
    test('fails when workersMin is above workersMax', () => {
      const { stack, volume, image } = setup();
      expect(() => new AvatarServerlessEndpoint(stack, 'a', { volume, image, workersMin: 4, workersMax: 2 })).toThrow(
        '`workersMin` is 4 but `workersMax` is 2',
      );
    });
    test('fails when workersMax is above the sane bound', () => {
      const { stack, volume, image } = setup();
      expect(() => new AvatarServerlessEndpoint(stack, 'a', { volume, image, workersMax: 500 })).toThrow(/`workersMax` is 500 but must be an integer between 1 and 50/);
    });
    test('fails when workersMin is negative', () => {
      const { stack, volume, image } = setup();
      expect(() => new AvatarServerlessEndpoint(stack, 'a', { volume, image, workersMin: -1 })).toThrow(/`workersMin` is -1/);
    });
    test('fails when the execution timeout is shorter than the preset is expected to take, and says the figure', () => {
      const { stack, volume, image } = setup(ModelSet.BF16_LIGHTX2V);
      expect(() => new AvatarServerlessEndpoint(stack, 'a', { volume, image, executionTimeoutSeconds: 120, maxAudioSeconds: 10 })).toThrow(
        '`executionTimeoutSeconds` is 120 but preset lightx2v-4step-low-vram is estimated to take about 898 s for 10 s of audio at 480p with 4 steps on an L40S (4 chunks of ~217 s)',
      );
    });
    test('fails when the execution timeout is beyond 7 days', () => {
      const { stack, volume, image } = setup();
      expect(() => new AvatarServerlessEndpoint(stack, 'a', { volume, image, executionTimeoutSeconds: 8 * 24 * 3600 })).toThrow(/between 5 and 604800/);
    });
    test('fails when the idle timeout is out of range', () => {
      const { stack, volume, image } = setup();
      expect(() => new AvatarServerlessEndpoint(stack, 'a', { volume, image, idleTimeoutSeconds: 0 })).toThrow(/`idleTimeoutSeconds` is 0/);
    });
    test('fails when the queue delay is below 0.5 s', () => {
      const { stack, volume, image } = setup();
      expect(() => new AvatarServerlessEndpoint(stack, 'a', { volume, image, queueDelaySeconds: 0.1 })).toThrow(/`queueDelaySeconds` is 0.1/);
    });
    test('fails when the audio cap is outside what the worker accepts', () => {
      const { stack, volume, image } = setup();
      expect(() => new AvatarServerlessEndpoint(stack, 'a', { volume, image, maxAudioSeconds: 0.5 })).toThrow(/`maxAudioSeconds` is 0.5 but must be a number between 1 and 600/);
      expect(() => new AvatarServerlessEndpoint(stack, 'b', { volume, image, maxAudioSeconds: 601 })).toThrow(/`maxAudioSeconds` is 601/);
    });
    test('fails when maxStepsPerJob is below the preset\'s steps or above the worker\'s 50', () => {
      const { stack, volume, image } = setup();
      expect(() => new AvatarServerlessEndpoint(stack, 'a', { volume, image, maxStepsPerJob: 39 })).toThrow(/`maxStepsPerJob` is 39 but must be an integer between 40 and 50/);
      expect(() => new AvatarServerlessEndpoint(stack, 'b', { volume, image, maxStepsPerJob: 51 })).toThrow(/`maxStepsPerJob` is 51/);
    });
    test('fails when a secret is passed as a plain string', () => {
      expect(() => SecretValue.fromToken('AKIAPLAINTEXTKEY')).toThrow(/a secret was passed as a plain string/);
      expect(() => SecretValue.runpodSecret('bad name')).toThrow(/`name` is "bad name" but must be the bare name of a RunPod secret/);
    });
    test('fails when extra environment overrides a managed variable', () => {
      const { stack, volume, image } = setup();
      expect(() => new AvatarServerlessEndpoint(stack, 'a', { volume, image, environment: { BUCKET_NAME: 'x' } })).toThrow(
        /`environment` sets BUCKET_NAME, which the construct manages/,
      );
    });

    test('fails on a malformed GPU pool', () => {
      expect(() => GpuSelection.pool('ada 48', { memoryGb: 48 })).toThrow(/GPU pool "ada 48" is not a RunPod pool id/);
    });
    test('a tag-only image warns', () => {
      const stack = newStack();
      const volume = new ModelVolume(stack, 'models', { dataCenter: 'EU-RO-1' });
      const image = InfiniteTalkImage.fromRegistry(stack, 'image', 'acme/worker:v1');
      const endpoint = new AvatarServerlessEndpoint(stack, 'a', { volume, image });
      expect(annotations(endpoint, 'warning').join('\n')).toMatch(/not pinned by digest/);
    });
  });

  describe('composition', () => {
    test('two endpoints (480p and 720p) share one volume and one image without id collisions', () => {
      const { stack, volume, image } = setup(ModelSet.BF16_LIGHTX2V);
      const sd = new AvatarServerlessEndpoint(stack, 'avatar-480', { volume, image });
      const hd = new AvatarServerlessEndpoint(stack, 'avatar-720', { volume, image, maxResolution: Resolution.P720, maxAudioSeconds: 5 });
      const json = synthJson(stack);
      const endpoints = resources(json, 'runpod_serverless_endpoint');
      expect(endpoints).toHaveLength(2);
      expect(new Set(endpoints.map((e) => e.name)).size).toBe(2);
      expect(new Set(endpoints.map((e) => e.network_volumes[0])).size).toBe(1);
      expect(resources(json, 'runpod_network_volume')).toHaveLength(1);
      expect(Object.keys(json.output)).toHaveLength(10);
      expect(sd.endpointId).not.toBe(hd.endpointId);
      checkWithTerraform(stack, { plan: true });
    });

    test('an endpoint in a user stack next to other resources, on a volume shared from another stack', () => {
      const app = Testing.app();
      const stack = new TerraformStack(app, 'platform');
      new runpod.provider.RunpodProvider(stack, 'runpod', {});
      new NullProvider(stack, 'null');
      new Resource(stack, 'something-else');
      const volume = ModelVolume.fromVolumeAttributes(stack, 'shared', { volumeId: 'vol-abc', dataCenter: 'EU-RO-1', sizeGb: 60 });
      const image = InfiniteTalkImage.fromRegistry(stack, 'image', IMAGE);
      const endpoint = new AvatarServerlessEndpoint(stack, 'avatar', { volume, image, createOutputs: false });
      endpoint.endpoint.addOverride('lifecycle.prevent_destroy', true);
      const json = synthJson(stack);
      expect(onlyResource(json, 'runpod_serverless_endpoint')).toMatchObject({ network_volumes: ['vol-abc'], lifecycle: { prevent_destroy: true } });
      expect(resources(json, 'null_resource')).toHaveLength(1);
      expect(json.output).toBeUndefined();
      checkWithTerraform(stack, { plan: true });
    });
  });

  test('real Terraform validates and plans the default endpoint', () => {
    const { stack, volume, image } = setup();
    new AvatarServerlessEndpoint(stack, 'avatar', { volume, image, outputBucket: bucket() });
    checkWithTerraform(stack, { plan: true });
  });

  test('snapshot', () => {
    const { stack, volume, image } = setup();
    new AvatarServerlessEndpoint(stack, 'avatar', { volume, image });
    expect(Testing.synth(stack)).toMatchSnapshot();
  });
});
