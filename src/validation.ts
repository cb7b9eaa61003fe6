import { Token } from 'cdktf';
import { Bound, boundProblem, RUNPOD_SECRET_NAME_PATTERN } from './runner/worker-contract';

/**
 * Construct-time checks shared by the constructs. Each skips values that are unresolved tokens
 * (they are only known at deploy time) and throws an Error naming the prop, the value and the fix.
 */

/** Throws unless `value` is inside `bound` (a contract bound or one of RunPod's); unresolved tokens pass. */
export function requireInBound(prop: string, value: number | undefined, bound: Bound, fix: string): void {
  if (value === undefined || Token.isUnresolved(value)) return;
  const problem = boundProblem(prop, value, bound);
  if (problem) throw new Error(`${problem}: ${fix}`);
}

/** Throws unless `value` is an integer (when asked) in [min, max]; unresolved tokens pass. */
export function requireNumberInRange(prop: string, value: number | undefined, min: number, max: number, fix: string, integer = true): void {
  requireInBound(prop, value, { min, max, integer }, fix);
}

/** Throws when `value` is an empty or blank string; unresolved tokens pass. */
export function requireNonEmpty(prop: string, value: string | undefined, fix: string): void {
  if (value !== undefined && Token.isUnresolved(value)) return;
  if (value === undefined || value.trim() === '') {
    throw new Error(`\`${prop}\` is empty: ${fix}`);
  }
}

/** RunPod data centre ids look like `EU-RO-1`, `EUR-IS-1`, `US-KS-2`. */
export const DATA_CENTER_PATTERN = /^[A-Z]{2,4}-[A-Z]{2}-[0-9]{1,2}$/;

/** Throws when `dataCenter` is empty or not shaped like a RunPod data centre id. */
export function requireDataCenter(prop: string, dataCenter: string | undefined): void {
  requireNonEmpty(prop, dataCenter, 'give the RunPod data centre id that holds the volume, e.g. "EU-RO-1" (list them with GET /v2/catalog/datacenters).');
  if (dataCenter === undefined || Token.isUnresolved(dataCenter)) return;
  if (!DATA_CENTER_PATTERN.test(dataCenter)) {
    throw new Error(`\`${prop}\` is "${dataCenter}" but RunPod data centre ids look like "EU-RO-1" or "US-KS-2" (upper case, two dashes): fix the id.`);
  }
}

/** Throws when `name` is not the bare name of a RunPod secret. */
export function requireRunpodSecretName(prop: string, name: string): void {
  if (Token.isUnresolved(name)) return;
  const inner = /RUNPOD_SECRET_([A-Za-z0-9_-]+)/.exec(name);
  if (!RUNPOD_SECRET_NAME_PATTERN.test(name)) {
    throw new Error(
      `\`${prop}\` is "${name}" but must be the bare name of a RunPod secret (letters, digits, "_" and "-", as shown in the RunPod console)` +
        `${inner ? `: use "${inner[1]}"; the {{ RUNPOD_SECRET_… }} reference is written for you.` : '.'}`,
    );
  }
}

/** Throws `message` when `value` is a known string that is not an http(s) URL; unresolved tokens pass. */
export function requireHttpUrl(value: string | undefined, message: string): void {
  if (value === undefined || Token.isUnresolved(value)) return;
  if (!/^https?:\/\/[^/\s]+(\/[^\s]*)?$/.test(value)) throw new Error(message);
}

/** Whether a value is known at synth time (not a token). */
export function isResolved(value: unknown): boolean {
  return !Token.isUnresolved(value);
}
