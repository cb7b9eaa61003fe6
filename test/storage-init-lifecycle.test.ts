/**
 * The StorageInitJob through a whole Terraform lifecycle, with the real CLI and the lane's genuine
 * hashicorp/null provider: apply, an empty re-plan, a new image, another model set, a forced re-fill
 * of a damaged volume, destroy.
 *
 * RunPod is the REST v2 emulator (test/runpod-emulator/), whose pod runs the real worker
 * (`python -m avatar_worker` in init mode) against the worker suite's loopback Hub
 * (docker/tests/hf_server.py through loopback_hub.py); the "volume" is a temp directory the pod
 * writes. The stack holds no runpod resource (the stand-in cannot apply): the volume is imported
 * with `ModelVolume.fromVolumeAttributes` and the image is `InfiniteTalkImage.fromRegistry`.
 *
 * The tests run in order and share the state of one deployment.
 */
import { ChildProcess, execFileSync, spawn, spawnSync } from 'child_process';
import * as fs from 'fs';
import * as os from 'os';
import * as path from 'path';
import { NullProvider } from '@cdktf/provider-null/lib/provider';
import { LocalBackend, Testing, TerraformStack } from 'cdktf';
import { ensureRunnerCompiled, RunpodEmulator } from './runpod-emulator';
import { HuggingFaceModel, IModelVolume, InfiniteTalkImage, ModelSet, ModelVolume, StorageInitJob } from '../src';
import { record, terraformAsync, TerraformRun } from './terraform/lane';

const REPO = path.resolve(__dirname, '..');
const DOCKER_DIR = path.join(REPO, 'docker');
const IMAGE_REPOSITORY = 'docker.io/acme/infinitetalk-worker';
const DIGEST_1 = `sha256:${'a1'.repeat(32)}`;
const DIGEST_2 = `sha256:${'b2'.repeat(32)}`;

/**
 * The Python of the worker's test virtualenv, made (or found) by docker/scripts/test.sh, the one
 * place that knows how: `pytest -VV` there names the site-packages it was imported from.
 */
function workerPython(): string {
  const out = execFileSync('bash', [path.join(DOCKER_DIR, 'scripts', 'test.sh'), '-VV'], { cwd: REPO, encoding: 'utf8', stdio: ['ignore', 'pipe', 'pipe'] });
  const match = /imported from (\S+)\/lib\/python[0-9.]+\/site-packages\/pytest\/__init__\.py/.exec(out);
  if (!match) throw new Error(`docker/scripts/test.sh -VV did not say where pytest lives, so the worker's virtualenv is unknown:\n${out}`);
  return path.join(match[1], 'bin', 'python');
}

/** The loopback Hub in its own process, and the manifest of the world it serves. */
interface Hub {
  readonly url: string;
  readonly manifest: any;
  readonly process: ChildProcess;
}

async function startHub(python: string): Promise<Hub> {
  const child = spawn(python, [path.join(__dirname, 'storage-init-lifecycle', 'loopback_hub.py')], { stdio: ['pipe', 'pipe', 'inherit'] });
  const line = await new Promise<string>((resolve, reject) => {
    let buffer = '';
    child.stdout!.on('data', (chunk) => {
      buffer += chunk;
      if (buffer.includes('\n')) resolve(buffer.slice(0, buffer.indexOf('\n')));
    });
    child.on('exit', (code) => reject(new Error(`the loopback Hub exited (${code}) before it was ready`)));
  });
  const { url, manifest } = JSON.parse(line);
  return { url, manifest, process: child };
}

/** A model set of the loopback world's repositories, as the Hub fixture's own manifest lists them. */
function loopbackModelSet(manifest: any, name: string, models: any[] = manifest.models): ModelSet {
  const fp8 = ModelSet.FP8;
  // The fixture's manifest is the rendered form (docs/CONTRACTS.md section 1): drop what the
  // rendering derives (revisionPinned) and its nulls, which the props express by leaving a field out.
  const withoutNulls = <T extends object>(o: T): T => Object.fromEntries(Object.entries(o).filter(([, v]) => v !== null)) as T;
  return ModelSet.custom({
    name,
    models: models.map(({ revisionPinned, ...model }): HuggingFaceModel => withoutNulls(model)),
    pipeline: withoutNulls(manifest.pipeline),
    gpuMemory: fp8.gpuMemory,
    hostRamGb: fp8.hostRamGb,
    presets: fp8.presets,
  });
}

let work: string;
let python: string;
let hub: Hub;
let emulator: RunpodEmulator;
let volumeId: string;
let modelRoot: string;
let statePath: string;
let fullSet: ModelSet;
let deployEnv: NodeJS.ProcessEnv;
let deployedDir: string;
let deployedVolume: IModelVolume;

/** Synthesizes the deployment for `modelSet` and `digest`, runs `terraform init`, returns the stack dir. */
async function synthesize(modelSet: ModelSet, digest: string): Promise<{ dir: string; volume: IModelVolume }> {
  const stack = new TerraformStack(Testing.app(), 'lifecycle');
  // One state for every synthesis: each is the next revision of the same deployment.
  new LocalBackend(stack, { path: statePath });
  new NullProvider(stack, 'null');
  const volume = ModelVolume.fromVolumeAttributes(stack, 'models', { volumeId, dataCenter: 'EU-RO-1', sizeGb: 40, modelSet });
  const image = InfiniteTalkImage.fromRegistry(stack, 'image', `${IMAGE_REPOSITORY}@${digest}`);
  new StorageInitJob(stack, 'fill-models', { volume, image });
  const dir = path.join(Testing.fullSynth(stack), 'stacks', 'lifecycle');
  expectSuccess(await terraformAsync(['init', '-input=false', '-no-color'], dir, deployEnv), 'init');
  return { dir, volume };
}

function expectSuccess(run: TerraformRun, what: string): TerraformRun {
  if (run.code !== 0) throw new Error(`terraform ${what} exited ${run.code}:\n${run.stdout}\n${run.stderr}`);
  return run;
}

/** The next pod the emulator creates runs the real worker, with the temp dir as its volume. */
function nextPodRunsTheWorker(): void {
  const home = fs.mkdtempSync(path.join(work, 'pod-home-'));
  emulator.scriptNextPod({
    command: [python, '-m', 'avatar_worker'],
    cwd: DOCKER_DIR,
    // What the container sees besides the pod env the runner sent (mode, manifest, HF_ENDPOINT...):
    // the volume is mounted at modelRoot instead of /runpod-volume/infinitetalk.
    env: {
      PYTHONPATH: DOCKER_DIR,
      HOME: home,
      HF_HOME: path.join(home, 'hf'),
      HF_HUB_DISABLE_TELEMETRY: '1',
      AVATAR_MODEL_ROOT: modelRoot,
      AVATAR_DOWNLOAD_BACKOFF_SECONDS: '0.01',
      AVATAR_DOWNLOAD_TIMEOUT_SECONDS: '20',
    },
  });
}

/** `python -m avatar_worker verify` on the volume, as a worker's cold start runs it. */
function verifyVolume(volume: IModelVolume, ...args: string[]): { status: number | null; result: any; output: string } {
  const home = fs.mkdtempSync(path.join(work, 'verify-home-'));
  const run = spawnSync(python, ['-m', 'avatar_worker', 'verify', ...args], {
    cwd: DOCKER_DIR,
    encoding: 'utf8',
    env: {
      PATH: process.env.PATH,
      PYTHONPATH: DOCKER_DIR,
      HOME: home,
      HF_HOME: path.join(home, 'hf'),
      AVATAR_MODEL_MANIFEST: volume.manifest.json,
      AVATAR_MODEL_MANIFEST_SHA256: volume.manifest.sha256,
      AVATAR_MODEL_ROOT: modelRoot,
    },
  });
  const events = run.stdout.split('\n').flatMap((l) => {
    try {
      return [JSON.parse(l)];
    } catch {
      return [];
    }
  });
  return { status: run.status, result: events.find((e) => e.event === 'result'), output: `${run.stdout}${run.stderr}` };
}

async function podsListed(): Promise<any[]> {
  const response = await fetch(`${emulator.url}/v2/pods`, { headers: { authorization: `Bearer ${emulator.apiKey}` } });
  expect(response.status).toBe(200);
  return ((await response.json()) as any).pods;
}

function expectEveryPodTerminatedCleanly(count: number): void {
  expect(emulator.allPods).toHaveLength(count);
  for (const pod of emulator.allPods) expect(pod.status).toBe('TERMINATED');
  expect(emulator.specViolations).toEqual([]);
  expect(emulator.unknownRequests).toEqual([]);
}

beforeAll(async () => {
  ensureRunnerCompiled();
  python = workerPython();
  work = fs.mkdtempSync(path.join(os.tmpdir(), 'storage-init-lifecycle-'));
  statePath = path.join(work, 'terraform.tfstate');
  modelRoot = path.join(work, 'runpod-volume', 'infinitetalk');
  hub = await startHub(python);
  emulator = new RunpodEmulator({ loud: true });
  await emulator.start();
  volumeId = emulator.seedVolume({ size: 40, dataCenter: 'EU-RO-1', name: 'models' }).id;
  fullSet = loopbackModelSet(hub.manifest, 'loopback-fp8');
  // The environment of `cdktf deploy` on a user's machine, pointed at the emulator and the loopback Hub.
  deployEnv = {
    ...process.env,
    RUNPOD_API_KEY: emulator.apiKey,
    RUNPOD_API_BASE_URL: emulator.url,
    HF_ENDPOINT: hub.url,
    HF_TOKEN: undefined,
    AVATAR_RUNNER_POLL_MS: '200',
  };
}, 600_000);

afterAll(async () => {
  await emulator?.stop();
  hub?.process.stdin?.end();
  hub?.process.kill();
});

describe('StorageInitJob lifecycle with real Terraform and the genuine null provider', () => {
  test('terraform apply fills the volume through a pod running the real worker init, and verify accepts it', async () => {
    ({ dir: deployedDir, volume: deployedVolume } = await synthesize(fullSet, DIGEST_1));
    nextPodRunsTheWorker();
    const apply = expectSuccess(await terraformAsync(['apply', '-input=false', '-auto-approve', '-no-color'], deployedDir, deployEnv), 'apply');
    record('applied', deployedDir);
    expect(apply.stdout).toMatch(/storage init: OK: .* verified on volume/);
    expect(apply.stdout).toMatch(/Apply complete! Resources: 1 added, 0 changed, 0 destroyed/);
    const [create] = emulator.requestsFor('createPod');
    expect((create.body as any).image).toBe(`${IMAGE_REPOSITORY}@${DIGEST_1}`);
    expect((create.body as any).mounts).toEqual({ network: [{ volumeId, path: '/runpod-volume' }] });
    expectEveryPodTerminatedCleanly(1);

    const verified = verifyVolume(deployedVolume, '--hashes');
    expect(verified.result, verified.output).toMatchObject({ mode: 'verify', ok: true });
    expect(verified.status).toBe(0);
  });

  test('the next plan is empty', async () => {
    const plan = await terraformAsync(['plan', '-input=false', '-no-color', '-detailed-exitcode'], deployedDir, deployEnv);
    expect(plan.code, plan.stdout + plan.stderr).toBe(0);
    expect(plan.stdout).toContain('No changes.');
  });

  test('a new image digest plans no change to the job', async () => {
    const { dir } = await synthesize(fullSet, DIGEST_2);
    const plan = await terraformAsync(['plan', '-input=false', '-no-color', '-detailed-exitcode'], dir, deployEnv);
    expect(plan.code, plan.stdout + plan.stderr).toBe(0);
    expect(plan.stdout).toContain('No changes.');
  });

  test('another model set plans the job’s replacement', async () => {
    const smaller = loopbackModelSet(hub.manifest, 'loopback-fp8-no-safetensors', hub.manifest.models.filter((m: any) => m.name !== 'wav2vec-safetensors'));
    const { dir } = await synthesize(smaller, DIGEST_1);
    const plan = await terraformAsync(['plan', '-input=false', '-no-color', '-detailed-exitcode', '-out=model-set.plan'], dir, deployEnv);
    expect(plan.code, plan.stdout + plan.stderr).toBe(2);
    const shown = JSON.parse(expectSuccess(await terraformAsync(['show', '-json', 'model-set.plan'], dir, deployEnv), 'show').stdout);
    const changes = shown.resource_changes.filter((c: any) => c.change.actions.join() !== 'no-op');
    expect(changes.map((c: any) => [c.type, c.change.actions])).toEqual([['null_resource', ['delete', 'create']]]);
    expect(changes[0].change.replace_paths).toEqual([['triggers']]);
  });

  test('a damaged volume is filled again by `terraform apply -replace=<the job’s address>`', async () => {
    // A file lost and a file cut short, as an interrupted copy or a wrong `rm` leave them.
    const lost = path.join(modelRoot, 'Wan2.1-I2V-14B-480P', 'Wan2.1_VAE.pth');
    const cut = path.join(modelRoot, 'InfiniteTalk', 'quant_models', 't5_fp8.safetensors');
    fs.rmSync(lost);
    fs.truncateSync(cut, 1000);
    const damaged = verifyVolume(deployedVolume);
    expect(damaged.result, damaged.output).toMatchObject({ mode: 'verify', ok: false });
    expect(damaged.status).toBe(4);

    // What DEPLOYMENT.md tells users to run: find the job's address, then replace it.
    const listed = expectSuccess(await terraformAsync(['state', 'list'], deployedDir, deployEnv), 'state list').stdout.split('\n');
    const address = listed.find((a) => a.startsWith('null_resource.') && a.includes('fill-models'));
    expect(address).toBeDefined();
    nextPodRunsTheWorker();
    const apply = expectSuccess(await terraformAsync(['apply', '-input=false', '-auto-approve', '-no-color', `-replace=${address}`], deployedDir, deployEnv), 'apply -replace');
    record('applied', deployedDir);
    expect(apply.stdout).toMatch(/Apply complete! Resources: 1 added, 0 changed, 1 destroyed/);
    expect(apply.stdout).toMatch(/storage init: OK/);
    expectEveryPodTerminatedCleanly(2);

    const repaired = verifyVolume(deployedVolume, '--hashes');
    expect(repaired.result, repaired.output).toMatchObject({ mode: 'verify', ok: true });
    expect(fs.statSync(cut).size).toBeGreaterThan(1000);
  });

  test('terraform destroy succeeds and the emulator holds no pod', async () => {
    const destroy = expectSuccess(await terraformAsync(['destroy', '-input=false', '-auto-approve', '-no-color'], deployedDir, deployEnv), 'destroy');
    expect(destroy.stdout).toMatch(/Destroy complete! Resources: 1 destroyed/);
    const listed = expectSuccess(await terraformAsync(['state', 'list'], deployedDir, deployEnv), 'state list').stdout.trim();
    expect(listed).toBe('');
    expect(await podsListed()).toEqual([]);
    expectEveryPodTerminatedCleanly(2);
  });
});
