import { Token } from 'cdktf';

/**
 * Construct-time checks shared by the constructs. Each skips values that are unresolved tokens
 * (they are only known at deploy time) and throws an Error naming the prop, the value and the fix.
 */

/** Throws unless `value` is an integer (when asked) in [min, max]; unresolved tokens pass. */
export function requireNumberInRange(prop: string, value: number | undefined, min: number, max: number, fix: string, integer = true): void {
  if (value === undefined || Token.isUnresolved(value)) return;
  if (!Number.isFinite(value) || value < min || value > max || (integer && !Number.isInteger(value))) {
    throw new Error(`\`${prop}\` is ${value} but must be ${integer ? 'an integer ' : ''}between ${min} and ${max}: ${fix}`);
  }
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

/** Names of model sets and presets: lower-case letters, digits and dashes, at most 63. */
export const NAME_PATTERN = /^[a-z0-9][a-z0-9-]{0,62}$/;

/** A relative path on the volume: segments of letters, digits, dots, dashes and underscores, no `..`. */
export const RELATIVE_PATH_PATTERN = /^[A-Za-z0-9][A-Za-z0-9._-]*(\/[A-Za-z0-9][A-Za-z0-9._-]*)*$/;

/** The name of a secret in the RunPod console (referenced as `{{ RUNPOD_SECRET_<name> }}`). */
export const RUNPOD_SECRET_NAME_PATTERN = /^[A-Za-z0-9][A-Za-z0-9_-]{0,99}$/;

/** Throws `message` when `value` is a known string that is not an http(s) URL; unresolved tokens pass. */
export function requireHttpUrl(value: string | undefined, message: string): void {
  if (value === undefined || Token.isUnresolved(value)) return;
  if (!/^https?:\/\/[^/\s]+(\/[^\s]*)?$/.test(value)) throw new Error(message);
}

/** Whether a value is known at synth time (not a token). */
export function isResolved(value: unknown): boolean {
  return !Token.isUnresolved(value);
}
