import { Annotations } from 'cdktf';
import { Construct } from 'constructs';
import { NetworkVolume } from './gen/runpod/network-volume';
import { ModelManifest } from './manifest';
import { HuggingFaceModel, ModelSet } from './model-set';
import { DEFAULT_MODEL_DIRECTORY, quantizedDitPathProblem, RELATIVE_PATH_PATTERN, VOLUME_MOUNT_PATH } from './runner/worker-contract';
import { isResolved, requireDataCenter, requireNonEmpty, requireNumberInRange } from './validation';

/** Where serverless workers see an attached network volume. */
export const SERVERLESS_VOLUME_MOUNT_PATH = VOLUME_MOUNT_PATH;

/** Headroom added to the model set's size when the volume size is derived: 20 %. */
export const VOLUME_HEADROOM = 0.2;

/** RunPod network volume performance tier. */
export class VolumeType {
  /** The data centre's standard NVMe tier (200–400 MB/s typical). */
  public static readonly STANDARD = new VolumeType('STANDARD');
  /** Up to 3x throughput and 4x IOPS, in select data centres, at a premium: shortens cold starts. */
  public static readonly HIGH_PERFORMANCE = new VolumeType('HIGH_PERFORMANCE');

  private constructor(
    /** The value RunPod's API takes. */
    public readonly value: string,
  ) {}
}

/** A network volume that holds a model set, made here or elsewhere. */
export interface IModelVolume {
  /** RunPod volume id (also its S3 bucket name). */
  readonly volumeId: string;
  /** Data centre the volume lives in; pods and workers that mount it must run there. */
  readonly dataCenter: string;
  /** Size in GB. */
  readonly sizeGb: number;
  /** The model set the volume holds. */
  readonly modelSet: ModelSet;
  /** The manifest of that model set. */
  readonly manifest: ModelManifest;
  /** Where serverless workers see the volume: `/runpod-volume`. */
  readonly mountPath: string;
  /** Where the models live on the volume as workers see it, e.g. `/runpod-volume/infinitetalk`. */
  readonly modelRoot: string;
  /** Absolute path of one model's directory as workers see it. */
  modelPath(modelName: string): string;
}

/** Properties of a ModelVolume. */
export interface ModelVolumeProps {
  /** RunPod data centre id, e.g. `EU-RO-1`. Pick one with L40S serverless capacity and, for S3 delivery, the S3 API. */
  readonly dataCenter: string;
  /** The model set the volume will hold. @default ModelSet.FP8 */
  readonly modelSet?: ModelSet;
  /**
   * Size in GB (10–4096). RunPod grows a volume in place but never shrinks it: lowering this later fails at apply.
   * @default - the model set's size plus 20 % headroom, rounded up to 5 GB (fp8: 40 GB, bf16-lightx2v: 115 GB)
   */
  readonly sizeGb?: number;
  /** Performance tier; immutable once created. @default VolumeType.STANDARD */
  readonly volumeType?: VolumeType;
  /** Volume name shown in the RunPod console. @default - `<construct path>-models` */
  readonly name?: string;
  /** Directory on the volume that holds the models. @default "infinitetalk" */
  readonly modelDirectory?: string;
}

/** Attributes of a volume made elsewhere. */
export interface ModelVolumeAttributes {
  /** RunPod volume id. */
  readonly volumeId: string;
  /** Its data centre. */
  readonly dataCenter: string;
  /** Its size in GB. */
  readonly sizeGb: number;
  /** The model set it holds (or will hold). @default ModelSet.FP8 */
  readonly modelSet?: ModelSet;
  /** Directory on the volume that holds the models. @default "infinitetalk" */
  readonly modelDirectory?: string;
}

/** Size in GB to give a volume that holds `modelSet`: its size plus 20 %, rounded up to 5 GB, at least 10. */
export function recommendedVolumeSizeGb(modelSet: ModelSet): number {
  return Math.max(10, Math.ceil((modelSet.expectedGb * (1 + VOLUME_HEADROOM)) / 5) * 5);
}

/** Throws when a volume of `sizeGb` cannot hold `modelSet`; warns when it leaves less than the headroom. */
function checkVolumeSize(scope: Construct, prop: string, sizeGb: number, modelSet: ModelSet): void {
  requireNumberInRange(prop, sizeGb, 10, 4096, 'RunPod network volumes are 10 to 4096 GB; leave it unset to size it from the model set.');
  if (!isResolved(sizeGb)) return;
  const recommended = recommendedVolumeSizeGb(modelSet);
  if (sizeGb < modelSet.expectedGb) {
    throw new Error(
      `\`${prop}\` is ${sizeGb} but the ${modelSet.name} model set needs ${modelSet.expectedGb} GB plus 20 % headroom (${recommended} GB): raise it or leave it unset.`,
    );
  }
  if (sizeGb < recommended) {
    Annotations.of(scope).addWarning(
      `\`${prop}\` is ${sizeGb} GB: the ${modelSet.name} model set takes ${modelSet.expectedGb} GB and partial downloads need room; ${recommended} GB is recommended.`,
    );
  }
}

function modelPathOn(root: string, modelSet: ModelSet, modelName: string): string {
  const model: HuggingFaceModel | undefined = modelSet.models.find((m) => m.name === modelName);
  if (!model) {
    throw new Error(`model '${modelName}' is not in the ${modelSet.name} model set: use one of ${modelSet.models.map((m) => m.name).join(', ')}.`);
  }
  return `${root}/${model.directory}`;
}

function modelRootFor(modelDirectory: string | undefined, modelSet: ModelSet): string {
  const directory = modelDirectory ?? DEFAULT_MODEL_DIRECTORY;
  if (!RELATIVE_PATH_PATTERN.test(directory)) {
    throw new Error(`\`modelDirectory\` is "${directory}" but must be a relative path of letters, digits, dots, dashes and underscores, each segment starting with a letter or digit.`);
  }
  const root = `${SERVERLESS_VOLUME_MOUNT_PATH}/${directory}`;
  const dit = modelSet.pipeline.quantizedDitFile;
  const problem = modelSet.pipeline.quantization !== undefined && dit !== undefined ? quantizedDitPathProblem(`${root}/${dit}`) : undefined;
  if (problem) throw new Error(`\`modelDirectory\` is "${directory}": ${problem}; choose a directory without 'safetensors' in its name.`);
  return root;
}

/**
 * A RunPod network volume sized for a model set, in one data centre. It knows where each model lives
 * on it and carries the model set's manifest for the storage init job and the workers.
 */
export class ModelVolume extends Construct implements IModelVolume {
  /** Use a volume made elsewhere (another stack, the console) so several endpoints can share it. */
  public static fromVolumeAttributes(scope: Construct, id: string, attrs: ModelVolumeAttributes): IModelVolume {
    requireNonEmpty('volumeId', attrs.volumeId, 'give the id of the existing RunPod network volume.');
    requireDataCenter('dataCenter', attrs.dataCenter);
    const modelSet = attrs.modelSet ?? ModelSet.FP8;
    const modelRoot = modelRootFor(attrs.modelDirectory, modelSet);
    class Imported extends Construct implements IModelVolume {
      public readonly volumeId = attrs.volumeId;
      public readonly dataCenter = attrs.dataCenter;
      public readonly sizeGb = attrs.sizeGb;
      public readonly modelSet = modelSet;
      public readonly manifest = ModelManifest.of(modelSet);
      public readonly mountPath = SERVERLESS_VOLUME_MOUNT_PATH;
      public readonly modelRoot = modelRoot;
      public modelPath(modelName: string): string {
        return modelPathOn(this.modelRoot, this.modelSet, modelName);
      }
    }
    const imported = new Imported(scope, id);
    checkVolumeSize(imported, 'sizeGb', attrs.sizeGb, modelSet);
    return imported;
  }

  /** The `runpod_network_volume` resource, for escape hatches. */
  public readonly volume: NetworkVolume;
  /** RunPod volume id. */
  public readonly volumeId: string;
  /** Data centre of the volume. */
  public readonly dataCenter: string;
  /** Size in GB. */
  public readonly sizeGb: number;
  /** The model set it holds. */
  public readonly modelSet: ModelSet;
  /** The manifest of that set (JSON and sha256). */
  public readonly manifest: ModelManifest;
  /** `/runpod-volume`. */
  public readonly mountPath: string = SERVERLESS_VOLUME_MOUNT_PATH;
  /** Where the models live as workers see it. */
  public readonly modelRoot: string;

  constructor(scope: Construct, id: string, props: ModelVolumeProps) {
    super(scope, id);
    requireDataCenter('dataCenter', props.dataCenter);
    this.modelSet = props.modelSet ?? ModelSet.FP8;
    this.sizeGb = props.sizeGb ?? recommendedVolumeSizeGb(this.modelSet);
    checkVolumeSize(this, 'sizeGb', this.sizeGb, this.modelSet);
    this.modelRoot = modelRootFor(props.modelDirectory, this.modelSet);
    this.manifest = ModelManifest.of(this.modelSet);
    if (props.name !== undefined) requireNonEmpty('name', props.name, 'give the volume a name or leave it unset.');

    this.volume = new NetworkVolume(this, 'Resource', {
      name: props.name ?? `${this.node.path.replace(/\//g, '-')}-models`,
      size: this.sizeGb,
      dataCenter: props.dataCenter,
      type: (props.volumeType ?? VolumeType.STANDARD).value,
    });
    this.volumeId = this.volume.id;
    this.dataCenter = props.dataCenter;
  }

  /** Absolute path of one model's directory as workers see it, e.g. `/runpod-volume/infinitetalk/Wan2.1-I2V-14B-480P`. */
  public modelPath(modelName: string): string {
    return modelPathOn(this.modelRoot, this.modelSet, modelName);
  }
}
