#!/usr/bin/env node
/**
 * `cdktf-runpod-avatar-provider-check [cdktf.out | cdk.tf.json ...]`: checks the RunPod bindings of
 * this package against the real runpod/runpod provider before a first deploy.
 *
 * The bindings are generated from a committed schema (src/gen/runpod-2.0.0.schema.json) that was
 * inferred, not dumped, because the provider could not be built where the package is made. This
 * command installs the provider with the Terraform CLI (from the public registry on a user's
 * machine, or wherever the CLI configuration points), dumps its schema with
 * `terraform providers schema -json`, and compares, attribute by attribute, every runpod attribute
 * that our constructs emit or read: name, type, and required/optional/computed. The attributes are
 * taken from synthesized stacks: a reference stack built here from every construct of the package
 * with every RunPod-facing option set, plus the user's own synthesized apps when given.
 *
 * Exit 0: they agree. Exit 1: they differ (each difference is printed, with what to do). Exit 2: the
 * check could not run (no terraform, init failed), with what to fix.
 */
import { execFileSync } from 'child_process';
import * as fs from 'fs';
import * as os from 'os';
import * as path from 'path';
import { DockerProvider } from '@cdktf/provider-docker/lib/provider';
import { NullProvider } from '@cdktf/provider-null/lib/provider';
import { App, TerraformStack } from 'cdktf';
import { RunpodProvider } from './gen/runpod/provider';
import { AvatarServerlessEndpoint, InfiniteTalkImage, ModelVolume, OutputBucket, SecretValue, StorageInitJob } from './index';

/** The committed schema the bindings are generated from (the compile copies it into lib/gen). */
export const COMMITTED_SCHEMA_FILE = path.join(__dirname, 'gen', 'runpod-2.0.0.schema.json');
const PROVIDER_ADDRESS = 'registry.terraform.io/runpod/runpod';
const PREFIX = 'runpod_';
/** Keys of a resource body that are Terraform meta-arguments, not provider attributes. */
const META_ARGUMENTS = new Set(['//', 'count', 'for_each', 'provider', 'depends_on', 'lifecycle', 'provisioner', 'connection']);

/** One attribute or nested block as `terraform providers schema -json` describes it. */
interface SchemaAttribute {
  readonly type?: unknown;
  readonly nested_type?: { readonly nesting_mode: string; readonly attributes: Record<string, SchemaAttribute> };
  readonly required?: boolean;
  readonly optional?: boolean;
  readonly computed?: boolean;
}
interface SchemaBlock {
  readonly attributes?: Record<string, SchemaAttribute>;
  readonly block_types?: Record<string, { readonly nesting_mode: string; readonly block: SchemaBlock }>;
}
interface ProviderSchema {
  readonly provider?: { readonly block: SchemaBlock };
  readonly resource_schemas?: Record<string, { readonly block: SchemaBlock }>;
  readonly data_source_schemas?: Record<string, { readonly block: SchemaBlock }>;
}

/** Where an attribute is used: `resource runpod_serverless_endpoint` + `gpu_pools`, say. */
export interface AttributeUse {
  /** `resource`, `data` or `provider`. */
  readonly kind: 'resource' | 'data' | 'provider';
  /** Resource or data source type (`runpod_network_volume`); `runpod` for the provider block. */
  readonly type: string;
  /** Attribute path inside it, nested blocks joined by dots (`template.env`). */
  readonly path: string;
  /** Set in configuration (true) or only read through a reference (false). */
  readonly set: boolean;
}

function key(use: AttributeUse): string {
  return `${use.kind} ${use.type} ${use.path}`;
}

/**
 * Every runpod attribute a synthesized stack (`cdk.tf.json`) sets or reads. Nested objects are
 * descended into where the schema nests attributes or blocks (a map value such as `env` is not).
 */
export function attributeUses(stackJson: any, schema: ProviderSchema): AttributeUse[] {
  const out = new Map<string, AttributeUse>();
  const visit = (kind: AttributeUse['kind'], type: string, block: SchemaBlock | undefined, prefix: string, body: unknown): void => {
    const bodies = Array.isArray(body) ? body : [body];
    for (const item of bodies) {
      if (item === null || typeof item !== 'object') continue;
      for (const [name, value] of Object.entries(item as Record<string, unknown>)) {
        if (!prefix && META_ARGUMENTS.has(name)) continue;
        const use: AttributeUse = { kind, type, path: prefix ? `${prefix}.${name}` : name, set: true };
        out.set(key(use), use);
        const attribute = block?.attributes?.[name];
        const nested = block?.block_types?.[name]?.block ??
          (attribute?.nested_type ? { attributes: attribute.nested_type.attributes } : undefined);
        if (nested) visit(kind, type, nested, use.path, value);
      }
    }
  };
  for (const [type, instances] of Object.entries((stackJson.resource ?? {}) as Record<string, Record<string, unknown>>)) {
    if (!type.startsWith(PREFIX)) continue;
    for (const body of Object.values(instances)) visit('resource', type, schema.resource_schemas?.[type]?.block, '', body);
  }
  for (const [type, instances] of Object.entries((stackJson.data ?? {}) as Record<string, Record<string, unknown>>)) {
    if (!type.startsWith(PREFIX)) continue;
    for (const body of Object.values(instances)) visit('data', type, schema.data_source_schemas?.[type]?.block, '', body);
  }
  for (const body of [stackJson.provider?.runpod ?? []].flat()) visit('provider', 'runpod', schema.provider?.block, '', body);
  // Attributes read elsewhere in the stack: `${runpod_network_volume.models_Resource_1A2B.id}`.
  const text = JSON.stringify(stackJson);
  for (const match of text.matchAll(/(data\.)?(runpod_[a-z0-9_]+)\.[A-Za-z0-9_-]+\.([a-z0-9_]+)/g)) {
    const use: AttributeUse = { kind: match[1] ? 'data' : 'resource', type: match[2], path: match[3], set: false };
    if (!out.has(key(use))) out.set(key(use), use);
  }
  return [...out.values()].sort((a, b) => key(a).localeCompare(key(b)));
}

/** What one schema says about one path: an attribute, a nested block, or nothing. */
interface Resolved {
  readonly attribute?: SchemaAttribute;
  readonly blockNesting?: string;
}

function resolve(schema: ProviderSchema, use: AttributeUse): Resolved | undefined {
  let block: SchemaBlock | undefined =
    use.kind === 'provider' ? schema.provider?.block
      : use.kind === 'data' ? schema.data_source_schemas?.[use.type]?.block
        : schema.resource_schemas?.[use.type]?.block;
  const names = use.path.split('.');
  for (const [index, name] of names.entries()) {
    if (!block) return undefined;
    const last = index === names.length - 1;
    const attribute = block.attributes?.[name];
    const blockType = block.block_types?.[name];
    if (last) return attribute ? { attribute } : blockType ? { blockNesting: blockType.nesting_mode } : undefined;
    block = blockType?.block ?? (attribute?.nested_type ? { attributes: attribute.nested_type.attributes } : undefined);
  }
  return undefined;
}

function describeType(resolved: Resolved): string {
  if (resolved.blockNesting) return `block (${resolved.blockNesting})`;
  const attribute = resolved.attribute!;
  return attribute.nested_type ? `nested ${attribute.nested_type.nesting_mode}` : JSON.stringify(attribute.type);
}

function describeMode(resolved: Resolved): string {
  if (resolved.blockNesting) return 'block';
  const a = resolved.attribute!;
  return [a.required ? 'required' : undefined, a.optional ? 'optional' : undefined, a.computed ? 'computed' : undefined].filter(Boolean).join('+') || 'none';
}

function label(use: AttributeUse): string {
  const owner = use.kind === 'provider' ? 'provider "runpod"' : use.kind === 'data' ? `data.${use.type}` : use.type;
  return `${owner}.${use.path}`;
}

/** One way the provider disagrees with the committed schema. */
export interface SchemaDifference {
  /** `runpod_serverless_endpoint.gpu_pools` and what differs, in one line. */
  readonly message: string;
}

/**
 * Compares the committed schema with the provider's for every use: existence, type and mode. Also
 * reports attributes the provider requires on a resource we emit that the stacks do not set.
 */
export function compareSchemas(committed: ProviderSchema, actual: ProviderSchema, uses: AttributeUse[]): SchemaDifference[] {
  const differences: SchemaDifference[] = [];
  for (const use of uses) {
    const ours = resolve(committed, use);
    const theirs = resolve(actual, use);
    const where = `${label(use)} (${use.set ? 'set' : 'read'} by the stacks)`;
    if (!theirs) {
      differences.push({ message: `${where}: the provider has no such ${use.path.includes('.') ? 'nested attribute' : 'attribute'}${ours ? '' : ' (nor has the committed schema)'}` });
      continue;
    }
    if (!ours) {
      differences.push({ message: `${where}: the committed schema has no such attribute, the provider has it as ${describeType(theirs)} ${describeMode(theirs)}` });
      continue;
    }
    if (describeType(ours) !== describeType(theirs)) {
      differences.push({ message: `${where}: type differs: committed ${describeType(ours)}, provider ${describeType(theirs)}` });
    }
    if (describeMode(ours) !== describeMode(theirs)) {
      differences.push({ message: `${where}: mode differs: committed ${describeMode(ours)}, provider ${describeMode(theirs)}` });
    }
    if (use.set && theirs.attribute?.computed && !theirs.attribute.optional && !theirs.attribute.required) {
      differences.push({ message: `${where}: the provider computes it and does not accept a value` });
    }
  }
  const setPaths = new Set(uses.filter((u) => u.set).map((u) => `${u.kind} ${u.type} ${u.path}`));
  const types = [...new Set(uses.filter((u) => u.set && u.kind === 'resource').map((u) => u.type))];
  for (const type of types) {
    for (const [name, attribute] of Object.entries(actual.resource_schemas?.[type]?.block.attributes ?? {})) {
      if (attribute.required && !setPaths.has(`resource ${type} ${name}`)) {
        differences.push({ message: `${type}.${name}: the provider requires it, but the stacks do not set it` });
      }
    }
  }
  return differences;
}

/** Synthesizes the reference stack (every construct, every RunPod-facing option) into `outdir`. */
export function synthesizeReferenceStack(outdir: string): string {
  const app = new App({ outdir });
  const stack = new TerraformStack(app, 'provider-check');
  new RunpodProvider(stack, 'runpod', {});
  new NullProvider(stack, 'null');
  new DockerProvider(stack, 'docker', {});
  const volume = new ModelVolume(stack, 'models', { dataCenter: 'EU-RO-1' });
  const image = new InfiniteTalkImage(stack, 'image', { repository: 'ghcr.io/example/infinitetalk-worker', privateRegistry: true });
  const storageInitJob = new StorageInitJob(stack, 'storage-init', { volume, image });
  new AvatarServerlessEndpoint(stack, 'avatar', {
    storageInitJob,
    outputBucket: OutputBucket.runpodVolume(volume, {
      accessKeyId: SecretValue.runpodSecret('avatar_s3_access_key'),
      secretAccessKey: SecretValue.runpodSecret('avatar_s3_secret_key'),
    }),
  });
  app.synth();
  return outdir;
}

/** The `cdk.tf.json` documents under a cdktf output directory, or the file itself. */
export function readStacks(location: string): any[] {
  const stat = fs.statSync(location);
  if (stat.isFile()) return [JSON.parse(fs.readFileSync(location, 'utf8'))];
  const manifestFile = path.join(location, 'manifest.json');
  if (!fs.existsSync(manifestFile)) {
    throw new UsageError(`${location} is neither a cdk.tf.json file nor a cdktf output directory (no manifest.json): run \`cdktf synth\` and pass its output directory.`);
  }
  const manifest = JSON.parse(fs.readFileSync(manifestFile, 'utf8'));
  return Object.values(manifest.stacks as Record<string, any>).map((s) =>
    JSON.parse(fs.readFileSync(path.join(location, s.synthesizedStackPath), 'utf8')));
}

/** A problem that stops the check from running (exit 2). */
export class UsageError extends Error {}

/** `terraform init` + `terraform providers schema -json` for runpod/runpod at `version`, in a temp dir. */
export function dumpProviderSchema(version: string, workDir: string): ProviderSchema {
  const terraform = process.env.TERRAFORM_BINARY_NAME || 'terraform';
  fs.writeFileSync(path.join(workDir, 'main.tf.json'), JSON.stringify({
    terraform: { required_providers: { runpod: { source: PROVIDER_ADDRESS, version } } },
  }, null, 2));
  const run = (args: string[], hint: string): string => {
    try {
      return execFileSync(terraform, args, { cwd: workDir, encoding: 'utf8', stdio: ['ignore', 'pipe', 'pipe'], maxBuffer: 256 * 1024 * 1024 });
    } catch (error: any) {
      if (error.code === 'ENOENT') {
        throw new UsageError(`\`${terraform}\` was not found: install Terraform >= 1.6 (or OpenTofu) and put it on PATH, or set TERRAFORM_BINARY_NAME to its path.`);
      }
      // `providers schema` has no -no-color: drop the colour codes from what it printed.
      const output = `${error.stdout ?? ''}${error.stderr ?? ''}`.replace(/\x1b\[[0-9;]*m/g, '').trim();
      throw new UsageError(`\`${terraform} ${args.join(' ')}\` failed in ${workDir}:\n${output}\n${hint}`);
    }
  };
  run(['init', '-input=false', '-no-color', '-backend=false'],
    `terraform must be able to install ${PROVIDER_ADDRESS} ${version}: from the public Terraform registry, or from the mirror your CLI configuration (TF_CLI_CONFIG_FILE) names.`);
  const dump = JSON.parse(run(['providers', 'schema', '-json'], `The provider ${PROVIDER_ADDRESS} ${version} was installed but did not report its schema: see terraform's message above.`));
  const schema = dump.provider_schemas?.[PROVIDER_ADDRESS];
  if (!schema) throw new UsageError(`terraform reported no schema for ${PROVIDER_ADDRESS} (it reported: ${Object.keys(dump.provider_schemas ?? {}).join(', ') || 'none'}).`);
  return schema;
}

/** Runs the check; returns the exit code. `log` receives every line of the report. */
export function providerCheck(locations: string[], log: (line: string) => void = console.log): number {
  const work = fs.mkdtempSync(path.join(os.tmpdir(), 'cdktf-runpod-avatar-provider-check-'));
  let keep = false;
  try {
    const committedDocument = JSON.parse(fs.readFileSync(COMMITTED_SCHEMA_FILE, 'utf8'));
    const committed: ProviderSchema = committedDocument.provider_schemas[PROVIDER_ADDRESS];
    const version: string = committedDocument.provider_versions[PROVIDER_ADDRESS];

    const stacks = [...readStacks(synthesizeReferenceStack(path.join(work, 'reference.out'))), ...locations.flatMap(readStacks)];
    const uses = new Map<string, AttributeUse>();
    for (const stack of stacks) for (const use of attributeUses(stack, committed)) if (!uses.has(key(use)) || use.set) uses.set(key(use), use);

    log(`provider-check: installing ${PROVIDER_ADDRESS} ${version} with terraform and dumping its schema ...`);
    const actual = dumpProviderSchema(version, work);
    const differences = compareSchemas(committed, actual, [...uses.values()]);
    const types = [...new Set([...uses.values()].map((u) => label(u).split('.')[0]))];
    if (differences.length === 0) {
      log(`provider-check: OK: ${uses.size} attributes of ${types.join(', ')} agree with the committed schema (${path.basename(COMMITTED_SCHEMA_FILE)}).`);
      return 0;
    }
    const dumpFile = path.join(work, `runpod-${version}.schema.json`);
    fs.writeFileSync(dumpFile, JSON.stringify({ format_version: '1.0', provider_schemas: { [PROVIDER_ADDRESS]: actual } }, null, 2));
    keep = true;
    log(`provider-check: MISMATCH: ${differences.length} difference(s) between ${PROVIDER_ADDRESS} ${version} and the committed schema:`);
    for (const difference of differences) log(`  - ${difference.message}`);
    log('What to do:');
    log('  - Do not deploy with this version of cdktf-runpod-avatar: the resources it emits may be rejected or misread by the provider.');
    log(`  - Report the lines above to the maintainers with the dumped schema: ${dumpFile}`);
    log(`  - Maintainers: put that dump's provider_schemas into src/gen/runpod-${version}.schema.json (keep its provenance and provider_versions, mark it dumped), run \`npx projen gen:runpod\`, then fix the constructs the compile and the tests flag.`);
    return 1;
  } finally {
    if (!keep) fs.rmSync(work, { recursive: true, force: true });
  }
}

if (require.main === module) {
  const args = process.argv.slice(2);
  if (args.includes('-h') || args.includes('--help')) {
    console.log('usage: cdktf-runpod-avatar-provider-check [cdktf.out | cdk.tf.json ...]\n' +
      'Compares the runpod/runpod provider that terraform installs with the schema this package was generated from,\n' +
      'for every attribute a reference stack of all its constructs (and the given synthesized apps) sets or reads.\n' +
      'Exit 0: they agree; 1: they differ; 2: the check could not run.');
    process.exit(0);
  }
  try {
    process.exit(providerCheck(args));
  } catch (error) {
    if (!(error instanceof UsageError) && !(error as NodeJS.ErrnoException).code) throw error;
    console.error(`provider-check: ${(error as Error).message}`);
    process.exit(2);
  }
}
