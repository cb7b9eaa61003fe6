import { execFileSync, spawnSync } from 'child_process';
import { createHash } from 'crypto';
import * as fs from 'fs';
import * as os from 'os';
import * as path from 'path';
import { AvatarServerlessEndpoint, InfiniteTalkImage, ModelVolume, runpod } from '../src';
import { checkWithTerraform } from './terraform/lane';
import { newStack } from './util';

const REPO = path.resolve(__dirname, '..');
const TOOLCHAIN = path.join(REPO, 'test/terraform/toolchain.sh');
const VENDOR_DIR = process.env.AVATAR_TF_VENDOR_DIR ?? path.resolve(REPO, '..', 'shared', 'vendor', 'terraform-providers');

const temporary: string[] = [];
function temporaryDirectory(prefix: string): string {
  const dir = fs.mkdtempSync(path.join(os.tmpdir(), prefix));
  temporary.push(dir);
  return dir;
}
afterAll(() => temporary.forEach((dir) => fs.rmSync(dir, { recursive: true, force: true })));

/** Runs toolchain.sh with a throw-away cache (the lane's own cache is never touched). */
function toolchain(env: Record<string, string>): { status: number | null; stdout: string; stderr: string; cache: string } {
  const cache = temporaryDirectory('toolchain-test-');
  const run = spawnSync('bash', [TOOLCHAIN, '--print-env'], { env: { ...process.env, AVATAR_TF_CACHE: cache, ...env }, encoding: 'utf8' });
  return { status: run.status, stdout: run.stdout, stderr: run.stderr, cache };
}

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

  test('the lane labels null and docker GENUINE when their vendored sources are there, and says where from', () => {
    const lane = fs.readFileSync(process.env.AVATAR_TF_LANE_FILE!, 'utf8');
    if (process.env.AVATAR_TF_REGISTRY === '1') {
      expect(lane).toMatch(/^hashicorp\/null 3\.2\.4 = GENUINE \(public Terraform registry release/m);
      expect(lane).toMatch(/^runpod\/runpod 2\.0\.0 = GENUINE \(public Terraform registry release/m);
    } else if (fs.existsSync(path.join(VENDOR_DIR, 'SOURCES.md'))) {
      expect(lane).toMatch(/^hashicorp\/null 3\.2\.4 = GENUINE \(release v3\.2\.4, commit 01034f80eb23, built from the vendored source .*sha256 checked/m);
      expect(lane).toMatch(/^kreuzwerker\/docker 3\.6\.2 = GENUINE \(release v3\.6\.2, commit 2f20f8c3ce82, built from the vendored source .*sha256 checked/m);
      expect(lane).toMatch(/^runpod\/runpod 2\.0\.0 = SCHEMA STAND-IN \(serves the committed src\/gen\/runpod-2\.0\.0\.schema\.json/m);
    } else {
      // A clone without the vendored sources falls back, and says so.
      expect(lane).toMatch(/^hashicorp\/null 3\.2\.4 = (GENUINE \(.*Go module proxy|SCHEMA STAND-IN \(.*no vendored source)/m);
      expect(lane).toMatch(/^kreuzwerker\/docker 3\.6\.2 = (GENUINE \(.*Go module proxy|SUBSTITUTE \(.*no vendored source)/m);
    }
  });

  test('AVATAR_TF_REGISTRY=1 writes a CLI config that installs the genuine providers directly, and builds nothing', () => {
    const { status, stdout, stderr, cache } = toolchain({ AVATAR_TF_REGISTRY: '1' });
    expect(status, stderr).toBe(0);
    expect(stdout.trim()).toBe(path.join(cache, 'env.registry.sh'));
    const env = fs.readFileSync(path.join(cache, 'env.registry.sh'), 'utf8');
    expect(env).toContain(`export TF_CLI_CONFIG_FILE="${path.join(cache, 'registry.rc')}"`);
    expect(env).not.toContain('AVATAR_TF_MIRROR');
    const config = fs.readFileSync(path.join(cache, 'registry.rc'), 'utf8');
    expect(config).toMatch(/provider_installation \{\s*direct \{\}\s*\}/);
    expect(config).not.toContain('filesystem_mirror');
    const lane = fs.readFileSync(path.join(cache, 'lane.registry.txt'), 'utf8');
    for (const provider of ['hashicorp/null 3.2.4', 'kreuzwerker/docker 3.6.2', 'runpod/runpod 2.0.0']) {
      expect(lane).toContain(`${provider} = GENUINE (public Terraform registry release, installed directly by the CLI; opted in by AVATAR_TF_REGISTRY=1)`);
    }
    expect(fs.existsSync(path.join(cache, 'mirror'))).toBe(false);
    expect(fs.readdirSync(path.join(cache, 'bin'))).toEqual([]);
  });

  test('a vendored archive whose sha256 is not the one SOURCES.md lists stops the toolchain', () => {
    const sha256 = (text: string): string => createHash('sha256').update(text).digest('hex');
    const vendor = temporaryDirectory('vendor-test-');
    // SOURCES.md's table, as shared/vendor/terraform-providers/SOURCES.md lays it out.
    fs.writeFileSync(path.join(vendor, 'SOURCES.md'), [
      '| file | repository | tag | commit | sha256 of the archive | licence |',
      '|---|---|---|---|---|---|',
      `| terraform-provider-null-3.2.4.tar.gz | github.com/hashicorp/terraform-provider-null | v3.2.4 | 01034f80eb238732fd9e8673582e0e770cfab578 | ${sha256('the release')} | MPL-2.0 |`,
    ].join('\n'));
    fs.writeFileSync(path.join(vendor, 'terraform-provider-null-3.2.4.tar.gz'), 'not the release');
    const { status, stderr } = toolchain({ AVATAR_TF_VENDOR_DIR: vendor });
    expect(stderr).toContain(`terraform-provider-null-3.2.4.tar.gz has sha256 ${sha256('not the release')}, but SOURCES.md lists ${sha256('the release')}`);
    expect(status).toBe(1);
  });
});
