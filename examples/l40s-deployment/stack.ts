import { TerraformOutput, TerraformStack, TerraformVariable } from 'cdktf';
import { Construct } from 'constructs';
import { ModelSet, ModelVolume, runpod } from '../../src';

/** Options of the example L40S deployment. */
export interface L40sDeploymentOptions {
  /** Data centre used when the `data_center` variable is not set. @default "EU-RO-1" */
  readonly defaultDataCenter?: string;
  /** Model set to deploy. @default ModelSet.FP8 */
  readonly modelSet?: ModelSet;
}

/**
 * The full L40S deployment: a network volume sized for the model set, the worker image, the storage
 * init job that fills the volume, and the serverless endpoint.
 */
export class L40sDeploymentStack extends TerraformStack {
  public readonly volume: ModelVolume;

  constructor(scope: Construct, id: string, options: L40sDeploymentOptions = {}) {
    super(scope, id);

    // Credentials come from the environment of `cdktf deploy` (RUNPOD_API_KEY), never from this file.
    new runpod.provider.RunpodProvider(this, 'runpod', {});

    const dataCenter = new TerraformVariable(this, 'data_center', {
      type: 'string',
      default: options.defaultDataCenter ?? 'EU-RO-1',
      description: 'RunPod data centre for the volume, the init pod and the endpoint workers (must offer L40S serverless capacity).',
    });

    this.volume = new ModelVolume(this, 'models', {
      dataCenter: dataCenter.stringValue,
      modelSet: options.modelSet ?? ModelSet.FP8,
    });

    new TerraformOutput(this, 'volume_id', { value: this.volume.volumeId, description: 'RunPod network volume holding the models' });
  }
}
