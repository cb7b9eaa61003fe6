import { createHash } from 'crypto';
import * as fs from 'fs';
import * as path from 'path';
import { Image } from '@cdktf/provider-docker/lib/image';
import { RegistryImage } from '@cdktf/provider-docker/lib/registry-image';
import { Annotations, AssetType, TerraformAsset, TerraformVariable } from 'cdktf';
import { Construct } from 'constructs';
import { Registry } from './gen/runpod/registry';
import { requireNonEmpty } from './validation';

/** InfiniteTalk commit the image builds by default: resident-worker reference, Python ≥ 3.11 safe, SDPA fallback. */
export const DEFAULT_INFINITETALK_COMMIT = 'a1aa6e9fd5f46e31b1f3792662e86db49d1d99cd';

/** CUDA 12.1 runtime base the worker image builds on by default (torch 2.4.1 cu121). */
export const DEFAULT_BASE_IMAGE = 'nvidia/cuda:12.1.1-cudnn8-runtime-ubuntu22.04';

/** The worker image every consumer pulls, pinned by digest where possible. */
export interface IWorkerImage {
  /** Image reference to run: `repository@sha256:…` (or a tag reference when only a tag was given). */
  readonly imageUri: string;
  /** Whether `imageUri` is pinned by digest (immutable). */
  readonly pinnedByDigest: boolean;
  /** Id of the RunPod registry credential needed to pull a private image. @default - public image */
  readonly registryAuthId?: string;
}

/** How the image is pushed to (and, for private images, pulled from) its registry. */
export class RegistryCredentials {
  /**
   * Username and password from two sensitive Terraform variables the construct declares
   * (`<id>_registry_username`, `<id>_registry_password`); set them with `TF_VAR_…` when deploying.
   */
  public static fromTerraformVariables(): RegistryCredentials {
    return new RegistryCredentials('variables');
  }

  /**
   * The docker provider's own configuration (its `registry_auth` block, `DOCKER_REGISTRY_USER` /
   * `DOCKER_REGISTRY_PASS`, or the docker config file). The construct writes no credential.
   */
  public static fromDockerProvider(): RegistryCredentials {
    return new RegistryCredentials('provider');
  }

  private constructor(
    /** @internal */ public readonly _source: 'variables' | 'provider',
  ) {}
}

/** Properties of an InfiniteTalkImage. */
export interface InfiniteTalkImageProps {
  /** Repository to push to, e.g. `docker.io/acme/infinitetalk-worker` or `ghcr.io/acme/worker`. No tag, no digest. */
  readonly repository: string;
  /** Tag pushed next to the digest. @default - `ctx-` and the first 12 hex of the build context's hash */
  readonly tag?: string;
  /** InfiniteTalk commit fetched at build time (`INFINITETALK_COMMIT`). @default DEFAULT_INFINITETALK_COMMIT */
  readonly infiniteTalkCommit?: string;
  /** CUDA base image (`BASE_IMAGE`). @default DEFAULT_BASE_IMAGE */
  readonly baseImage?: string;
  /** Extra build args; `INFINITETALK_COMMIT` and `BASE_IMAGE` come from their own props. @default - none */
  readonly buildArgs?: { [key: string]: string };
  /** Dockerfile stage to build. @default - the last stage */
  readonly target?: string;
  /** Images to use as build cache sources. @default - none */
  readonly cacheFrom?: string[];
  /** Build context directory. @default - the `docker/` directory shipped in this package */
  readonly contextDirectory?: string;
  /** Credentials for the push. @default RegistryCredentials.fromTerraformVariables() */
  readonly credentials?: RegistryCredentials;
  /**
   * Create a `runpod_registry` credential so RunPod can pull a private image. Needs
   * `RegistryCredentials.fromTerraformVariables()` (RunPod must be given the password).
   * @default false
   */
  readonly privateRegistry?: boolean;
}

/** Options for `InfiniteTalkImage.fromRegistry`. */
export interface FromRegistryOptions {
  /** RunPod registry credential id for a private image. @default - public image */
  readonly registryAuthId?: string;
}

/** Caches and local environments never belong to a build context's identity. */
const ALWAYS_IGNORED = ['**/__pycache__', '**/*.pyc', '**/.pytest_cache', '**/.venv', '**/.mypy_cache', '**/.ruff_cache'];

/** A `.dockerignore` pattern as a matcher of `/`-separated relative paths (negations are not supported). */
function dockerignoreMatcher(pattern: string): RegExp {
  const body = pattern
    .replace(/^\/+|\/+$/g, '')
    .split('/')
    .map((part) => (part === '**' ? '(?:.*/)?' : `${part.replace(/[.+^${}()|[\]\\]/g, '\\$&').replace(/\*/g, '[^/]*').replace(/\?/g, '[^/]')}/`))
    .join('')
    .replace(/\/$/, '');
  // A pattern names a file or a directory; a directory excludes everything under it.
  return new RegExp(`^${body.replace(/\(\?:\.\*\/\)\?$/, '.*')}(?:/.*)?$`);
}

function ignoredPaths(directory: string): RegExp[] {
  const file = path.join(directory, '.dockerignore');
  const patterns = fs.existsSync(file)
    ? fs.readFileSync(file, 'utf8').split('\n').map((l) => l.trim()).filter((l) => l && !l.startsWith('#') && !l.startsWith('!'))
    : [];
  return [...ALWAYS_IGNORED, ...patterns].map(dockerignoreMatcher);
}

/**
 * sha256 over the files a `docker build` of `directory` sees (its `.dockerignore` applied): relative
 * paths (sorted, `/`-separated) and contents. Changes when any of those files changes, is added,
 * removed or renamed; a change to an ignored file (tests, caches) does not rebuild the image.
 */
export function buildContextHash(directory: string): string {
  const ignored = ignoredPaths(directory);
  const hash = createHash('sha256');
  const walk = (dir: string, prefix: string): void => {
    for (const entry of fs.readdirSync(dir, { withFileTypes: true }).sort((a, b) => (a.name < b.name ? -1 : a.name > b.name ? 1 : 0))) {
      const relative = prefix ? `${prefix}/${entry.name}` : entry.name;
      if (ignored.some((re) => re.test(relative))) continue;
      const full = path.join(dir, entry.name);
      if (entry.isDirectory()) {
        walk(full, relative);
      } else if (entry.isFile()) {
        hash.update(`file\0${relative}\0`);
        hash.update(fs.readFileSync(full));
        hash.update('\0');
      }
    }
  };
  walk(directory, '');
  return hash.digest('hex');
}

/** The `docker/` build context shipped in this package (beside `lib/` and `src/`). */
export function packagedContextDirectory(): string {
  return path.resolve(__dirname, '..', 'docker');
}

// distribution/reference grammar: lower-case path components, optional registry host, tag, digest.
const PATH_COMPONENT = '[a-z0-9]+(?:(?:[._]|__|-+)[a-z0-9]+)*';
const DOMAIN = '(?:localhost|(?:[a-zA-Z0-9](?:[a-zA-Z0-9-]*[a-zA-Z0-9])?)(?:\\.[a-zA-Z0-9](?:[a-zA-Z0-9-]*[a-zA-Z0-9])?)+|\\[[0-9a-fA-F:]+\\])(?::[0-9]+)?';
const DOMAIN_WITH_PORT = '(?:[a-zA-Z0-9](?:[a-zA-Z0-9-]*[a-zA-Z0-9])?):[0-9]+';
const NAME = `(?:(?:${DOMAIN}|${DOMAIN_WITH_PORT})/)?${PATH_COMPONENT}(?:/${PATH_COMPONENT})*`;
const REFERENCE = new RegExp(`^(${NAME})(?::([\\w][\\w.-]{0,127}))?(?:@(sha256:[0-9a-f]{64}))?$`);
const REPOSITORY = new RegExp(`^${NAME}$`);

/** A parsed image reference. */
interface ParsedReference {
  readonly repository: string;
  readonly tag?: string;
  readonly digest?: string;
}

function parseReference(reference: string): ParsedReference | undefined {
  const match = REFERENCE.exec(reference);
  if (!match || match[1].length > 255) return undefined;
  return { repository: match[1], tag: match[2], digest: match[3] };
}

/** Registry host of a repository: its first component when that looks like a host, else Docker Hub. */
export function registryAddress(repository: string): string {
  const first = repository.split('/')[0];
  const isHost = repository.includes('/') && (first.includes('.') || first.includes(':') || first === 'localhost');
  // Docker Hub's registry API lives at registry-1.docker.io whatever name the reference uses.
  return isHost && first !== 'docker.io' && first !== 'index.docker.io' ? first : 'registry-1.docker.io';
}

/**
 * The worker image: built from the package's own `docker/` context, pushed, and referenced by digest,
 * so an endpoint never drifts with a mutable tag. An unchanged context never rebuilds.
 */
export class InfiniteTalkImage extends Construct implements IWorkerImage {
  /**
   * Use a prebuilt image (no Docker daemon needed at deploy). A reference with a digest is used as is;
   * a tag without digest is accepted with a warning; a malformed reference throws.
   */
  public static fromRegistry(scope: Construct, id: string, reference: string, options: FromRegistryOptions = {}): IWorkerImage {
    const parsed = parseReference(reference);
    if (!parsed) {
      throw new Error(
        `image reference "${reference}" is malformed: expected [registry/]repository[:tag][@sha256:<64 hex>] with a lower-case repository, e.g. "docker.io/acme/infinitetalk-worker@sha256:…".`,
      );
    }
    class Prebuilt extends Construct implements IWorkerImage {
      public readonly imageUri = reference;
      public readonly pinnedByDigest = parsed!.digest !== undefined;
      public readonly registryAuthId = options.registryAuthId;
    }
    const image = new Prebuilt(scope, id);
    if (!image.pinnedByDigest) {
      Annotations.of(image).addWarning(
        `image "${reference}" has no digest: a tag can be moved, so workers started later may run other code than those running now, and Terraform cannot see the change. Pin it as ${parsed.repository}@sha256:<digest>.`,
      );
    }
    return image;
  }

  /** The `docker_image` build, for escape hatches. */
  public readonly image: Image;
  /** The `docker_registry_image` push, for escape hatches. */
  public readonly registryImage: RegistryImage;
  /** `repository@sha256:…` from the pushed digest: what every consumer uses. */
  public readonly imageUri: string;
  /** Always true: the digest comes from the push. */
  public readonly pinnedByDigest = true;
  /** RunPod registry credential id when `privateRegistry` is set. */
  public readonly registryAuthId?: string;
  /** The `runpod_registry` credential when `privateRegistry` is set. */
  public readonly runpodRegistry?: Registry;
  /** sha256 of the build context: the rebuild trigger. */
  public readonly contextHash: string;
  /** The tag pushed next to the digest. */
  public readonly tag: string;
  /** Names of the sensitive Terraform variables holding the push credentials (set `TF_VAR_<name>`), if any. */
  public readonly registryVariableNames: string[] = [];

  constructor(scope: Construct, id: string, props: InfiniteTalkImageProps) {
    super(scope, id);
    requireNonEmpty('repository', props.repository, 'give the repository to push to, e.g. "docker.io/acme/infinitetalk-worker".');
    if (!REPOSITORY.test(props.repository)) {
      throw new Error(
        `\`repository\` is "${props.repository}" but must be [registry/]name without tag or digest, lower-case, e.g. "docker.io/acme/infinitetalk-worker".`,
      );
    }
    const contextDirectory = props.contextDirectory ?? packagedContextDirectory();
    if (!fs.existsSync(path.join(contextDirectory, 'Dockerfile'))) {
      throw new Error(`\`contextDirectory\` "${contextDirectory}" has no Dockerfile: point it at a docker build context.`);
    }
    const commit = props.infiniteTalkCommit ?? DEFAULT_INFINITETALK_COMMIT;
    if (!/^[0-9a-f]{40}$/.test(commit)) {
      throw new Error(`\`infiniteTalkCommit\` is "${commit}" but must be a full 40-hex commit of MeiGen-AI/InfiniteTalk (a branch would make builds irreproducible).`);
    }
    const baseImage = props.baseImage ?? DEFAULT_BASE_IMAGE;
    if (!parseReference(baseImage)) {
      throw new Error(`\`baseImage\` "${baseImage}" is not a valid image reference.`);
    }
    for (const key of Object.keys(props.buildArgs ?? {})) {
      if (key === 'INFINITETALK_COMMIT' || key === 'BASE_IMAGE') {
        throw new Error(`\`buildArgs\` sets ${key}: use the \`${key === 'BASE_IMAGE' ? 'baseImage' : 'infiniteTalkCommit'}\` prop instead.`);
      }
    }
    this.contextHash = buildContextHash(contextDirectory);
    this.tag = props.tag ?? `ctx-${this.contextHash.slice(0, 12)}`;
    if (!/^[\w][\w.-]{0,127}$/.test(this.tag)) {
      throw new Error(`\`tag\` is "${this.tag}" but tags are letters, digits, '_', '.' and '-' (at most 128, not starting with '.' or '-').`);
    }
    const credentials = props.credentials ?? RegistryCredentials.fromTerraformVariables();
    if (props.privateRegistry && credentials._source !== 'variables') {
      throw new Error('`privateRegistry` needs `credentials: RegistryCredentials.fromTerraformVariables()`: RunPod must be given the username and password to pull.');
    }

    const context = new TerraformAsset(this, 'context', { path: contextDirectory, type: AssetType.DIRECTORY });
    const name = `${props.repository}:${this.tag}`;
    const buildArgs = { ...(props.buildArgs ?? {}), INFINITETALK_COMMIT: commit, BASE_IMAGE: baseImage };
    this.image = new Image(this, 'image', {
      name,
      platform: 'linux/amd64',
      keepLocally: true,
      triggers: { context_sha256: this.contextHash, build_args_sha256: hashOf(buildArgs), target: props.target ?? '' },
      buildAttribute: {
        context: context.path,
        dockerfile: 'Dockerfile',
        platform: 'linux/amd64',
        buildArgs,
        target: props.target,
        cacheFrom: props.cacheFrom,
      },
    });

    let username: string | undefined;
    let password: string | undefined;
    if (credentials._source === 'variables') {
      // Stable names users can export as TF_VAR_<name> from a shell (no hashes, no dashes).
      const prefix = this.node.id.replace(/[^A-Za-z0-9_]/g, '_');
      const usernameVariable = new TerraformVariable(this, 'registry_username', {
        type: 'string',
        sensitive: true,
        description: `Username for ${registryAddress(props.repository)} (export TF_VAR_${prefix}_registry_username when deploying)`,
      });
      usernameVariable.overrideLogicalId(`${prefix}_registry_username`);
      const passwordVariable = new TerraformVariable(this, 'registry_password', {
        type: 'string',
        sensitive: true,
        description: `Password or access token for ${registryAddress(props.repository)} (export TF_VAR_${prefix}_registry_password when deploying)`,
      });
      passwordVariable.overrideLogicalId(`${prefix}_registry_password`);
      this.registryVariableNames = [`${prefix}_registry_username`, `${prefix}_registry_password`];
      username = usernameVariable.stringValue;
      password = passwordVariable.stringValue;
    }
    this.registryImage = new RegistryImage(this, 'push', {
      name: this.image.name,
      keepRemotely: true,
      triggers: { image_id: this.image.imageId },
      authConfig: username !== undefined && password !== undefined ? { address: registryAddress(props.repository), username, password } : undefined,
    });
    this.imageUri = `${props.repository}@${this.registryImage.sha256Digest}`;

    if (props.privateRegistry && username !== undefined && password !== undefined) {
      this.runpodRegistry = new Registry(this, 'runpod-registry', {
        name: `${this.node.path.replace(/\//g, '-')}-pull`,
        username,
        password,
      });
      this.registryAuthId = this.runpodRegistry.id;
    }
  }
}

function hashOf(value: { [key: string]: string }): string {
  return createHash('sha256')
    .update(JSON.stringify(Object.keys(value).sort().map((k) => [k, value[k]])))
    .digest('hex');
}
