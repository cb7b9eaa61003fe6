import { NullProvider } from '@cdktf/provider-null/lib/provider';
import { Testing, TerraformStack, TerraformVariable } from 'cdktf';
import { annotations, newStack, onlyResource, synthJson } from './util';
import { InfiniteTalkImage } from '../src/infinitetalk-image';
import { ModelSet } from '../src/model-set';
import { ModelVolume } from '../src/model-volume';
import { RUNNER_VERSION } from '../src/runner/version';
import { InitCompute, StorageInitJob, StorageInitJobProps } from '../src/storage-init-job';
import { ensureRunnerCompiled } from './runpod-emulator/compile-runner';
import { checkWithTerraform } from './terraform/lane';

const DIGEST_IMAGE = `docker.io/acme/infinitetalk-worker@sha256:${'b'.repeat(64)}`;

beforeAll(() => {
  // the construct packages lib/runner as an asset: make sure it exists
  ensureRunnerCompiled();
});

interface ImageOptions {
  /** Reference of the prebuilt image. */
  readonly reference?: string;
  /** Its RunPod registry credential. */
  readonly registryAuthId?: string;
}

type VolumeOptions = { modelSet?: ModelSet; dataCenter?: string; name?: string };

function build(props: Partial<StorageInitJobProps> = {}, volumeProps: VolumeOptions = {}, imageOptions: ImageOptions = {}) {
  const stack = newStack();
  new NullProvider(stack, 'null');
  const volume = new ModelVolume(stack, 'models', { dataCenter: volumeProps.dataCenter ?? 'EU-RO-1', modelSet: volumeProps.modelSet, name: volumeProps.name });
  const image = InfiniteTalkImage.fromRegistry(stack, 'image', imageOptions.reference ?? DIGEST_IMAGE, { registryAuthId: imageOptions.registryAuthId });
  const job = new StorageInitJob(stack, 'fill', { volume, image, ...props });
  return { stack, volume, job };
}

function nullResource(stack: TerraformStack): any {
  return onlyResource(synthJson(stack), 'null_resource');
}

describe('StorageInitJob', () => {
  test('emits a null_resource with the triggers and a local-exec running the runner asset', () => {
    const { stack, volume } = build();
    const resource = nullResource(stack);
    const volumeRef = expect.stringMatching(/^\$\{runpod_network_volume\.models_\w+\.id\}$/);
    expect(resource.triggers).toEqual({
      manifest_sha256: volume.manifest.sha256,
      volume_id: volumeRef,
      model_root: '/runpod-volume/infinitetalk',
      runner_version: RUNNER_VERSION,
    });
    const [provisioner] = resource.provisioner;
    expect(provisioner['local-exec'].command).toMatch(/^node "assets\/[^"]+\/storage-init-runner\.js"$/);
    expect(provisioner['local-exec'].environment).toEqual({
      AVATAR_INIT_IMAGE: DIGEST_IMAGE,
      AVATAR_INIT_VOLUME_ID: volumeRef,
      AVATAR_INIT_DATA_CENTER: 'EU-RO-1',
      AVATAR_INIT_MODEL_ROOT: '/runpod-volume/infinitetalk',
      AVATAR_INIT_MANIFEST: volume.manifest.json,
      AVATAR_INIT_MANIFEST_SHA256: volume.manifest.sha256,
      AVATAR_INIT_COMPUTE: '{"cpu":{"id":"cpu5c","vcpuCount":4}}',
      AVATAR_INIT_TIMEOUT_MINUTES: '46',
      AVATAR_INIT_DOWNLOAD_ATTEMPTS: '3',
      AVATAR_INIT_DOWNLOAD_CONCURRENCY: '4',
      AVATAR_INIT_POD_NAME: 'test-fill-storage-init',
    });
  });

  test('the triggers exclude the image: a new image keeps them equal', () => {
    const a = nullResource(build().stack);
    const b = nullResource(build({}, {}, { reference: `docker.io/acme/infinitetalk-worker@sha256:${'c'.repeat(64)}` }).stack);
    expect(JSON.stringify(a.triggers)).not.toContain('sha256:');
    expect(a.triggers).toEqual(b.triggers);
    expect(a.provisioner[0]['local-exec'].environment.AVATAR_INIT_IMAGE).not.toEqual(b.provisioner[0]['local-exec'].environment.AVATAR_INIT_IMAGE);
  });

  test('changing the model set or the volume changes the triggers', () => {
    const base = nullResource(build().stack).triggers;
    const otherSet = nullResource(build({}, { modelSet: ModelSet.BF16_LIGHTX2V }).stack).triggers;
    expect(otherSet.manifest_sha256).not.toEqual(base.manifest_sha256);
    const imported = newStack();
    new NullProvider(imported, 'null');
    const volume = ModelVolume.fromVolumeAttributes(imported, 'models', { volumeId: 'vol-other', dataCenter: 'EU-RO-1', sizeGb: 40 });
    new StorageInitJob(imported, 'fill', { volume, image: InfiniteTalkImage.fromRegistry(imported, 'image', DIGEST_IMAGE) });
    expect(nullResource(imported).triggers.volume_id).toBe('vol-other');
    expect(nullResource(imported).triggers.volume_id).not.toEqual(base.volume_id);
  });

  test('no secret literal reaches the synthesized JSON', () => {
    const saved = { key: process.env.RUNPOD_API_KEY, hf: process.env.HF_TOKEN };
    process.env.RUNPOD_API_KEY = 'rpa_FAKEKEYFORSYNTHTEST0123456789';
    process.env.HF_TOKEN = 'hf_FAKETOKENFORSYNTHTEST0123456789';
    try {
      const { stack } = build({ huggingFaceTokenSecret: 'hf_token_secret' });
      const json = Testing.synth(stack);
      expect(json).not.toContain('rpa_FAKEKEYFORSYNTHTEST0123456789');
      expect(json).not.toContain('hf_FAKETOKENFORSYNTHTEST0123456789');
      expect(json).not.toMatch(/RUNPOD_API_KEY=\S/);
      expect(json).not.toMatch(/HF_TOKEN=\S/);
      const env = onlyResource(JSON.parse(json), 'null_resource').provisioner[0]['local-exec'].environment;
      expect(Object.keys(env)).not.toContain('RUNPOD_API_KEY');
      expect(Object.keys(env)).not.toContain('HF_TOKEN');
      expect(env.AVATAR_INIT_HF_TOKEN_SECRET).toBe('hf_token_secret');
    } finally {
      if (saved.key === undefined) delete process.env.RUNPOD_API_KEY;
      else process.env.RUNPOD_API_KEY = saved.key;
      if (saved.hf === undefined) delete process.env.HF_TOKEN;
      else process.env.HF_TOKEN = saved.hf;
    }
  });

  test('optional props reach the runner environment', () => {
    const { stack } = build(
      {
        compute: InitCompute.gpu(),
        timeoutMinutes: 90,
        downloadAttempts: 5,
        downloadConcurrency: 8,
        apiBaseUrl: 'http://127.0.0.1:8787',
        podName: 'fill-models',
      },
      {},
      { registryAuthId: 'reg-123' },
    );
    const env = nullResource(stack).provisioner[0]['local-exec'].environment;
    expect(env).toMatchObject({
      AVATAR_INIT_COMPUTE: '{"gpu":{"id":"NVIDIA L40S","count":1}}',
      AVATAR_INIT_TIMEOUT_MINUTES: '90',
      AVATAR_INIT_DOWNLOAD_ATTEMPTS: '5',
      AVATAR_INIT_DOWNLOAD_CONCURRENCY: '8',
      RUNPOD_API_BASE_URL: 'http://127.0.0.1:8787',
      AVATAR_INIT_REGISTRY_AUTH_ID: 'reg-123',
      AVATAR_INIT_POD_NAME: 'fill-models',
    });
    expect(nullResource(build({ compute: InitCompute.cpu({ cpuTypeId: 'cpu5g', vcpuCount: 8 }) }).stack).provisioner[0]['local-exec'].environment.AVATAR_INIT_COMPUTE).toBe(
      '{"cpu":{"id":"cpu5g","vcpuCount":8}}',
    );
  });

  test('the default timeout is sized from the model set', () => {
    expect(build().job.timeoutMinutes).toBe(46);
    expect(build({}, { modelSet: ModelSet.BF16_LIGHTX2V }).job.timeoutMinutes).toBe(30 + Math.ceil(ModelSet.BF16_LIGHTX2V.expectedGb / 2));
  });

  test('exposes the null_resource for dependsOn', () => {
    const { job } = build();
    expect(job.resource.terraformResourceType).toBe('null_resource');
  });

  test('warns when the image has no digest', () => {
    const { job } = build({}, {}, { reference: 'docker.io/acme/infinitetalk-worker:latest' });
    expect(annotations(job, 'warning').join('\n')).toMatch(/the image "docker.io\/acme\/infinitetalk-worker:latest" is not pinned by digest/);
    expect(annotations(build().stack, 'warning')).toEqual([]);
  });

  test('runs the image it is given, and pulls a private one with the image\'s own registry credential', () => {
    const { job, stack } = build({}, {}, { registryAuthId: 'reg-9' });
    expect(job.image.imageUri).toBe(DIGEST_IMAGE);
    expect(nullResource(stack).provisioner[0]['local-exec'].environment).toMatchObject({ AVATAR_INIT_IMAGE: DIGEST_IMAGE, AVATAR_INIT_REGISTRY_AUTH_ID: 'reg-9' });
    expect(nullResource(build().stack).provisioner[0]['local-exec'].environment.AVATAR_INIT_REGISTRY_AUTH_ID).toBeUndefined();
  });

  test.each([5, 1441, 12.5])('fails when timeoutMinutes is %s', (timeoutMinutes) => {
    expect(() => build({ timeoutMinutes })).toThrow(new RegExp(`\`timeoutMinutes\` is ${timeoutMinutes} but must be an integer between 10 and 1440: leave it unset`));
  });

  test.each([0, 17])('fails when downloadConcurrency is %s', (downloadConcurrency) => {
    expect(() => build({ downloadConcurrency })).toThrow(new RegExp(`\`downloadConcurrency\` is ${downloadConcurrency} but must be an integer between 1 and 16`));
  });

  test.each([0, 11])('fails when downloadAttempts is %s', (downloadAttempts) => {
    expect(() => build({ downloadAttempts })).toThrow(new RegExp(`\`downloadAttempts\` is ${downloadAttempts} but must be an integer between 1 and 10`));
  });

  test('fails when huggingFaceTokenSecret is a reference instead of a name', () => {
    expect(() => build({ huggingFaceTokenSecret: '{{ RUNPOD_SECRET_hf }}' })).toThrow(/`huggingFaceTokenSecret` is "\{\{ RUNPOD_SECRET_hf \}\}" but must be the bare name[\s\S]*use "hf"/);
  });

  test('fails when huggingFaceTokenSecret looks like a token', () => {
    expect(() => build({ huggingFaceTokenSecret: 'hf_abcdefghijklmnopqrstuvwxyz' })).toThrow(/looks like a Hugging Face token/);
  });

  test('fails when apiBaseUrl is not a URL', () => {
    expect(() => build({ apiBaseUrl: 'api.runpod.io' })).toThrow(/`apiBaseUrl` is "api.runpod.io" but must be an http\(s\) URL/);
  });

  test('fails when podName is empty', () => {
    expect(() => build({ podName: '' })).toThrow(/`podName` is empty/);
  });

  test('fails when the CPU compute is invalid', () => {
    expect(() => InitCompute.cpu({ vcpuCount: 6 })).toThrow(/`compute.vcpuCount` is 6 but RunPod CPU pods take a power of two/);
    expect(() => InitCompute.cpu({ vcpuCount: 1 })).toThrow(/`compute.vcpuCount` is 1 but must be an integer between 2 and 64/);
    expect(() => InitCompute.cpu({ cpuTypeId: '' })).toThrow(/`compute.cpuTypeId` is empty/);
    expect(() => InitCompute.gpu('')).toThrow(/`compute.gpuTypeId` is empty/);
  });

  test('token values skip the checks', () => {
    const stack = newStack();
    new NullProvider(stack, 'null');
    const volume = new ModelVolume(stack, 'models', { dataCenter: 'EU-RO-1' });
    // An image made elsewhere whose reference is only known at deploy time.
    const image = { imageUri: new TerraformVariable(stack, 'image', { type: 'string' }).stringValue, pinnedByDigest: true };
    const timeoutMinutes = new TerraformVariable(stack, 'timeout', { type: 'number' }).numberValue;
    new StorageInitJob(stack, 'fill', { volume, image, timeoutMinutes });
    expect(annotations(stack, 'warning')).toEqual([]);
  });

  test('snapshot', () => {
    const json = Testing.synth(build().stack).replace(/assets\/[^"\\]+\/storage-init-runner\.js/g, 'assets/<runner>/storage-init-runner.js');
    expect(json).toMatchSnapshot();
  });

  test('real Terraform validates and plans it offline', () => {
    const { stack } = build();
    const [result] = checkWithTerraform(stack, { plan: true });
    expect(result.validated).toBe(true);
    expect(result.planOutput).toMatch(/null_resource\.fill_\w+ will be created/);
  });
});
