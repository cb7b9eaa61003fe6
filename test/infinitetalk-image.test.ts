import * as fs from 'fs';
import * as os from 'os';
import * as path from 'path';
import { DockerProvider } from '@cdktf/provider-docker/lib/provider';
import { Testing } from 'cdktf';
import { AvatarServerlessEndpoint, buildContextHash, InfiniteTalkImage, ModelVolume, packagedContextDirectory, RegistryCredentials } from '../src';
import { checkWithTerraform } from './terraform/lane';
import { annotations, newStack, onlyResource, synthJson } from './util';

const DIGEST = `sha256:${'ab'.repeat(32)}`;

function imageStack() {
  const stack = newStack();
  new DockerProvider(stack, 'docker', { disableDockerDaemonCheck: true });
  return stack;
}

function tempContext(): string {
  const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'avatar-context-'));
  fs.writeFileSync(path.join(dir, 'Dockerfile'), 'FROM scratch\n');
  fs.mkdirSync(path.join(dir, 'pkg'));
  fs.writeFileSync(path.join(dir, 'pkg', 'a.py'), 'print(1)\n');
  return dir;
}

describe('InfiniteTalkImage', () => {
  test('builds the packaged docker/ context for linux/amd64 and pushes it', () => {
    const stack = imageStack();
    const image = new InfiniteTalkImage(stack, 'worker', { repository: 'docker.io/acme/infinitetalk-worker' });
    const json = synthJson(stack);
    const build = onlyResource(json, 'docker_image');
    expect(build.name).toBe(`docker.io/acme/infinitetalk-worker:ctx-${image.contextHash.slice(0, 12)}`);
    expect(build.platform).toBe('linux/amd64');
    expect(build.build.platform).toBe('linux/amd64');
    expect(build.build.dockerfile).toBe('Dockerfile');
    expect(build.build.context).toMatch(/^assets\/.*\/.*$/);
    expect(build.build.build_args).toEqual({
      INFINITETALK_COMMIT: 'a1aa6e9fd5f46e31b1f3792662e86db49d1d99cd',
      BASE_IMAGE: 'nvidia/cuda:12.1.1-cudnn8-runtime-ubuntu22.04',
    });
    expect(build.triggers.context_sha256).toBe(buildContextHash(packagedContextDirectory()));
    const push = onlyResource(json, 'docker_registry_image');
    expect(push.name).toMatch(/^\$\{docker_image\.worker_image_.*\.name\}$/);
    expect(push.auth_config).toEqual({ address: 'registry-1.docker.io', username: expect.stringMatching(/^\$\{var\./), password: expect.stringMatching(/^\$\{var\./) });
    expect(image.imageUri).toMatch(/^docker\.io\/acme\/infinitetalk-worker@\$\{TfToken/);
  });

  test('registry credentials are sensitive variables, never literals', () => {
    const stack = imageStack();
    new InfiniteTalkImage(stack, 'worker', { repository: 'ghcr.io/acme/worker', privateRegistry: true });
    const json = synthJson(stack);
    const variables = Object.values(json.variable) as any[];
    expect(variables.filter((v) => v.sensitive === true)).toHaveLength(2);
    // Stable names a shell can export as TF_VAR_<name>.
    expect(Object.keys(json.variable).sort()).toEqual(['worker_registry_password', 'worker_registry_username']);
    expect(onlyResource(json, 'docker_registry_image').auth_config.address).toBe('ghcr.io');
    const registry = onlyResource(json, 'runpod_registry');
    expect(registry.username).toMatch(/^\$\{var\./);
    expect(registry.password).toMatch(/^\$\{var\./);
  });

  test('the pushed digest flows into the endpoint', () => {
    const stack = imageStack();
    const image = new InfiniteTalkImage(stack, 'worker', { repository: 'ghcr.io/acme/worker', privateRegistry: true });
    const volume = new ModelVolume(stack, 'models', { dataCenter: 'EU-RO-1' });
    new AvatarServerlessEndpoint(stack, 'endpoint', { volume, image });
    const endpoint = onlyResource(synthJson(stack), 'runpod_serverless_endpoint');
    expect(endpoint.image).toMatch(/^ghcr\.io\/acme\/worker@\$\{docker_registry_image\.worker_push_.*\.sha256_digest\}$/);
    expect(endpoint.registry).toMatch(/^\$\{runpod_registry\.worker_runpod-registry_.*\.id\}$/);
  });

  test('takes tag, build args, target, cache sources and the docker provider credentials', () => {
    const stack = imageStack();
    new InfiniteTalkImage(stack, 'worker', {
      repository: 'registry.example.com:5000/team/worker',
      tag: 'v1.2.3',
      buildArgs: { PIP_INDEX_URL: 'https://pypi.example.com/simple' },
      target: 'runtime',
      cacheFrom: ['registry.example.com:5000/team/worker:cache'],
      credentials: RegistryCredentials.fromDockerProvider(),
    });
    const json = synthJson(stack);
    const build = onlyResource(json, 'docker_image');
    expect(build.name).toBe('registry.example.com:5000/team/worker:v1.2.3');
    expect(build.build.target).toBe('runtime');
    expect(build.build.cache_from).toEqual(['registry.example.com:5000/team/worker:cache']);
    expect(build.build.build_args.PIP_INDEX_URL).toBe('https://pypi.example.com/simple');
    expect(onlyResource(json, 'docker_registry_image').auth_config).toBeUndefined();
    expect(json.variable).toBeUndefined();
  });

  describe('context hash', () => {
    test('is stable for an unchanged context', () => {
      const dir = tempContext();
      expect(buildContextHash(dir)).toBe(buildContextHash(dir));
    });
    test('changes when a file changes, is added, removed or renamed', () => {
      const dir = tempContext();
      const seen = new Set([buildContextHash(dir)]);
      fs.writeFileSync(path.join(dir, 'pkg', 'a.py'), 'print(2)\n');
      seen.add(buildContextHash(dir));
      fs.writeFileSync(path.join(dir, 'pkg', 'b.py'), '');
      seen.add(buildContextHash(dir));
      fs.renameSync(path.join(dir, 'pkg', 'b.py'), path.join(dir, 'pkg', 'c.py'));
      seen.add(buildContextHash(dir));
      fs.rmSync(path.join(dir, 'pkg', 'c.py'));
      expect(seen.size).toBe(4);
      expect(buildContextHash(dir)).toBe([...seen][1]);
    });
    test('ignores what .dockerignore excludes from the build (tests, docs), so changing those never rebuilds', () => {
      const dir = tempContext();
      fs.writeFileSync(path.join(dir, '.dockerignore'), '# comment\ntests/\n**/*.md\nscripts\n');
      fs.mkdirSync(path.join(dir, 'tests'));
      fs.writeFileSync(path.join(dir, 'tests', 'test_a.py'), 'x');
      const before = buildContextHash(dir);
      fs.writeFileSync(path.join(dir, 'tests', 'test_a.py'), 'y');
      fs.writeFileSync(path.join(dir, 'pkg', 'NOTES.md'), 'notes');
      fs.writeFileSync(path.join(dir, 'scripts'), 'a file named like an ignored pattern');
      expect(buildContextHash(dir)).toBe(before);
      fs.writeFileSync(path.join(dir, 'pkg', 'tests.py'), 'not under tests/');
      expect(buildContextHash(dir)).not.toBe(before);
    });
    test('the packaged context ignores its own test suite', () => {
      const packaged = packagedContextDirectory();
      expect(fs.readFileSync(path.join(packaged, '.dockerignore'), 'utf8')).toMatch(/^tests\//m);
    });
    test('ignores Python caches', () => {
      const dir = tempContext();
      const before = buildContextHash(dir);
      fs.mkdirSync(path.join(dir, 'pkg', '__pycache__'));
      fs.writeFileSync(path.join(dir, 'pkg', '__pycache__', 'a.cpython-310.pyc'), 'x');
      expect(buildContextHash(dir)).toBe(before);
    });
    test('a changed context changes the build trigger and the tag; an unchanged one keeps them', () => {
      const dir = tempContext();
      const synthBuild = () => {
        const stack = imageStack();
        new InfiniteTalkImage(stack, 'worker', { repository: 'acme/worker', contextDirectory: dir });
        return onlyResource(synthJson(stack), 'docker_image');
      };
      const first = synthBuild();
      expect(synthBuild().triggers).toEqual(first.triggers);
      fs.appendFileSync(path.join(dir, 'Dockerfile'), 'LABEL x=y\n');
      const second = synthBuild();
      expect(second.triggers.context_sha256).not.toBe(first.triggers.context_sha256);
      expect(second.name).not.toBe(first.name);
    });
  });

  test('fails on a repository with a tag, upper case, or empty', () => {
    expect(() => new InfiniteTalkImage(imageStack(), 'a', { repository: 'acme/worker:latest' })).toThrow(/`repository` is "acme\/worker:latest" but must be/);
    expect(() => new InfiniteTalkImage(imageStack(), 'b', { repository: 'Acme/Worker' })).toThrow(/lower-case/);
    expect(() => new InfiniteTalkImage(imageStack(), 'c', { repository: '' })).toThrow(/`repository` is empty/);
  });

  test('fails on a branch instead of a commit, a bad tag, or managed build args', () => {
    expect(() => new InfiniteTalkImage(imageStack(), 'a', { repository: 'acme/w', infiniteTalkCommit: 'main' })).toThrow(/full 40-hex commit/);
    expect(() => new InfiniteTalkImage(imageStack(), 'b', { repository: 'acme/w', tag: '-bad' })).toThrow(/`tag` is "-bad"/);
    expect(() => new InfiniteTalkImage(imageStack(), 'c', { repository: 'acme/w', buildArgs: { BASE_IMAGE: 'x' } })).toThrow(/use the `baseImage` prop/);
    expect(() => new InfiniteTalkImage(imageStack(), 'd', { repository: 'acme/w', contextDirectory: os.tmpdir() })).toThrow(/has no Dockerfile/);
    expect(() =>
      new InfiniteTalkImage(imageStack(), 'e', { repository: 'acme/w', privateRegistry: true, credentials: RegistryCredentials.fromDockerProvider() }),
    ).toThrow(/`privateRegistry` needs/);
  });

  describe('fromRegistry', () => {
    const accepted: Array<[string, boolean]> = [
      [`docker.io/acme/worker@${DIGEST}`, true],
      [`acme/worker:v1@${DIGEST}`, true],
      [`ghcr.io/acme/team/worker@${DIGEST}`, true],
      [`localhost:5000/worker@${DIGEST}`, true],
      [`registry.example.com:5000/a_b/c-d.e@${DIGEST}`, true],
      ['acme/worker:v1.2.3', false],
      ['worker', false],
      ['123456789012.dkr.ecr.us-east-1.amazonaws.com/worker:2026-11-29', false],
    ];
    test.each(accepted)('accepts %s (pinned: %s)', (reference, pinned) => {
      const stack = newStack();
      const image = InfiniteTalkImage.fromRegistry(stack, 'image', reference);
      expect(image.imageUri).toBe(reference);
      expect(image.pinnedByDigest).toBe(pinned);
      const warnings = annotations(stack, 'warning').join('\n');
      if (pinned) expect(warnings).toBe('');
      else expect(warnings).toMatch(/has no digest: a tag can be moved/);
    });

    const rejected = [
      'Acme/Worker:v1',
      'acme/worker@sha256:abc',
      `acme/worker@md5:${'a'.repeat(32)}`,
      'acme/worker:',
      'acme//worker',
      'https://docker.io/acme/worker',
      'acme/worker:tag with space',
      '',
      `acme/worker:${'t'.repeat(129)}`,
      `acme/worker@sha256:${'AB'.repeat(32)}`,
    ];
    test.each(rejected)('rejects %j and shows it', (reference) => {
      expect(() => InfiniteTalkImage.fromRegistry(newStack(), 'image', reference)).toThrow(`image reference "${reference}" is malformed`);
    });
  });

  test('snapshot', () => {
    const stack = imageStack();
    new InfiniteTalkImage(stack, 'worker', { repository: 'docker.io/acme/infinitetalk-worker', tag: 'snapshot' });
    const text = Testing.synth(stack).replace(/"context_sha256": "[0-9a-f]{64}"/, '"context_sha256": "<hash>"').replace(/assets\/[^"]+/g, 'assets/<hash>');
    expect(text).toMatchSnapshot();
  });

  describe('real Terraform', () => {
    test('a stack that builds and pushes an image validates and plans', () => {
      const stack = imageStack();
      new InfiniteTalkImage(stack, 'worker', { repository: 'docker.io/acme/infinitetalk-worker', privateRegistry: true });
      checkWithTerraform(stack, { plan: false });
    });
    test('a stack that uses fromRegistry validates and plans', () => {
      const stack = newStack();
      const image = InfiniteTalkImage.fromRegistry(stack, 'image', `docker.io/acme/worker@${DIGEST}`);
      const volume = new ModelVolume(stack, 'models', { dataCenter: 'EU-RO-1' });
      new AvatarServerlessEndpoint(stack, 'endpoint', { volume, image });
      checkWithTerraform(stack, { plan: true });
    });
  });
});
