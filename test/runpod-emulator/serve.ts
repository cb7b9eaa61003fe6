/**
 * The emulator as a standalone process, for tests in other languages (the worker's pytest suite).
 *
 *   ts-node --transpile-only test/runpod-emulator/serve.ts <state file>
 *
 * Environment: EMULATOR_API_KEY (the key clients must send), EMULATOR_POD_SCRIPT (JSON PodScript
 * for the next pod, optional). Prints one line `{"url": "http://127.0.0.1:<port>"}` when ready. On
 * SIGTERM or SIGINT it stops (killing pod commands) and writes its state (pods, actions, spec
 * violations, unknown requests) as JSON to the state file.
 */
import * as fs from 'fs';
import { RunpodEmulator } from './emulator';

async function main(): Promise<void> {
  const stateFile = process.argv[2];
  if (!stateFile) throw new Error('usage: serve.ts <state file>');
  const emulator = new RunpodEmulator({ apiKey: process.env.EMULATOR_API_KEY });
  if (process.env.EMULATOR_POD_SCRIPT) emulator.scriptNextPod(JSON.parse(process.env.EMULATOR_POD_SCRIPT));
  const { url } = await emulator.start();
  process.stdout.write(`${JSON.stringify({ url })}\n`);
  const finish = async (): Promise<void> => {
    await emulator.stop();
    const state = {
      pods: emulator.allPods,
      actionsReceived: emulator.actionsReceived,
      specViolations: emulator.specViolations,
      unknownRequests: emulator.unknownRequests.map((r) => `${r.method} ${r.path}`),
    };
    fs.writeFileSync(stateFile, JSON.stringify(state, null, 2));
    process.exit(0);
  };
  process.on('SIGTERM', () => void finish());
  process.on('SIGINT', () => void finish());
}

main().catch((error) => {
  process.stderr.write(`${(error as Error).stack ?? error}\n`);
  process.exit(1);
});
