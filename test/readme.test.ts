import { execFileSync } from 'child_process';
import * as fs from 'fs';
import * as os from 'os';
import * as path from 'path';

const REPO = path.resolve(__dirname, '..');

describe('README', () => {
  test('the "Using the constructs" snippet synthesizes as written', () => {
    const readme = fs.readFileSync(path.join(REPO, 'README.md'), 'utf8');
    const section = readme.slice(readme.indexOf('## Using the constructs'));
    const snippet = /```ts\n([\s\S]*?)```/.exec(section)![1]
      .replace("from 'cdktf-runpod-avatar'", `from ${JSON.stringify(path.join(REPO, 'src'))}`)
      .replace('@sha256:…', `@sha256:${'0'.repeat(64)}`);
    // Beside the tests so that imports resolve from the repository's node_modules; run from a temp dir
    // so that cdktf.out lands there.
    const file = path.join(__dirname, `.readme-snippet-${process.pid}.ts`);
    const cwd = fs.mkdtempSync(path.join(os.tmpdir(), 'readme-snippet-'));
    fs.writeFileSync(file, snippet);
    try {
      execFileSync(path.join(REPO, 'node_modules', '.bin', 'ts-node'), ['--transpile-only', file], { cwd, stdio: 'pipe' });
    } finally {
      fs.rmSync(file, { force: true });
    }
    const stack = JSON.parse(fs.readFileSync(path.join(cwd, 'cdktf.out', 'stacks', 'avatar', 'cdk.tf.json'), 'utf8'));
    expect(Object.keys(stack.resource).sort()).toEqual(['null_resource', 'runpod_network_volume', 'runpod_serverless_endpoint']);
    expect(Object.values(stack.resource.runpod_network_volume)[0]).toMatchObject({ size: 40 });
  });
});
