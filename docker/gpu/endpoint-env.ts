/**
 * Writes what the GPU harness runs the worker with, as the constructs render it: the endpoint's
 * environment for the example's composition (docs: docker/gpu/README.md), one file per built-in model
 * set (its default preset), and `endpoint-env.json` for the set the harness runs by default.
 *
 *   npx ts-node --transpile-only docker/gpu/endpoint-env.ts <out dir> [default model set] [max audio seconds]
 */
import * as fs from 'fs';
import * as os from 'os';
import * as path from 'path';
import { App } from 'cdktf';
import { L40sDeploymentStack } from '../../examples/l40s-deployment/stack';
import { ModelSet } from '../../src';

const [outDir, defaultSet = 'fp8-lightx2v', maxAudio = '15'] = process.argv.slice(2);
if (!outDir) throw new Error('usage: endpoint-env.ts <out dir> [default model set name] [max audio seconds]');
if (!ModelSet.builtIn().some((s) => s.name === defaultSet)) {
  throw new Error(`no built-in model set named ${defaultSet}: use one of ${ModelSet.builtIn().map((s) => s.name).join(', ')}`);
}

fs.mkdirSync(outDir, { recursive: true });
for (const modelSet of ModelSet.builtIn()) {
  const app = new App({ outdir: fs.mkdtempSync(path.join(os.tmpdir(), 'gpu-env-')) });
  const stack = new L40sDeploymentStack(app, 'gpu-harness', {
    modelSet,
    prebuiltImage: `harness/infinitetalk-worker@sha256:${'0'.repeat(64)}`,
    maxAudioSeconds: Number(maxAudio),
  });
  const env = JSON.stringify(stack.endpoint.environment, null, 2);
  fs.writeFileSync(path.join(outDir, `endpoint-env-${modelSet.name}.json`), env);
  if (modelSet.name === defaultSet) fs.writeFileSync(path.join(outDir, 'endpoint-env.json'), env);
  console.log(`wrote ${outDir}/endpoint-env-${modelSet.name}.json (preset ${stack.endpoint.preset.name})`);
}
