/**
 * The storage-init runner: what the StorageInitJob's local-exec provisioner runs during
 * `cdktf deploy` (`node <asset>/storage-init-runner.js`). Node 20 built-ins only: it ships as a
 * Terraform asset, without node_modules.
 *
 *   node storage-init-runner.js               run the job (configuration from the environment)
 *   node storage-init-runner.js --parse-log   read worker output (JSON lines) on stdin, print the parsed outcome
 *   node storage-init-runner.js --help        list the environment variables
 */
import { ConfigError, readConfig, RUNNER_ENVIRONMENT } from './config';
import { EXIT_CODES, runStorageInit } from './init-job';
import { RUNNER_VERSION } from './version';
import { parseWorkerLog } from './worker-output';

export { RUNNER_VERSION } from './version';

/** Runs the runner; resolves to the exit code. */
export async function main(argv: string[], env: NodeJS.ProcessEnv): Promise<number> {
  if (argv.includes('--parse-log')) {
    const chunks: Buffer[] = [];
    for await (const chunk of process.stdin) chunks.push(chunk as Buffer);
    const summary = parseWorkerLog(Buffer.concat(chunks).toString('utf8'));
    process.stdout.write(`${JSON.stringify(summary)}\n`);
    return summary.ok ? 0 : 1;
  }
  if (argv.includes('--version')) {
    process.stdout.write(`${RUNNER_VERSION}\n`);
    return 0;
  }
  if (argv.includes('--help') || argv.includes('-h')) {
    process.stdout.write('storage-init-runner: fills a RunPod network volume with the model set (see StorageInitJob).\n\nEnvironment:\n');
    for (const v of RUNNER_ENVIRONMENT) process.stdout.write(`  ${v.name.padEnd(36)} ${v.meaning} (default: ${v.default})\n`);
    return 0;
  }
  let config;
  try {
    config = readConfig(env);
  } catch (error) {
    if (error instanceof ConfigError) {
      process.stderr.write(`${error.message}\n`);
      return EXIT_CODES.CONFIG;
    }
    throw error;
  }
  return runStorageInit(
    config,
    {
      out: (line) => process.stdout.write(`${line}\n`),
      err: (line) => process.stderr.write(`${line}\n`),
      progressSink: process.stderr,
      now: () => Date.now(),
    },
    process,
  );
}

if (require.main === module) {
  main(process.argv.slice(2), process.env).then(
    (code) => process.exit(code),
    (error) => {
      process.stderr.write(`storage init: unexpected error: ${error instanceof Error ? (error.stack ?? error.message) : String(error)}\n`);
      process.exit(EXIT_CODES.FAILED);
    },
  );
}
