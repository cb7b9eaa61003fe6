// Generates cdktf bindings for one provider schema file into <outDir>/runpod.
// Usage: node generate-runpod-bindings.cjs <schema.json> <outDir>   (NODE_PATH = the tool folder)
'use strict';
const fs = require('fs');
const path = require('path');
const { generateProviderBindingsFromSchema } = require('@cdktf/provider-generator');

async function main() {
  const [schemaFile, outDir] = process.argv.slice(2);
  const committed = JSON.parse(fs.readFileSync(schemaFile, 'utf8'));
  // The provenance block is ours; the generator takes the plain `providers schema -json` shape.
  const { provenance: _provenance, ...schema } = committed;
  const work = fs.mkdtempSync(path.join(outDir, 'gen-'));
  await generateProviderBindingsFromSchema(work, schema);
  const generated = path.join(work, 'providers', 'runpod');
  fs.renameSync(generated, path.join(outDir, 'runpod'));
  fs.rmSync(work, { recursive: true, force: true });
}

main().catch((err) => {
  console.error(err);
  process.exit(1);
});
