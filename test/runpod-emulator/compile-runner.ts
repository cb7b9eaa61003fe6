/**
 * Makes sure `lib/runner/storage-init-runner.js` is compiled from the current `src/runner/*.ts`
 * before a test runs it as a child process. `npx projen compile` (jsii) does this for the whole
 * library; this compiles only the runner with plain tsc and the library's compiler options, so the
 * runner tests do not depend on the rest of src/ compiling.
 */
import { execFileSync } from 'child_process';
import * as fs from 'fs';
import * as path from 'path';

export const PACKAGE_ROOT = path.resolve(__dirname, '..', '..');
export const RUNNER_SRC = path.join(PACKAGE_ROOT, 'src', 'runner');
export const RUNNER_LIB = path.join(PACKAGE_ROOT, 'lib', 'runner');
export const RUNNER_JS = path.join(RUNNER_LIB, 'storage-init-runner.js');

function newestMtime(dir: string, ext: string): number {
  return Math.max(0, ...fs.readdirSync(dir).filter((f) => f.endsWith(ext)).map((f) => fs.statSync(path.join(dir, f)).mtimeMs));
}

/** Compiles src/runner to lib/runner when any source is newer than the output. */
export function ensureRunnerCompiled(): string {
  const sources = fs.readdirSync(RUNNER_SRC).filter((f) => f.endsWith('.ts') && !f.endsWith('.d.ts'));
  const stale = !fs.existsSync(RUNNER_JS) || newestMtime(RUNNER_SRC, '.ts') > newestMtime(RUNNER_LIB, '.js') ||
    sources.some((f) => !fs.existsSync(path.join(RUNNER_LIB, f.replace(/\.ts$/, '.js'))));
  if (stale) {
    const tsc = path.join(PACKAGE_ROOT, 'node_modules', 'typescript', 'bin', 'tsc');
    execFileSync(process.execPath, [
      tsc,
      '--outDir', RUNNER_LIB, '--rootDir', RUNNER_SRC,
      '--module', 'node16', '--moduleResolution', 'node16', '--target', 'ES2022', '--lib', 'es2022',
      '--strict', '--declaration', '--inlineSourceMap', '--inlineSources', '--esModuleInterop', '--skipLibCheck',
      '--noUnusedLocals', '--noUnusedParameters', '--noImplicitReturns', '--types', 'node', '--ignoreConfig',
      ...sources.map((f) => path.join(RUNNER_SRC, f)),
    ], { cwd: PACKAGE_ROOT, stdio: 'pipe' });
  }
  return RUNNER_JS;
}
