import { isIP } from 'net';
import { Annotations, Token } from 'cdktf';
import { Construct } from 'constructs';
import { FETCH_ALLOW_NETWORKS_ENV, SERVING_SETTINGS } from './runner/worker-contract';
import { requireInBound } from './validation';

/**
 * The serving worker's own knobs, each checked at construct time with the bounds the worker
 * applies to the `AVATAR_*` variable it becomes (`docker/avatar_worker/contract.py`). Left out,
 * the worker's default applies. `maxAudioSeconds` is a prop of the endpoint itself, since the
 * execution timeout is derived from it.
 */
export interface WorkerSettings {
  /**
   * Shortest audio a job may send, in seconds (0.04 up to the endpoint's `maxAudioSeconds`); audio
   * shorter than InfiniteTalk's 3.28 s minimum is padded with silence (`AVATAR_MIN_AUDIO_SECONDS`).
   * @default 0.5
   */
  readonly minAudioSeconds?: number;
  /** Largest image a job may send or link, in bytes (1 KiB – 1 GiB; `AVATAR_MAX_IMAGE_BYTES`). @default 20971520 (20 MiB) */
  readonly maxImageBytes?: number;
  /** Largest audio file a job may send or link, in bytes (1 KiB – 4 GiB; `AVATAR_MAX_AUDIO_BYTES`). @default 52428800 (50 MiB) */
  readonly maxAudioBytes?: number;
  /** Largest image in pixels, width × height, checked before decoding (4096 – 500 million; `AVATAR_MAX_IMAGE_PIXELS`). @default 40000000 */
  readonly maxImagePixels?: number;
  /** Overall deadline of one input download, in seconds (1–3600; `AVATAR_FETCH_TIMEOUT_SECONDS`). @default 120 */
  readonly fetchTimeoutSeconds?: number;
  /**
   * Largest video returned inline as base64 when no bucket is used, in bytes (0 – 15,000,000;
   * `AVATAR_INLINE_OUTPUT_MAX_BYTES`). RunPod keeps `/run` results of at most 10 MB and base64 adds
   * a third, so the default leaves room for the other output fields.
   * @default 8000000
   */
  readonly inlineOutputMaxBytes?: number;
  /** Lifetime of the presigned video URL, in seconds (1 – 604800, S3's maximum of 7 days; `AVATAR_URL_EXPIRY_SECONDS`). @default 604800 */
  readonly urlExpirySeconds?: number;
  /**
   * CIDRs the worker may fetch inputs from although they are not public (`AVATAR_FETCH_ALLOW_NETWORKS`).
   * Every entry lets anyone who can submit jobs make the worker send GET requests into that network:
   * for private setups only; the construct warns.
   * @default - none: only public addresses are fetched
   */
  readonly fetchAllowNetworks?: string[];
}

/** The numeric settings of `WorkerSettings`, by prop name. */
const NUMERIC = ['minAudioSeconds', 'maxImageBytes', 'maxAudioBytes', 'maxImagePixels', 'fetchTimeoutSeconds', 'inlineOutputMaxBytes', 'urlExpirySeconds'] as const;

/**
 * The environment `settings` become, rendered without checks (`checkWorkerSettings` checks them):
 * only the settings that are given, so the worker's defaults apply to the others.
 */
export function workerSettingsEnvironment(settings: WorkerSettings): { [key: string]: string } {
  const environment: { [key: string]: string } = {};
  for (const key of NUMERIC) {
    const value = settings[key];
    if (value !== undefined) environment[SERVING_SETTINGS[key].env] = Token.isUnresolved(value) ? Token.asString(value) : String(value);
  }
  if (settings.fetchAllowNetworks !== undefined && settings.fetchAllowNetworks.length > 0) {
    environment[FETCH_ALLOW_NETWORKS_ENV] = settings.fetchAllowNetworks.join(',');
  }
  return environment;
}

/** Throws when a setting is outside the worker's bounds; warns when private networks are allowed. */
export function checkWorkerSettings(scope: Construct, settings: WorkerSettings, maxAudioSeconds: number): void {
  for (const key of NUMERIC) {
    const setting = SERVING_SETTINGS[key];
    requireInBound(`workerSettings.${key}`, settings[key], setting, `the worker refuses ${setting.env} outside this range; leave it unset for ${setting.default}.`);
  }
  const minAudio = settings.minAudioSeconds;
  if (minAudio !== undefined && !Token.isUnresolved(minAudio) && !Token.isUnresolved(maxAudioSeconds) && minAudio > maxAudioSeconds) {
    throw new Error(`\`workerSettings.minAudioSeconds\` is ${minAudio} but \`maxAudioSeconds\` is ${maxAudioSeconds}: the shortest accepted audio cannot be longer than the longest.`);
  }
  const networks = settings.fetchAllowNetworks ?? [];
  for (const network of networks) {
    if (Token.isUnresolved(network)) continue;
    if (!isCidr(network)) {
      throw new Error(`\`workerSettings.fetchAllowNetworks\` has "${network}", which is not an IPv4 or IPv6 network such as "10.0.0.0/8" or "fd00::/8".`);
    }
  }
  if (networks.length > 0) {
    Annotations.of(scope).addWarning(
      `\`workerSettings.fetchAllowNetworks\` lets anyone who can submit jobs make the workers fetch from ${networks.join(', ')}: allow only networks that hold nothing else.`,
    );
  }
}

/** `address` or `address/prefix`, IPv4 or IPv6, as Python's `ipaddress.ip_network(..., strict=False)` reads it. */
function isCidr(text: string): boolean {
  const [address, prefix, ...rest] = text.trim().split('/');
  const family = isIP(address);
  if (family === 0 || rest.length > 0) return false;
  if (prefix === undefined) return true;
  return /^[0-9]{1,3}$/.test(prefix) && Number(prefix) <= (family === 4 ? 32 : 128);
}
