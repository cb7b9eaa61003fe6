import { execFileSync } from 'child_process';
import * as fs from 'fs';
import * as os from 'os';
import * as path from 'path';

import { IModelVolume, ModelSet, OutputBucket, SecretValue } from '../src';

const REPO = path.resolve(__dirname, '..');

describe('README', () => {
  test('the "Using the constructs" snippet synthesizes as written', () => {
    const readme = fs.readFileSync(path.join(REPO, 'README.md'), 'utf8');
    const section = readme.slice(readme.indexOf('## Using the constructs'));
    const snippet = /```ts\n([\s\S]*?)```/.exec(section)![1]
      .replace("from 'cdktf-runpod-avatar'", `from ${JSON.stringify(path.join(REPO, 'src'))}`)
      .replace('@sha256:…', `@sha256:${'0'.repeat(64)}`);
    // Beside the tests so that imports resolve from the repository's node_modules; run from a temp dir
    // so that cdktf.out lands there.
    const file = path.join(__dirname, `.readme-snippet-${process.pid}.ts`);
    const cwd = fs.mkdtempSync(path.join(os.tmpdir(), 'readme-snippet-'));
    fs.writeFileSync(file, snippet);
    try {
      execFileSync(path.join(REPO, 'node_modules', '.bin', 'ts-node'), ['--transpile-only', file], { cwd, stdio: 'pipe' });
    } finally {
      fs.rmSync(file, { force: true });
    }
    const stack = JSON.parse(fs.readFileSync(path.join(cwd, 'cdktf.out', 'stacks', 'avatar', 'cdk.tf.json'), 'utf8'));
    expect(Object.keys(stack.resource).sort()).toEqual(['null_resource', 'runpod_network_volume', 'runpod_serverless_endpoint']);
    const [volumeId] = Object.keys(stack.resource.runpod_network_volume);
    expect(stack.resource.runpod_network_volume[volumeId]).toMatchObject({ size: 40, data_center: 'EU-RO-1' });
    // What the workers get is what OutputBucket.runpodVolume renders for that volume, which the
    // contract vectors hand to the worker's delivery code (docker/tests/test_delivery.py).
    const volume = { volumeId: `\${runpod_network_volume.${volumeId}.id}`, dataCenter: 'EU-RO-1', sizeGb: 40, modelSet: ModelSet.FP8, modelRoot: '/runpod-volume/infinitetalk' } as IModelVolume;
    const expected = OutputBucket.runpodVolume(volume, { accessKeyId: SecretValue.runpodSecret('s3_access_key'), secretAccessKey: SecretValue.runpodSecret('s3_secret_key') })._environment();
    const env = (Object.values(stack.resource.runpod_serverless_endpoint)[0] as any).env;
    expect(Object.fromEntries(Object.entries(env).filter(([k]) => k.startsWith('BUCKET_')))).toEqual(expected);
    expect(expected).toMatchObject({ BUCKET_ENDPOINT_URL: 'https://s3api-eu-ro-1.runpod.io', BUCKET_REGION: 'EU-RO-1', BUCKET_PRESIGNED_URLS: 'false' });
  });
});
