/**
 * Prints a short human summary of a synthesized cdktf app: stacks written, resources by type, GPU
 * selection, volume size, data centre and where each cdk.tf.json is.
 * Usage: ts-node summary.ts <cdktf.out directory>
 */
import * as fs from 'fs';
import * as path from 'path';

type Json = Record<string, any>;

function main(outDir: string): void {
  const manifestFile = path.join(outDir, 'manifest.json');
  if (!fs.existsSync(manifestFile)) {
    console.error(`summary: ${manifestFile} does not exist; run "cdktf synth" first.`);
    process.exit(1);
  }
  const manifest = JSON.parse(fs.readFileSync(manifestFile, 'utf8')) as Json;
  const stacks = Object.values(manifest.stacks as Json) as Json[];
  console.log(`\nSynthesized ${stacks.length} stack${stacks.length === 1 ? '' : 's'} (no credentials used).`);
  for (const stack of stacks) {
    const file = path.resolve(outDir, stack.synthesizedStackPath);
    const tf = JSON.parse(fs.readFileSync(file, 'utf8')) as Json;
    const resources = (tf.resource ?? {}) as Json;
    console.log(`\nStack ${stack.name}: ${path.relative(process.cwd(), file)}`);
    console.log('  Resources by type:');
    for (const type of Object.keys(resources).sort()) {
      console.log(`    ${type.padEnd(30)} ${Object.keys(resources[type]).length}`);
    }
    for (const endpoint of Object.values((resources.runpod_serverless_endpoint ?? {}) as Json) as Json[]) {
      const pools = (endpoint.gpu_pools ?? []).join(', ');
      const excluded = (endpoint.excluded_types ?? []).join(', ');
      console.log(`  GPU: pools ${pools}${excluded ? ` minus ${excluded}` : ''} (${endpoint.gpu_count ?? 1} per worker), workers ${endpoint.workers_min}-${endpoint.workers_max}`);
    }
    for (const volume of Object.values((resources.runpod_network_volume ?? {}) as Json) as Json[]) {
      console.log(`  Volume: ${volume.size} GB, ${volume.type ?? 'default'} tier, data centre ${describe(volume.data_center, tf)}`);
    }
  }
  console.log('');
}

/** Resolves `${var.x}` to the variable's default so the summary shows a value. */
function describe(value: string, tf: Json): string {
  const match = /^\$\{var\.([A-Za-z0-9_]+)\}$/.exec(String(value));
  if (!match) return String(value);
  const variable = (tf.variable ?? {})[match[1]] ?? {};
  return `${variable.default ?? '(unset)'} (variable ${match[1]})`;
}

main(process.argv[2] ?? 'cdktf.out');
