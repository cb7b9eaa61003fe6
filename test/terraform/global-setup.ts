/**
 * vitest global setup: loads the offline Terraform environment written by test/terraform/toolchain.sh
 * into process.env (inherited by the test workers) and, at the end, prints the lane's counts.
 */
import { execFileSync } from 'child_process';
import * as fs from 'fs';
import * as os from 'os';
import * as path from 'path';

export default function setup(): () => void {
  const toolchain = path.join(__dirname, 'toolchain.sh');
  // Prints the path of env.sh; builds the mirror first if the cache is cold (fails loudly if it cannot).
  const envFile = execFileSync('bash', [toolchain, '--print-env'], { encoding: 'utf8', stdio: ['ignore', 'pipe', 'inherit'] }).trim().split('\n').pop()!;
  const dump = execFileSync('bash', ['-c', `set -a; source "${envFile}"; env -0`], { encoding: 'utf8' });
  // A plugin cache would bypass the mirror's symlinks; env.sh unsets it, so drop an inherited one too.
  delete process.env.TF_PLUGIN_CACHE_DIR;
  for (const entry of dump.split('\0')) {
    const eq = entry.indexOf('=');
    if (eq > 0) process.env[entry.slice(0, eq)] = entry.slice(eq + 1);
  }
  const counts = fs.mkdtempSync(path.join(os.tmpdir(), 'avatar-tf-lane-'));
  process.env.AVATAR_TF_LANE_COUNTS = counts;

  return () => {
    const lines = fs.readdirSync(counts).flatMap((f) => fs.readFileSync(path.join(counts, f), 'utf8').split('\n').filter(Boolean));
    const validated = lines.filter((l) => l.startsWith('validated')).length;
    const planned = lines.filter((l) => l.startsWith('planned')).length;
    const applied = lines.filter((l) => l.startsWith('applied')).length;
    const providers = process.env.AVATAR_TF_MIRROR ? `mirror ${process.env.AVATAR_TF_MIRROR}` : 'providers from the public registry';
    console.log(`\nTerraform lane: ${validated} stacks validated, ${planned} planned, ${applied} applied (${terraformVersion()}, ${providers})`);
    const laneFile = process.env.AVATAR_TF_LANE_FILE;
    if (laneFile && fs.existsSync(laneFile)) console.log(fs.readFileSync(laneFile, 'utf8').trimEnd());
    fs.rmSync(counts, { recursive: true, force: true });
  };
}

/** `terraform 1.11.4` or `OpenTofu 1.12.6`: the CLI the lane ran. */
function terraformVersion(): string {
  const binary = process.env.TERRAFORM_BINARY_NAME || 'terraform';
  try {
    const version = JSON.parse(execFileSync(binary, ['version', '-json'], { encoding: 'utf8' })).terraform_version;
    return `${path.basename(binary) === 'tofu' ? 'OpenTofu' : 'terraform'} ${version}`;
  } catch {
    return `${binary} (version unknown)`;
  }
}
