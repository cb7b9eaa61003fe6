import { execFileSync } from 'child_process';
import * as fs from 'fs';
import * as os from 'os';
import * as path from 'path';
import { Testing } from 'cdktf';
import { invoke } from '../examples/l40s-deployment/invoke';
import { L40sDeploymentStack } from '../examples/l40s-deployment/stack';
import { ModelManifest, ModelSet } from '../src';
import { checkWithTerraform } from './terraform/lane';
import { onlyResource, synthJson } from './util';

const PREBUILT = `docker.io/acme/infinitetalk-worker@sha256:${'1f'.repeat(32)}`;
const REPO = path.resolve(__dirname, '..');

function exampleStack(options: ConstructorParameters<typeof L40sDeploymentStack>[2] = { prebuiltImage: PREBUILT }) {
  return new L40sDeploymentStack(Testing.app(), 'l40s-deployment', options);
}

describe('examples/l40s-deployment', () => {
  test('composes the volume, the storage init job and the L40S endpoint, in that order', () => {
    const json = synthJson(exampleStack());
    expect(Object.keys(json.resource).sort()).toEqual(['null_resource', 'runpod_network_volume', 'runpod_serverless_endpoint']);
    const volume = onlyResource(json, 'runpod_network_volume');
    expect(volume).toMatchObject({ size: 40, data_center: '${var.data_center}', type: 'STANDARD' });
    expect(json.variable.data_center.default).toBe('EU-RO-1');

    const job = onlyResource(json, 'null_resource');
    expect(job.triggers.manifest_sha256).toBe(ModelManifest.of(ModelSet.FP8_LIGHTX2V).sha256);
    expect(job.triggers.volume_id).toMatch(/^\$\{runpod_network_volume\.models_.*\.id\}$/);
    expect(job.provisioner[0]['local-exec'].command).toMatch(/storage-init-runner\.js/);

    const endpoint = onlyResource(json, 'runpod_serverless_endpoint');
    expect(endpoint).toMatchObject({
      image: PREBUILT,
      gpu_pools: ['ADA_48_PRO'],
      excluded_types: ['NVIDIA L40', 'NVIDIA RTX 6000 Ada Generation'],
      data_center_ids: ['${var.data_center}'],
      endpoint_type: 'QUEUE',
    });
    expect(endpoint.depends_on).toEqual([expect.stringMatching(/^null_resource\.fill-models/)]);
    expect(endpoint.network_volumes).toEqual([job.triggers.volume_id]);
  });

  test('outputs the endpoint id and URLs and the volume id', () => {
    const outputs = synthJson(exampleStack()).output;
    const names = Object.keys(outputs);
    for (const suffix of ['endpoint_id', 'run_url', 'runsync_url', 'status_url', 'health_url']) {
      expect(names.some((n) => n.includes(suffix)), suffix).toBe(true);
    }
    expect(outputs.volume_id).toBeDefined();
  });

  test('a new image digest leaves the storage init job’s triggers alone and changes only the endpoint image', () => {
    const before = synthJson(exampleStack());
    const after = synthJson(exampleStack({ prebuiltImage: PREBUILT.replace(/1f/g, '2e') }));
    expect(onlyResource(after, 'null_resource').triggers).toEqual(onlyResource(before, 'null_resource').triggers);
    const { image: imageBefore, ...restBefore } = onlyResource(before, 'runpod_serverless_endpoint');
    const { image: imageAfter, ...restAfter } = onlyResource(after, 'runpod_serverless_endpoint');
    expect(imageAfter).not.toBe(imageBefore);
    expect(restAfter).toEqual(restBefore);
  });

  test('another model set changes the manifest hash, so the storage init job re-runs', () => {
    const fp8 = onlyResource(synthJson(exampleStack()), 'null_resource').triggers;
    const bf16 = onlyResource(synthJson(exampleStack({ prebuiltImage: PREBUILT, modelSet: ModelSet.BF16_LIGHTX2V })), 'null_resource').triggers;
    expect(bf16.manifest_sha256).not.toBe(fp8.manifest_sha256);
  });

  test('the default build variant builds and pushes the image, with credentials as sensitive variables only', () => {
    const json = synthJson(exampleStack({}));
    expect(Object.keys(json.resource)).toEqual(expect.arrayContaining(['docker_image', 'docker_registry_image']));
    const sensitive = Object.entries(json.variable).filter(([, v]: [string, any]) => v.sensitive).map(([k]) => k);
    expect(sensitive).toHaveLength(2);
    const text = JSON.stringify(json);
    expect(text).not.toMatch(/"(password|api_key|HF_TOKEN|RUNPOD_API_KEY)"\s*:\s*"(?!\$\{)/);
  });

  test('no secret from the deploy environment reaches the synthesized JSON', () => {
    const saved = { ...process.env };
    process.env.RUNPOD_API_KEY = 'rpa_SECRET_KEY_SHOULD_NOT_LEAK_1234';
    process.env.HF_TOKEN = 'hf_SECRET_TOKEN_SHOULD_NOT_LEAK';
    try {
      const text = Testing.synth(exampleStack({ prebuiltImage: PREBUILT, s3Delivery: true }));
      expect(text).not.toContain('SHOULD_NOT_LEAK');
      expect(text).toContain('{{ RUNPOD_SECRET_avatar_s3_secret_key }}');
    } finally {
      process.env = saved;
    }
  });

  test('invoke.ts refuses a malformed job input before it queues anything', async () => {
    const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'invoke-'));
    const file = path.join(dir, 'face.png');
    fs.writeFileSync(file, 'x');
    try {
      // Nothing listens on port 9: a request would fail differently.
      await expect(invoke({ apiUrl: 'http://127.0.0.1:9', image: file, audio: file, resolution: 1080, out: path.join(dir, 'out.mp4') })).rejects.toThrow(
        'the job input is invalid: `resolution` is 1080; this endpoint allows 480 or 720.',
      );
    } finally {
      fs.rmSync(dir, { recursive: true, force: true });
    }
  });

  test('snapshot', () => {
    const text = Testing.synth(exampleStack()).replace(/assets\/[^"]+/g, 'assets/<hash>');
    expect(text).toMatchSnapshot();
  });

  test('real Terraform validates and plans the example (prebuilt image) and validates the build variant', () => {
    checkWithTerraform(exampleStack(), { plan: true });
    checkWithTerraform(exampleStack({}), { plan: false });
  });

  test('cdktf synth works offline in the example directory, as the Quickstart runs it', () => {
    const out = fs.mkdtempSync(path.join(os.tmpdir(), 'example-synth-'));
    execFileSync('npx', ['cdktf', 'synth', '--output', out], {
      cwd: path.join(REPO, 'examples/l40s-deployment'),
      env: { ...process.env, CHECKPOINT_DISABLE: '1', CI: '1' },
      stdio: 'pipe',
    });
    const stack = JSON.parse(fs.readFileSync(path.join(out, 'stacks/l40s-deployment/cdk.tf.json'), 'utf8'));
    expect(Object.keys(stack.resource)).toEqual(expect.arrayContaining(['runpod_network_volume', 'runpod_serverless_endpoint', 'null_resource']));
    const summary = execFileSync('npx', ['ts-node', '--transpile-only', 'summary.ts', out], { cwd: path.join(REPO, 'examples/l40s-deployment'), encoding: 'utf8' });
    expect(summary).toMatch(/GPU: pools ADA_48_PRO minus NVIDIA L40, NVIDIA RTX 6000 Ada Generation/);
    expect(summary).toMatch(/Volume: 40 GB, STANDARD tier, data centre EU-RO-1 \(variable data_center\)/);
  });
});
