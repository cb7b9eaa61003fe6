/**
 * The real-Terraform lane: every stack a test builds is synthesized to disk and checked by the real
 * Terraform CLI with the provider binaries from the offline mirror (test/terraform/toolchain.sh):
 * `init` (mirror only, no network), `validate`, and `plan` where no remote API is needed. With
 * AVATAR_TF_REGISTRY=1 (opt-in, never probed) the CLI config installs the public registry's genuine
 * providers instead, runpod 2.0.0 included; see toolchain.sh and PROVENANCE.md.
 *
 * Unlike cdktf's `toBeValidTerraform` / `toPlanSuccessfully`, failures carry Terraform's own output.
 */
import { execFile, execFileSync } from 'child_process';
import * as fs from 'fs';
import * as path from 'path';
import { Testing, TerraformStack } from 'cdktf';

const TERRAFORM = process.env.TERRAFORM_BINARY_NAME || 'terraform';

/** What to run on a synthesized stack. */
export interface LaneOptions {
  /** Also run `terraform plan` (offline: docker daemon check disabled, RunPod API on a closed loopback port). */
  readonly plan?: boolean;
}

/** Result of one lane run, per stack directory. */
export interface LaneResult {
  readonly stackDir: string;
  readonly validated: boolean;
  readonly planned: boolean;
  readonly planOutput?: string;
}

function requireToolchain(): void {
  if (!process.env.TF_CLI_CONFIG_FILE || !fs.existsSync(process.env.TF_CLI_CONFIG_FILE)) {
    throw new Error(
      'The real-Terraform lane needs the offline provider mirror: run `bash test/terraform/toolchain.sh` ' +
        '(the test task does) so that TF_CLI_CONFIG_FILE points at its CLI config.',
    );
  }
}

function run(args: string[], cwd: string, allowFailure = false): string {
  try {
    return execFileSync(TERRAFORM, args, { cwd, env: process.env, encoding: 'utf8', stdio: ['ignore', 'pipe', 'pipe'] });
  } catch (error: any) {
    if (allowFailure && error.stdout) return String(error.stdout);
    const out = `${error.stdout ?? ''}${error.stderr ?? ''}`.trim();
    throw new Error(`terraform ${args.join(' ')} failed in ${cwd}:\n${out}`);
  }
}

/** Counts one lane step for the summary global-setup.ts prints at the end. */
export function record(kind: 'validated' | 'planned' | 'applied', stackDir: string): void {
  const dir = process.env.AVATAR_TF_LANE_COUNTS;
  if (!dir) return;
  fs.appendFileSync(path.join(dir, `${process.pid}.log`), `${kind}\t${stackDir}\n`);
}

/** Runs init + validate (+ plan) with the real Terraform CLI on every stack of a synthesized app. */
export function checkSynthesized(outdir: string, options: LaneOptions = {}): LaneResult[] {
  requireToolchain();
  const manifest = JSON.parse(fs.readFileSync(path.join(outdir, 'manifest.json'), 'utf8'));
  const results: LaneResult[] = [];
  for (const stack of Object.values(manifest.stacks) as any[]) {
    const stackDir = path.resolve(outdir, stack.workingDirectory);
    run(['init', '-input=false', '-no-color', '-backend=false'], stackDir);
    // `validate -json` exits non-zero on invalid configuration; its diagnostics are on stdout.
    const validation = JSON.parse(run(['validate', '-json', '-no-color'], stackDir, true));
    if (!validation.valid) {
      const messages = (validation.diagnostics ?? []).map((d: any) => `${d.severity}: ${d.summary}: ${d.detail ?? ''}`).join('\n');
      throw new Error(`terraform validate rejected ${stackDir}:\n${messages}`);
    }
    record('validated', stackDir);
    let planOutput: string | undefined;
    if (options.plan) {
      planOutput = run(['plan', '-input=false', '-lock=false', '-refresh=false', '-no-color'], stackDir);
      record('planned', stackDir);
    }
    results.push({ stackDir, validated: true, planned: Boolean(options.plan), planOutput });
  }
  return results;
}

/** Synthesizes `stack`'s app to disk and checks every stack in it with real Terraform. */
export function checkWithTerraform(stack: TerraformStack, options: LaneOptions = {}): LaneResult[] {
  return checkSynthesized(Testing.fullSynth(stack), options);
}

/** What one Terraform command did. */
export interface TerraformRun {
  readonly code: number;
  readonly stdout: string;
  readonly stderr: string;
}

/**
 * Runs one Terraform command without blocking the event loop, so that servers living in the test
 * process (the RunPod emulator) keep answering while it runs: `terraform apply` of a StorageInitJob
 * calls them through the runner. Resolves with the exit code; the caller decides what is a failure.
 */
export function terraformAsync(args: string[], cwd: string, env: NodeJS.ProcessEnv = process.env): Promise<TerraformRun> {
  requireToolchain();
  return new Promise((resolve) => {
    execFile(TERRAFORM, args, { cwd, env, encoding: 'utf8', maxBuffer: 64 * 1024 * 1024 }, (error, stdout, stderr) => {
      const code = error ? (typeof (error as any).code === 'number' ? (error as any).code : 1) : 0;
      resolve({ code, stdout, stderr: error && !stderr ? String(error.message) : stderr });
    });
  });
}
