import { execFileSync } from 'child_process';
import * as fs from 'fs';
import * as path from 'path';
import { AvatarServerlessEndpoint, InfiniteTalkImage, ModelVolume, runpod } from '../src';
import { checkWithTerraform } from './terraform/lane';
import { newStack } from './util';

const REPO = path.resolve(__dirname, '..');

describe('real-Terraform lane', () => {
  test('a wrong attribute makes the lane fail with Terraform’s own message', () => {
    const stack = newStack();
    const volume = new ModelVolume(stack, 'models', { dataCenter: 'EU-RO-1' });
    const image = InfiniteTalkImage.fromRegistry(stack, 'image', `acme/worker@sha256:${'0'.repeat(64)}`);
    const endpoint = new AvatarServerlessEndpoint(stack, 'avatar', { volume, image });
    endpoint.endpoint.addOverride('gpu_ids', ['NVIDIA L40S']);
    expect(() => checkWithTerraform(stack)).toThrow(/No argument or block type is named "gpu_ids"/);
  });

  test('a wrong type makes the lane fail too', () => {
    const stack = newStack();
    const volume = new ModelVolume(stack, 'models', { dataCenter: 'EU-RO-1' });
    volume.volume.addOverride('size', 'forty');
    expect(() => checkWithTerraform(stack)).toThrow(/a number is required|Incorrect attribute value type/);
  });

  test('the committed schema is runpod/runpod 2.0.0 and the bindings have the resources we use', () => {
    const schema = JSON.parse(fs.readFileSync(path.join(REPO, 'src/gen/runpod-2.0.0.schema.json'), 'utf8'));
    expect(schema.provider_versions).toEqual({ 'registry.terraform.io/runpod/runpod': '2.0.0' });
    expect(schema.provenance.version).toBe('2.0.0');
    for (const name of ['serverlessEndpoint', 'template', 'networkVolume', 'pod', 'podAction', 'registry']) {
      expect(Object.keys((runpod as any)[name]).length, name).toBeGreaterThan(0);
    }
    expect(runpod.serverlessEndpoint.ServerlessEndpoint.tfResourceType).toBe('runpod_serverless_endpoint');
    expect(runpod.podAction.PodAction.tfResourceType).toBe('runpod_pod_action');
  });

  test('regenerating the bindings from the committed schema changes nothing', () => {
    const out = execFileSync('bash', [path.join(REPO, 'test/tools/runpod-bindings.sh'), 'check'], { encoding: 'utf8', stdio: ['ignore', 'pipe', 'pipe'] });
    expect(out).toMatch(/matches the committed schema/);
  });
});
