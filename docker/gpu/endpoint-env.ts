/**
 * Writes what the GPU harness runs the worker with, as the constructs render it: the endpoint's
 * environment for the example's composition (docs: docker/gpu/README.md) and the manifest of every
 * built-in model set.
 *
 *   npx ts-node --transpile-only docker/gpu/endpoint-env.ts <out dir> [model set name] [max audio seconds]
 */
import * as fs from 'fs';
import * as path from 'path';
import { App } from 'cdktf';
import { L40sDeploymentStack } from '../../examples/l40s-deployment/stack';
import { ModelManifest, ModelSet } from '../../src';

const [outDir, setName = 'fp8-lightx2v', maxAudio = '15'] = process.argv.slice(2);
if (!outDir) throw new Error('usage: endpoint-env.ts <out dir> [model set name] [max audio seconds]');
const modelSet = ModelSet.builtIn().find((s) => s.name === setName);
if (!modelSet) throw new Error(`no built-in model set named ${setName}: use one of ${ModelSet.builtIn().map((s) => s.name).join(', ')}`);

const app = new App({ outdir: fs.mkdtempSync(path.join(require('os').tmpdir(), 'gpu-env-')) });
const stack = new L40sDeploymentStack(app, 'gpu-harness', {
  modelSet,
  prebuiltImage: `harness/infinitetalk-worker@sha256:${'0'.repeat(64)}`,
  maxAudioSeconds: Number(maxAudio),
});
fs.mkdirSync(outDir, { recursive: true });
fs.writeFileSync(path.join(outDir, 'endpoint-env.json'), JSON.stringify(stack.endpoint.environment, null, 2));
for (const set of ModelSet.builtIn()) {
  fs.writeFileSync(path.join(outDir, `manifest-${set.name}.json`), ModelManifest.of(set).json);
}
console.log(`wrote ${outDir}/endpoint-env.json (${modelSet.name}, preset ${stack.endpoint.preset.name}) and ${ModelSet.builtIn().length} manifests`);
