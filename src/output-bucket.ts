import { isIP } from 'net';
import { Fn, Token } from 'cdktf';
import { IModelVolume } from './model-volume';
import { runpodS3EndpointUrl, VOLUME_MOUNT_PATH, WORKER_ENV } from './runner/worker-contract';
import { SecretValue } from './secret-value';

/** Properties of `OutputBucket.s3Compatible`. */
export interface S3CompatibleBucketProps {
  /** S3 API endpoint, https only, e.g. `https://<account>.r2.cloudflarestorage.com` or `https://s3.eu-central-1.amazonaws.com`. */
  readonly endpointUrl: string;
  /** Bucket name, by S3's naming rules (3–63 lower-case letters, digits, dots and dashes). */
  readonly bucketName: string;
  /** Signing region, where the provider needs one. @default - none: the worker signs for us-east-1 */
  readonly region?: string;
  /** Access key id. */
  readonly accessKeyId: SecretValue;
  /** Secret access key. */
  readonly secretAccessKey: SecretValue;
  /** Relative key prefix for the videos (no leading `/`, no `..`). @default "avatar-videos/" */
  readonly keyPrefix?: string;
}

/** Options of `OutputBucket.runpodVolume`. */
export interface RunpodVolumeBucketOptions {
  /** Access key of a RunPod "S3 API key" (the `user_…` id), e.g. `SecretValue.runpodSecret('s3_access_key')`. */
  readonly accessKeyId: SecretValue;
  /** Secret of that S3 API key (`rps_…`). */
  readonly secretAccessKey: SecretValue;
  /**
   * Directory on the volume for the videos, relative; it may not lie inside the model directory.
   * @default "avatar-videos/"
   */
  readonly keyPrefix?: string;
}

const DEFAULT_KEY_PREFIX = 'avatar-videos/';

/** Data centres whose volumes RunPod's S3 API serves, as its documentation lists them; it may serve more later. */
const RUNPOD_S3_DATA_CENTERS = ['EU-CZ-1', 'EU-RO-1', 'EUR-IS-1', 'EUR-NO-1', 'US-CA-2', 'US-GA-2', 'US-IL-1', 'US-KS-2', 'US-MD-1', 'US-MO-1', 'US-MO-2', 'US-NC-1', 'US-NC-2', 'US-NE-1', 'US-WA-1'];

/** Everything an OutputBucket holds. */
interface BucketSettings {
  readonly endpointUrl: string;
  readonly bucketName: string;
  readonly region?: string;
  readonly accessKeyId: SecretValue;
  readonly secretAccessKey: SecretValue;
  readonly keyPrefix: string;
  readonly presignedUrls: boolean;
  readonly notes: string[];
  readonly warnings: string[];
}

/**
 * Where the worker puts the finished videos: an S3-compatible bucket. Its settings are checked
 * when it is made; the endpoint hands them to the workers as `BUCKET_*` variables.
 */
export class OutputBucket {
  /**
   * Any S3-compatible bucket (AWS S3, Cloudflare R2, MinIO, …). The job returns a presigned URL of
   * the video, valid for `workerSettings.urlExpirySeconds`.
   */
  public static s3Compatible(props: S3CompatibleBucketProps): OutputBucket {
    requireEndpointUrl(props.endpointUrl);
    requireBucketName(props.bucketName);
    if (props.region !== undefined && !Token.isUnresolved(props.region) && !/^[A-Za-z0-9][A-Za-z0-9-]{0,63}$/.test(props.region)) {
      throw new Error(`\`region\` is "${props.region}" but must be a region name such as "eu-central-1" or "EU-RO-1".`);
    }
    return new OutputBucket({ ...props, keyPrefix: keyPrefix(props.keyPrefix), presignedUrls: true, notes: [], warnings: [] });
  }

  /**
   * The network volume itself, through RunPod's S3 API: the bucket is the volume id, the region is
   * its data centre, the endpoint is that data centre's (`https://s3api-<data centre>.runpod.io`).
   * RunPod's S3 API serves no presigned URLs, so the job returns the video's location (`video_s3`:
   * bucket, key, endpoint, region) and clients download it with an S3 API key. The videos take
   * space on the volume that holds the models until they are deleted.
   */
  public static runpodVolume(volume: IModelVolume, options: RunpodVolumeBucketOptions): OutputBucket {
    const prefix = keyPrefix(options.keyPrefix);
    const modelDirectory = Token.isUnresolved(volume.modelRoot) ? undefined : volume.modelRoot.slice(VOLUME_MOUNT_PATH.length + 1);
    if (modelDirectory !== undefined && !Token.isUnresolved(prefix) && `${prefix}/`.startsWith(`${modelDirectory}/`)) {
      throw new Error(
        `\`keyPrefix\` is "${prefix}", inside the model directory "${modelDirectory}" of the volume: videos there would mix with the model files; use a prefix such as "${DEFAULT_KEY_PREFIX}".`,
      );
    }
    const dataCenter = volume.dataCenter;
    const endpointUrl = Token.isUnresolved(dataCenter) ? `https://s3api-${Fn.lower(dataCenter)}.runpod.io` : runpodS3EndpointUrl(dataCenter);
    const note =
      `videos go to the model volume ${Token.isUnresolved(volume.volumeId) ? '' : `${volume.volumeId} `}under "${prefix}" and take its space ` +
      `(${volume.sizeGb} GB for a ${volume.modelSet.expectedGb} GB model set) until they are deleted; RunPod's S3 API serves no presigned URLs, so jobs return the video's location.`;
    const warnings =
      Token.isUnresolved(dataCenter) || RUNPOD_S3_DATA_CENTERS.includes(dataCenter)
        ? []
        : [`RunPod documents its S3 API for ${RUNPOD_S3_DATA_CENTERS.join(', ')}, not ${dataCenter}: uploads to ${endpointUrl} may fail; check RunPod's S3 API page or use OutputBucket.s3Compatible.`];
    return new OutputBucket({
      ...options,
      endpointUrl,
      bucketName: volume.volumeId,
      region: dataCenter,
      keyPrefix: prefix,
      presignedUrls: false,
      notes: [note],
      warnings,
    });
  }

  /** The S3 API endpoint. */
  public readonly endpointUrl: string;
  /** The bucket (for a RunPod volume: its id). */
  public readonly bucketName: string;
  /** The signing region, if any. */
  public readonly region?: string;
  /** The key prefix of the videos. */
  public readonly keyPrefix: string;
  /** Whether jobs return a presigned URL of the video (false: its location). */
  public readonly presignedUrls: boolean;
  /** @internal Notes the endpoint shows when it uses the bucket. */
  public readonly _notes: string[];
  /** @internal Warnings the endpoint shows when it uses the bucket. */
  public readonly _warnings: string[];
  private readonly accessKeyId: SecretValue;
  private readonly secretAccessKey: SecretValue;

  private constructor(settings: BucketSettings) {
    this.endpointUrl = settings.endpointUrl;
    this.bucketName = settings.bucketName;
    this.region = settings.region;
    this.accessKeyId = settings.accessKeyId;
    this.secretAccessKey = settings.secretAccessKey;
    this.keyPrefix = settings.keyPrefix;
    this.presignedUrls = settings.presignedUrls;
    this._notes = settings.notes;
    this._warnings = settings.warnings;
  }

  /** @internal The workers' `BUCKET_*` variables. */
  public _environment(): { [key: string]: string } {
    return {
      [WORKER_ENV.bucketEndpointUrl]: this.endpointUrl,
      [WORKER_ENV.bucketName]: this.bucketName,
      ...(this.region !== undefined ? { [WORKER_ENV.bucketRegion]: this.region } : {}),
      [WORKER_ENV.bucketAccessKeyId]: this.accessKeyId.value,
      [WORKER_ENV.bucketSecretAccessKey]: this.secretAccessKey.value,
      [WORKER_ENV.bucketKeyPrefix]: this.keyPrefix,
      [WORKER_ENV.bucketPresignedUrls]: String(this.presignedUrls),
    };
  }
}

function keyPrefix(prefix: string | undefined): string {
  const value = prefix ?? DEFAULT_KEY_PREFIX;
  if (Token.isUnresolved(value)) return value;
  const segments = value.replace(/\/$/, '').split('/');
  if (value !== '' && (!/^[\x21-\x7e]+$/.test(value) || value.includes('\\') || value.startsWith('/') || segments.some((s) => s === '' || s === '.' || s === '..') || value.length > 512)) {
    throw new Error(
      `\`keyPrefix\` is "${value}" but must be a relative key prefix such as "${DEFAULT_KEY_PREFIX}": printable ASCII without spaces or backslashes, no leading "/", no empty, "." or ".." segments, at most 512 characters.`,
    );
  }
  return value;
}

function requireEndpointUrl(endpointUrl: string): void {
  if (Token.isUnresolved(endpointUrl)) return;
  const fix = 'give the https URL of the S3 API, e.g. "https://<account>.r2.cloudflarestorage.com", or use OutputBucket.runpodVolume(volume, …) for the volume\'s data centre.';
  let url: URL;
  try {
    url = new URL(endpointUrl);
  } catch {
    throw new Error(`\`endpointUrl\` is "${endpointUrl}", not a URL: ${fix}`);
  }
  if (url.protocol !== 'https:') throw new Error(`\`endpointUrl\` is "${endpointUrl}" but must use https (the workers send the bucket's keys with every request): ${fix}`);
  if (url.username || url.password || url.search || url.hash) throw new Error(`\`endpointUrl\` is "${endpointUrl}" but must carry no credentials, query or fragment: ${fix}`);
  const host = url.hostname.replace(/^\[|\]$/g, '').toLowerCase();
  if (host === 'localhost' || host.endsWith('.localhost') || isNonPublicLiteral(host)) {
    throw new Error(`\`endpointUrl\` is "${endpointUrl}", whose host is a loopback, link-local or private address that the workers cannot reach from RunPod: ${fix}`);
  }
}

/** Whether `host` is an IPv4 or IPv6 literal in a loopback, link-local, private, shared or unspecified range. */
function isNonPublicLiteral(host: string): boolean {
  if (isIP(host) === 4) {
    const [a, b] = host.split('.').map(Number);
    const privateOrShared = a === 10 || (a === 172 && b >= 16 && b <= 31) || (a === 192 && b === 168) || (a === 100 && b >= 64 && b <= 127);
    return a === 0 || a === 127 || (a === 169 && b === 254) || privateOrShared;
  }
  if (isIP(host) === 6) {
    // An IPv4-mapped address is the IPv4 host itself (URL parsing writes it as ::ffff:a00:1).
    const mapped = /^::ffff:([0-9a-f]{1,4}):([0-9a-f]{1,4})$/.exec(host);
    if (mapped) {
      const [high, low] = [parseInt(mapped[1], 16), parseInt(mapped[2], 16)];
      return isNonPublicLiteral([Math.floor(high / 256), high % 256, Math.floor(low / 256), low % 256].join('.'));
    }
    return host === '::' || host === '::1' || /^fe[89ab]/.test(host) || /^f[cd]/.test(host);
  }
  return false;
}

/** S3's bucket naming rules. */
function requireBucketName(name: string): void {
  if (Token.isUnresolved(name)) return;
  const problems: string[] = [];
  if (name.length < 3 || name.length > 63) problems.push('3 to 63 characters');
  if (!/^[a-z0-9][a-z0-9.-]*[a-z0-9]$/.test(name)) problems.push('lower-case letters, digits, dots and dashes, starting and ending with a letter or digit');
  if (name.includes('..')) problems.push('no two adjacent dots');
  if (/^\d+\.\d+\.\d+\.\d+$/.test(name)) problems.push('not an IP address');
  if (/^(xn--|sthree-|amzn-s3-demo-)/.test(name) || /(-s3alias|--ol-s3|\.mrap|--x-s3|--table-s3)$/.test(name)) problems.push('no prefix or suffix S3 reserves');
  if (problems.length > 0) throw new Error(`\`bucketName\` is "${name}" but S3 bucket names need ${problems.join('; ')}.`);
}
