import { cdktf, javascript } from 'projen';

/**
 * cdktf-runpod-avatar: a jsii construct library for cdktf 0.21 apps that deploys
 * MeiGen-AI InfiniteTalk (Wan2.1-I2V-14B) to RunPod Serverless on L40S GPUs.
 *
 * Everything projen generates (package.json, tsconfig.dev.json, .projen/, .gitignore,
 * .npmignore, API.md through jsii-docgen) is committed; edit this file, then run `npx projen`.
 */
const project = new cdktf.ConstructLibraryCdktf({
  name: 'cdktf-runpod-avatar',
  description:
    'CDKTF constructs that deploy the InfiniteTalk talking-avatar model (Wan2.1-I2V-14B) to RunPod Serverless on L40S GPUs, with the models on a network volume.',
  keywords: ['cdktf', 'runpod', 'serverless', 'infinitetalk', 'wan2.1', 'avatar', 'l40s', 'terraform'],
  author: 'cdktf-runpod-avatar contributors',
  authorAddress: 'maintainers@cdktf-runpod-avatar.invalid',
  repositoryUrl: 'https://github.com/cdktf-runpod-avatar/cdktf-runpod-avatar.git',
  license: 'Apache-2.0',
  defaultReleaseBranch: 'main',
  packageManager: javascript.NodePackageManager.NPM,
  projenrcTs: true,
  // keep the top level to the product card: projen's own tsconfig for .projenrc.ts lives under .projen/
  projenrcTsOptions: { projenCodeDir: '.projen/projenrc' },

  // CDKTF was sunset on 2025-12-10; 0.21.0 is its final release. A move to cdktn is a new major.
  cdktfVersion: '^0.21.0',
  constructsVersion: '^10.4.2',
  peerDeps: ['@cdktf/provider-docker@^12.0.3', '@cdktf/provider-null@^11.0.1'],

  // jsii and TypeScript move together; an unpinned typescript resolves to 7.x, which breaks ts-node.
  jsiiVersion: '~6.0.0',
  typescriptVersion: '~6.0.3',
  minNodeVersion: '20.16.0',
  workflowNodeVersion: '20.x',

  // vitest replaces jest; the dev tsconfig sits at the top level under the product card's name.
  jest: false,
  typecheckTests: true,
  tsconfigDevFile: 'tsconfig.dev.json',
  tsconfigDev: {
    include: ['examples/**/*.ts', 'vitest.config.mts', 'docker/gpu/*.ts'],
    // Synthesized output holds copies of the docker/ context (docker/gpu's .ts included).
    exclude: ['**/cdktf.out/**'],
    compilerOptions: { types: ['vitest/globals', 'node'] },
  },
  devDeps: [
    'vitest@^4.1.12',
    // vite 8.4 adds an optional dependency the registry does not serve, which leaves package-lock.json
    // without it and makes `npm ci` refuse the lock; 8.3.x has none.
    'vite@~8.3.8',
    '@vitest/coverage-v8@^4.1.12',
    'cdktf-cli@0.21.0',
    '@cdktf/provider-docker@12.0.3',
    '@cdktf/provider-null@11.0.1',
    'ajv@^8.17.1',
    'ajv-formats@^3.0.1',
  ],

  eslintOptions: {
    dirs: ['src'],
    devdirs: ['test', 'examples'],
    ignorePatterns: ['src/gen/**', 'test/terraform/runpod-schema-standin/**', '**/cdktf.out/**'],
  },

  publishToPypi: { distName: 'cdktf-runpod-avatar', module: 'cdktf_runpod_avatar' },

  // CI is `.ci/run` on a clean clone; no hosted workflows, no release automation.
  github: false,
  release: false,
  buildWorkflow: false,
  depsUpgrade: false,
  pullRequestTemplate: false,
  sampleCode: false,

  gitignore: [
    '/examples/*/cdktf.out/',
    '/examples/*/.gen/',
    '/examples/*/terraform.*.tfstate*',
    '.terraform/',
    '.terraform.lock.hcl',
    '__pycache__/',
    '*.pyc',
    '.pytest_cache/',
    '.mypy_cache/',
    '/test/.readme-snippet-*.ts',
    '/docker/.venv/',
    '/coverage/',
  ],
  npmignoreEnabled: true,
  npmIgnoreOptions: {
    ignorePatterns: [
      '/examples/',
      '/docs/',
      '/.ci/',
      '/vitest.config.mts',
      '/tsconfig.dev.json',
      '/docker/tests/',
      '/docker/bench/',
      '/docker/scripts/',
      '/docker/gpu/',
      '/docker/requirements/test.txt',
      '/docker/.venv/',
      '__pycache__/',
      '*.pyc',
      '.pytest_cache/',
      'cdktf.out/',
      '/coverage/',
    ],
  },
});

// The project service finds tsconfig.json (src only) for every file; tests and examples are
// covered by the dev tsconfig, which has a non-default name.
project.eslint?.addOverride({
  files: ['test/**/*.ts', 'examples/**/*.ts'],
  parserOptions: { projectService: false, project: './tsconfig.dev.json' },
} as any);

// ---------------------------------------------------------------------------------------------
// Tests: the TypeScript lane (vitest, including the real-Terraform lane) and the worker's pytest
// lane. `npx projen test` runs every lane; each prints its own counts.
// ---------------------------------------------------------------------------------------------
project.testTask.exec('bash test/terraform/toolchain.sh', {
  name: 'Build the offline Terraform provider mirror (cached outside the clone)',
});
project.testTask.exec('vitest run', { name: 'TypeScript lane (vitest, real Terraform)' });
project.testTask.exec('bash docker/scripts/test.sh', { name: 'Python lane (worker pytest suite)' });
project.testTask.prependSpawn(project.compileTask);
project.addTask('test:watch', { exec: 'vitest' });
project.addTask('gen:runpod', {
  description: 'Regenerate src/gen/runpod from the committed schema src/gen/runpod-2.0.0.schema.json',
  exec: 'bash test/tools/runpod-bindings.sh generate',
});
project.addTask('test:python', { exec: 'bash docker/scripts/test.sh' });
// Not part of `test`: the first run downloads the image's 3.2 GB of wheels (cached afterwards).
project.addTask('test:image-env', {
  description:
    "Check the worker image's Python environment on CPU: image.lock.txt installed as the Dockerfile does, InfiniteTalk imported through the worker, models built on meta, torch.compile off (docker/README.md)",
  exec: 'bash docker/scripts/image-env.sh',
  receiveArgs: true,
});
project.addTask('hub:files', {
  description: 'Bring the entries the constructs render in docker/.runpod/hub.json and tests.json up to date',
  exec: 'ts-node --transpile-only test/contract/write-hub-files.ts',
});
project.addTask('contract:vectors', {
  description: 'Regenerate test/fixtures/contract-vectors.json, the cases both the constructs and the worker must judge alike',
  exec: 'ts-node --transpile-only test/contract/write-vectors.ts',
});

// provider-check: users run the bin from the installed package (`npx cdktf-runpod-avatar-provider-check`),
// which compares the real runpod provider with the committed schema; the schema ships beside it in
// lib/gen (src/ is not packed).
project.addBins({ 'cdktf-runpod-avatar-provider-check': 'lib/provider-check.js' });
project.compileTask.exec('cp src/gen/runpod-2.0.0.schema.json lib/gen/runpod-2.0.0.schema.json', {
  name: 'Ship the committed runpod schema with the provider-check command',
});
project.addTask('provider:check', {
  description: 'Compare the runpod/runpod provider terraform installs with the committed schema (src/gen/runpod-2.0.0.schema.json)',
  steps: [{ spawn: 'compile' }, { exec: 'node lib/provider-check.js' }],
});

// Python users: the jsii wheel in a fresh venv with cdktf's Python packages, and a Python app that
// must synthesize what the TypeScript example does. Packaging reads lib/, so it needs a compile.
const pythonConsumerLane = 'bash test/python-consumer/test.sh';
// Added after construction: the TypeScript project's own `!/test/` drops earlier patterns under /test/.
project.gitignore.addPatterns('/test/python-consumer/cdktf.out/');
project.testTask.exec(pythonConsumerLane, { name: 'Python consumer lane (jsii wheel, synth compared with TypeScript)' });
project.addTask('test:python-consumer', {
  description: 'Build the Python wheel, install it with cdktf in a cached venv, compare the Python app with the TypeScript example',
  steps: [{ spawn: 'compile' }, { exec: pythonConsumerLane }],
});

// The main job: synthesize the example L40S deployment (no credentials) and summarise it.
const exampleDir = 'examples/l40s-deployment';
project.addTask('example:synth', {
  description: 'Synthesize the example L40S deployment and print a summary',
  env: { CHECKPOINT_DISABLE: '1' },
  steps: [
    // The StorageInitJob ships its runner as compiled JavaScript (lib/runner): build it first, so the
    // first command on a fresh clone works.
    { spawn: 'compile' },
    { exec: 'cdktf synth --output cdktf.out', cwd: exampleDir },
    { exec: 'ts-node --transpile-only summary.ts cdktf.out', cwd: exampleDir },
  ],
});

project.synth();
