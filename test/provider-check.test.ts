/**
 * The provider-check command (`cdktf-runpod-avatar-provider-check`, src/provider-check.ts), run as a
 * process with the real Terraform CLI against the lane's runpod provider: the schema stand-in, which
 * serves the committed schema unless AVATAR_STANDIN_SCHEMA_RUNPOD names another file. With
 * AVATAR_TF_REGISTRY=1 the lane's runpod provider is the genuine release, so the clean-pass test
 * checks the committed schema against the real runpod 2.0.0.
 */
import { spawnSync } from 'child_process';
import * as fs from 'fs';
import * as os from 'os';
import * as path from 'path';
import { Testing } from 'cdktf';
import { ensureRunnerCompiled } from './runpod-emulator';
import { L40sDeploymentStack } from '../examples/l40s-deployment/stack';
import { attributeUses, readStacks, synthesizeReferenceStack } from '../src/provider-check';

const REPO = path.resolve(__dirname, '..');
const TS_NODE = path.join(REPO, 'node_modules', '.bin', 'ts-node');
const ADDRESS = 'registry.terraform.io/runpod/runpod';
const committed = JSON.parse(fs.readFileSync(path.join(REPO, 'src/gen/runpod-2.0.0.schema.json'), 'utf8'));

function laneRunpodIsStandIn(): boolean {
  const laneFile = process.env.AVATAR_TF_LANE_FILE;
  return Boolean(laneFile && /^runpod\/runpod 2\.0\.0 = SCHEMA STAND-IN/m.test(fs.readFileSync(laneFile, 'utf8')));
}

/** Runs the command as users do, with the lane's Terraform environment. */
function providerCheck(env: Record<string, string> = {}, args: string[] = []): { status: number | null; output: string } {
  const result = spawnSync(TS_NODE, ['--transpile-only', path.join(REPO, 'src/provider-check.ts'), ...args], {
    cwd: REPO, env: { ...process.env, ...env }, encoding: 'utf8', timeout: 120_000,
  });
  return { status: result.status, output: `${result.stdout}${result.stderr}` };
}

const temporary: string[] = [];
function tempDir(): string {
  const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'provider-check-test-'));
  temporary.push(dir);
  return dir;
}
afterAll(() => temporary.forEach((dir) => fs.rmSync(dir, { recursive: true, force: true })));

beforeAll(() => {
  ensureRunnerCompiled();
});

describe('provider-check', () => {
  test('passes when the provider serves the committed schema', () => {
    const { status, output } = providerCheck();
    expect(output).toMatch(/OK: \d+ attributes of runpod_network_volume, runpod_registry, runpod_serverless_endpoint agree/);
    expect(status).toBe(0);
  });

  test.runIf(laneRunpodIsStandIn())('fails with exit 1 and names every difference when the provider disagrees', () => {
    const altered = JSON.parse(JSON.stringify(committed));
    const resources = altered.provider_schemas[ADDRESS].resource_schemas;
    const endpoint = resources.runpod_serverless_endpoint.block.attributes;
    endpoint.gpu_pools.type = ['set', 'string'];
    endpoint.workers_min = { type: 'number', required: true, description_kind: 'plain' };
    delete resources.runpod_network_volume.block.attributes.type;
    resources.runpod_registry.block.attributes.id.type = 'number';
    resources.runpod_network_volume.block.attributes.encryption = { type: 'string', required: true, description_kind: 'plain' };
    const file = path.join(tempDir(), 'altered.schema.json');
    fs.writeFileSync(file, JSON.stringify(altered));

    const { status, output } = providerCheck({ AVATAR_STANDIN_SCHEMA_RUNPOD: file });
    expect(output).toContain('MISMATCH: 5 difference(s)');
    expect(output).toContain('runpod_serverless_endpoint.gpu_pools (set by the stacks): type differs: committed ["list","string"], provider ["set","string"]');
    expect(output).toContain('runpod_serverless_endpoint.workers_min (set by the stacks): mode differs: committed optional+computed, provider required');
    expect(output).toContain('runpod_network_volume.type (set by the stacks): the provider has no such attribute');
    expect(output).toContain('runpod_registry.id (read by the stacks): type differs: committed "string", provider "number"');
    expect(output).toContain('runpod_network_volume.encryption: the provider requires it, but the stacks do not set it');
    expect(output).toContain('npx projen gen:runpod');
    const dump = /with the dumped schema: (\S+)/.exec(output)![1];
    temporary.push(path.dirname(dump));
    expect(JSON.parse(fs.readFileSync(dump, 'utf8')).provider_schemas[ADDRESS].resource_schemas.runpod_serverless_endpoint.block.attributes.gpu_pools.type).toEqual(['set', 'string']);
    expect(status).toBe(1);
  });

  test('exits 2 with what to do when terraform cannot be run', () => {
    const { status, output } = providerCheck({ TERRAFORM_BINARY_NAME: path.join(tempDir(), 'no-terraform-here') });
    expect(output).toMatch(/was not found: install Terraform >= 1\.6/);
    expect(status).toBe(2);
  });

  test('exits 2 on a path that is no synthesized app', () => {
    const { status, output } = providerCheck({}, [tempDir()]);
    expect(output).toMatch(/neither a cdk\.tf\.json file nor a cdktf output directory/);
    expect(status).toBe(2);
  });

  test('its reference stack sets or reads every runpod attribute the example deployment does', () => {
    const reference = new Set(readStacks(synthesizeReferenceStack(tempDir())).flatMap((stack) =>
      attributeUses(stack, committed.provider_schemas[ADDRESS]).map((u) => `${u.type}.${u.path}`)));
    const variants = [
      { prebuiltImage: `docker.io/acme/worker@sha256:${'1f'.repeat(32)}` },
      { s3Delivery: true },
    ];
    for (const options of variants) {
      const example = JSON.parse(Testing.synth(new L40sDeploymentStack(Testing.app(), 'example', options)));
      const used = attributeUses(example, committed.provider_schemas[ADDRESS]).map((u) => `${u.type}.${u.path}`);
      expect(used.length).toBeGreaterThan(10);
      expect(used.filter((u) => !reference.has(u))).toEqual([]);
    }
  });

  test('ships as a bin with the committed schema beside it in lib/ (what the packed package holds)', () => {
    const pkg = JSON.parse(fs.readFileSync(path.join(REPO, 'package.json'), 'utf8'));
    expect(pkg.bin['cdktf-runpod-avatar-provider-check']).toBe('lib/provider-check.js');
    // npm's own packing rules, applied to this package.json and .npmignore with the compiled layout.
    const staged = tempDir();
    fs.copyFileSync(path.join(REPO, 'package.json'), path.join(staged, 'package.json'));
    fs.copyFileSync(path.join(REPO, '.npmignore'), path.join(staged, '.npmignore'));
    fs.mkdirSync(path.join(staged, 'lib', 'gen'), { recursive: true });
    fs.writeFileSync(path.join(staged, 'lib', 'provider-check.js'), '#!/usr/bin/env node\n');
    fs.copyFileSync(path.join(REPO, 'src/gen/runpod-2.0.0.schema.json'), path.join(staged, 'lib', 'gen', 'runpod-2.0.0.schema.json'));
    const packed = spawnSync('npm', ['pack', '--dry-run', '--json', '--ignore-scripts'], { cwd: staged, encoding: 'utf8' });
    const files = JSON.parse(packed.stdout)[0].files.map((f: { path: string }) => f.path);
    expect(files).toEqual(expect.arrayContaining(['lib/provider-check.js', 'lib/gen/runpod-2.0.0.schema.json']));
    // The compile task puts the schema where the compiled command looks for it (beside itself, in gen/).
    const compile = JSON.parse(fs.readFileSync(path.join(REPO, '.projen/tasks.json'), 'utf8')).tasks.compile.steps.map((s: any) => s.exec);
    expect(compile).toContain('cp src/gen/runpod-2.0.0.schema.json lib/gen/runpod-2.0.0.schema.json');
  });
});
