// https://registry.terraform.io/providers/runpod/runpod/2.0.0/docs/resources/pod
// generated from terraform resource schema

import { Construct } from 'constructs';
import * as cdktf from 'cdktf';

// Configuration

export interface PodConfig extends cdktf.TerraformMetaArguments {
  /**
  * Exact CUDA versions; forces replacement.
  *
  * Docs at Terraform Registry: {@link https://registry.terraform.io/providers/runpod/runpod/2.0.0/docs/resources/pod#allowed_cuda_versions Pod#allowed_cuda_versions}
  */
  readonly allowedCudaVersions?: string[];
  /**
  * Container start arguments as one string.
  *
  * Docs at Terraform Registry: {@link https://registry.terraform.io/providers/runpod/runpod/2.0.0/docs/resources/pod#args Pod#args}
  */
  readonly args?: string;
  /**
  * SECURE or COMMUNITY; forces replacement.
  *
  * Docs at Terraform Registry: {@link https://registry.terraform.io/providers/runpod/runpod/2.0.0/docs/resources/pod#cloud Pod#cloud}
  */
  readonly cloud?: string;
  /**
  * CPU flavor id for CPU pods; forces replacement.
  *
  * Docs at Terraform Registry: {@link https://registry.terraform.io/providers/runpod/runpod/2.0.0/docs/resources/pod#cpu_type_id Pod#cpu_type_id}
  */
  readonly cpuTypeId?: string;
  /**
  * Placement preference; forces replacement.
  *
  * Docs at Terraform Registry: {@link https://registry.terraform.io/providers/runpod/runpod/2.0.0/docs/resources/pod#data_center_ids Pod#data_center_ids}
  */
  readonly dataCenterIds?: string[];
  /**
  * RUNNING or EXITED.
  *
  * Docs at Terraform Registry: {@link https://registry.terraform.io/providers/runpod/runpod/2.0.0/docs/resources/pod#desired_state Pod#desired_state}
  */
  readonly desiredState?: string;
  /**
  * Container disk in GB.
  *
  * Docs at Terraform Registry: {@link https://registry.terraform.io/providers/runpod/runpod/2.0.0/docs/resources/pod#disk Pod#disk}
  */
  readonly disk?: number;
  /**
  * Environment variables.
  *
  * Docs at Terraform Registry: {@link https://registry.terraform.io/providers/runpod/runpod/2.0.0/docs/resources/pod#env Pod#env}
  */
  readonly env?: { [key: string]: string };
  /**
  * Private cross-datacenter IP.
  *
  * Docs at Terraform Registry: {@link https://registry.terraform.io/providers/runpod/runpod/2.0.0/docs/resources/pod#global_networking Pod#global_networking}
  */
  readonly globalNetworking?: boolean | cdktf.IResolvable;
  /**
  * GPU count; forces replacement.
  *
  * Docs at Terraform Registry: {@link https://registry.terraform.io/providers/runpod/runpod/2.0.0/docs/resources/pod#gpu_count Pod#gpu_count}
  */
  readonly gpuCount?: number;
  /**
  * GPU type id, e.g. NVIDIA L40S; forces replacement.
  *
  * Docs at Terraform Registry: {@link https://registry.terraform.io/providers/runpod/runpod/2.0.0/docs/resources/pod#gpu_type_id Pod#gpu_type_id}
  */
  readonly gpuTypeId?: string;
  /**
  * Container image (required unless template_id).
  *
  * Docs at Terraform Registry: {@link https://registry.terraform.io/providers/runpod/runpod/2.0.0/docs/resources/pod#image Pod#image}
  */
  readonly image?: string;
  /**
  * CUDA floor; forces replacement.
  *
  * Docs at Terraform Registry: {@link https://registry.terraform.io/providers/runpod/runpod/2.0.0/docs/resources/pod#min_cuda_version Pod#min_cuda_version}
  */
  readonly minCudaVersion?: string;
  /**
  * Host RAM floor per GPU, GB; forces replacement.
  *
  * Docs at Terraform Registry: {@link https://registry.terraform.io/providers/runpod/runpod/2.0.0/docs/resources/pod#min_ram_per_gpu Pod#min_ram_per_gpu}
  */
  readonly minRamPerGpu?: number;
  /**
  * Host vCPU floor per GPU; forces replacement.
  *
  * Docs at Terraform Registry: {@link https://registry.terraform.io/providers/runpod/runpod/2.0.0/docs/resources/pod#min_vcpu_count_per_gpu Pod#min_vcpu_count_per_gpu}
  */
  readonly minVcpuCountPerGpu?: number;
  /**
  * Pod name.
  *
  * Docs at Terraform Registry: {@link https://registry.terraform.io/providers/runpod/runpod/2.0.0/docs/resources/pod#name Pod#name}
  */
  readonly name: string;
  /**
  * Network volume mounts (max 1 today; exclusive with persistent_volume).
  *
  * Docs at Terraform Registry: {@link https://registry.terraform.io/providers/runpod/runpod/2.0.0/docs/resources/pod#network_volumes Pod#network_volumes}
  */
  readonly networkVolumes?: PodNetworkVolumes[] | cdktf.IResolvable;
  /**
  * Host-local persistent volume.
  *
  * Docs at Terraform Registry: {@link https://registry.terraform.io/providers/runpod/runpod/2.0.0/docs/resources/pod#persistent_volume Pod#persistent_volume}
  */
  readonly persistentVolume?: PodPersistentVolume;
  /**
  * Exposed ports as PORT/PROTO strings.
  *
  * Docs at Terraform Registry: {@link https://registry.terraform.io/providers/runpod/runpod/2.0.0/docs/resources/pod#ports Pod#ports}
  */
  readonly ports?: string[];
  /**
  * Registry credential id.
  *
  * Docs at Terraform Registry: {@link https://registry.terraform.io/providers/runpod/runpod/2.0.0/docs/resources/pod#registry Pod#registry}
  */
  readonly registry?: string;
  /**
  * Inject JUPYTER_PASSWORD at create; forces replacement.
  *
  * Docs at Terraform Registry: {@link https://registry.terraform.io/providers/runpod/runpod/2.0.0/docs/resources/pod#start_jupyter Pod#start_jupyter}
  */
  readonly startJupyter?: boolean | cdktf.IResolvable;
  /**
  * Inject PUBLIC_KEY at create; forces replacement.
  *
  * Docs at Terraform Registry: {@link https://registry.terraform.io/providers/runpod/runpod/2.0.0/docs/resources/pod#start_ssh Pod#start_ssh}
  */
  readonly startSsh?: boolean | cdktf.IResolvable;
  /**
  * Pod (non-serverless) template id; forces replacement.
  *
  * Docs at Terraform Registry: {@link https://registry.terraform.io/providers/runpod/runpod/2.0.0/docs/resources/pod#template_id Pod#template_id}
  */
  readonly templateId?: string;
  /**
  * vCPUs for CPU pods; forces replacement.
  *
  * Docs at Terraform Registry: {@link https://registry.terraform.io/providers/runpod/runpod/2.0.0/docs/resources/pod#vcpu_count Pod#vcpu_count}
  */
  readonly vcpuCount?: number;
}
export interface PodNetworkVolumes {
  /**
  * Network volume id (same data center as the pod).
  *
  * Docs at Terraform Registry: {@link https://registry.terraform.io/providers/runpod/runpod/2.0.0/docs/resources/pod#volume_id Pod#volume_id}
  */
  readonly volumeId: string;
  /**
  * Mount path inside the container.
  *
  * Docs at Terraform Registry: {@link https://registry.terraform.io/providers/runpod/runpod/2.0.0/docs/resources/pod#path Pod#path}
  */
  readonly path: string;
}

export function podNetworkVolumesToTerraform(struct?: PodNetworkVolumes | cdktf.IResolvable): any {
  if (!cdktf.canInspect(struct) || cdktf.Tokenization.isResolvable(struct)) { return struct; }
  if (cdktf.isComplexElement(struct)) {
    throw new Error("A complex element was used as configuration, this is not supported: https://cdk.tf/complex-object-as-configuration");
  }
  return {
    volume_id: cdktf.stringToTerraform(struct!.volumeId),
    path: cdktf.stringToTerraform(struct!.path),
  }
}


export function podNetworkVolumesToHclTerraform(struct?: PodNetworkVolumes | cdktf.IResolvable): any {
  if (!cdktf.canInspect(struct) || cdktf.Tokenization.isResolvable(struct)) { return struct; }
  if (cdktf.isComplexElement(struct)) {
    throw new Error("A complex element was used as configuration, this is not supported: https://cdk.tf/complex-object-as-configuration");
  }
  const attrs = {
    volume_id: {
      value: cdktf.stringToHclTerraform(struct!.volumeId),
      isBlock: false,
      type: "simple",
      storageClassType: "string",
    },
    path: {
      value: cdktf.stringToHclTerraform(struct!.path),
      isBlock: false,
      type: "simple",
      storageClassType: "string",
    },
  };

  // remove undefined attributes
  return Object.fromEntries(Object.entries(attrs).filter(([_, value]) => value !== undefined && value.value !== undefined));
}

export class PodNetworkVolumesOutputReference extends cdktf.ComplexObject {
  private isEmptyObject = false;
  private resolvableValue?: cdktf.IResolvable;

  /**
  * @param terraformResource The parent resource
  * @param terraformAttribute The attribute on the parent resource this class is referencing
  * @param complexObjectIndex the index of this item in the list
  * @param complexObjectIsFromSet whether the list is wrapping a set (will add tolist() to be able to access an item via an index)
  */
  public constructor(terraformResource: cdktf.IInterpolatingParent, terraformAttribute: string, complexObjectIndex: number, complexObjectIsFromSet: boolean) {
    super(terraformResource, terraformAttribute, complexObjectIsFromSet, complexObjectIndex);
  }

  public get internalValue(): PodNetworkVolumes | cdktf.IResolvable | undefined {
    if (this.resolvableValue) {
      return this.resolvableValue;
    }
    let hasAnyValues = this.isEmptyObject;
    const internalValueResult: any = {};
    if (this._volumeId !== undefined) {
      hasAnyValues = true;
      internalValueResult.volumeId = this._volumeId;
    }
    if (this._path !== undefined) {
      hasAnyValues = true;
      internalValueResult.path = this._path;
    }
    return hasAnyValues ? internalValueResult : undefined;
  }

  public set internalValue(value: PodNetworkVolumes | cdktf.IResolvable | undefined) {
    if (value === undefined) {
      this.isEmptyObject = false;
      this.resolvableValue = undefined;
      this._volumeId = undefined;
      this._path = undefined;
    }
    else if (cdktf.Tokenization.isResolvable(value)) {
      this.isEmptyObject = false;
      this.resolvableValue = value;
    }
    else {
      this.isEmptyObject = Object.keys(value).length === 0;
      this.resolvableValue = undefined;
      this._volumeId = value.volumeId;
      this._path = value.path;
    }
  }

  // volume_id - computed: false, optional: false, required: true
  private _volumeId?: string; 
  public get volumeId() {
    return this.getStringAttribute('volume_id');
  }
  public set volumeId(value: string) {
    this._volumeId = value;
  }
  // Temporarily expose input value. Use with caution.
  public get volumeIdInput() {
    return this._volumeId;
  }

  // path - computed: false, optional: false, required: true
  private _path?: string; 
  public get path() {
    return this.getStringAttribute('path');
  }
  public set path(value: string) {
    this._path = value;
  }
  // Temporarily expose input value. Use with caution.
  public get pathInput() {
    return this._path;
  }
}

export class PodNetworkVolumesList extends cdktf.ComplexList {
  public internalValue? : PodNetworkVolumes[] | cdktf.IResolvable

  /**
  * @param terraformResource The parent resource
  * @param terraformAttribute The attribute on the parent resource this class is referencing
  * @param wrapsSet whether the list is wrapping a set (will add tolist() to be able to access an item via an index)
  */
  constructor(protected terraformResource: cdktf.IInterpolatingParent, protected terraformAttribute: string, protected wrapsSet: boolean) {
    super(terraformResource, terraformAttribute, wrapsSet)
  }

  /**
  * @param index the index of the item to return
  */
  public get(index: number): PodNetworkVolumesOutputReference {
    return new PodNetworkVolumesOutputReference(this.terraformResource, this.terraformAttribute, index, this.wrapsSet);
  }
}
export interface PodPersistentVolume {
  /**
  * Persistent volume size in GB (min 10).
  *
  * Docs at Terraform Registry: {@link https://registry.terraform.io/providers/runpod/runpod/2.0.0/docs/resources/pod#size Pod#size}
  */
  readonly size: number;
  /**
  * Mount path inside the container.
  *
  * Docs at Terraform Registry: {@link https://registry.terraform.io/providers/runpod/runpod/2.0.0/docs/resources/pod#path Pod#path}
  */
  readonly path: string;
}

export function podPersistentVolumeToTerraform(struct?: PodPersistentVolume | cdktf.IResolvable): any {
  if (!cdktf.canInspect(struct) || cdktf.Tokenization.isResolvable(struct)) { return struct; }
  if (cdktf.isComplexElement(struct)) {
    throw new Error("A complex element was used as configuration, this is not supported: https://cdk.tf/complex-object-as-configuration");
  }
  return {
    size: cdktf.numberToTerraform(struct!.size),
    path: cdktf.stringToTerraform(struct!.path),
  }
}


export function podPersistentVolumeToHclTerraform(struct?: PodPersistentVolume | cdktf.IResolvable): any {
  if (!cdktf.canInspect(struct) || cdktf.Tokenization.isResolvable(struct)) { return struct; }
  if (cdktf.isComplexElement(struct)) {
    throw new Error("A complex element was used as configuration, this is not supported: https://cdk.tf/complex-object-as-configuration");
  }
  const attrs = {
    size: {
      value: cdktf.numberToHclTerraform(struct!.size),
      isBlock: false,
      type: "simple",
      storageClassType: "number",
    },
    path: {
      value: cdktf.stringToHclTerraform(struct!.path),
      isBlock: false,
      type: "simple",
      storageClassType: "string",
    },
  };

  // remove undefined attributes
  return Object.fromEntries(Object.entries(attrs).filter(([_, value]) => value !== undefined && value.value !== undefined));
}

export class PodPersistentVolumeOutputReference extends cdktf.ComplexObject {
  private isEmptyObject = false;
  private resolvableValue?: cdktf.IResolvable;

  /**
  * @param terraformResource The parent resource
  * @param terraformAttribute The attribute on the parent resource this class is referencing
  */
  public constructor(terraformResource: cdktf.IInterpolatingParent, terraformAttribute: string) {
    super(terraformResource, terraformAttribute, false);
  }

  public get internalValue(): PodPersistentVolume | cdktf.IResolvable | undefined {
    if (this.resolvableValue) {
      return this.resolvableValue;
    }
    let hasAnyValues = this.isEmptyObject;
    const internalValueResult: any = {};
    if (this._size !== undefined) {
      hasAnyValues = true;
      internalValueResult.size = this._size;
    }
    if (this._path !== undefined) {
      hasAnyValues = true;
      internalValueResult.path = this._path;
    }
    return hasAnyValues ? internalValueResult : undefined;
  }

  public set internalValue(value: PodPersistentVolume | cdktf.IResolvable | undefined) {
    if (value === undefined) {
      this.isEmptyObject = false;
      this.resolvableValue = undefined;
      this._size = undefined;
      this._path = undefined;
    }
    else if (cdktf.Tokenization.isResolvable(value)) {
      this.isEmptyObject = false;
      this.resolvableValue = value;
    }
    else {
      this.isEmptyObject = Object.keys(value).length === 0;
      this.resolvableValue = undefined;
      this._size = value.size;
      this._path = value.path;
    }
  }

  // size - computed: false, optional: false, required: true
  private _size?: number; 
  public get size() {
    return this.getNumberAttribute('size');
  }
  public set size(value: number) {
    this._size = value;
  }
  // Temporarily expose input value. Use with caution.
  public get sizeInput() {
    return this._size;
  }

  // path - computed: false, optional: false, required: true
  private _path?: string; 
  public get path() {
    return this.getStringAttribute('path');
  }
  public set path(value: string) {
    this._path = value;
  }
  // Temporarily expose input value. Use with caution.
  public get pathInput() {
    return this._path;
  }
}

/**
* Represents a {@link https://registry.terraform.io/providers/runpod/runpod/2.0.0/docs/resources/pod runpod_pod}
*/
export class Pod extends cdktf.TerraformResource {

  // =================
  // STATIC PROPERTIES
  // =================
  public static readonly tfResourceType = "runpod_pod";

  // ==============
  // STATIC Methods
  // ==============
  /**
  * Generates CDKTF code for importing a Pod resource upon running "cdktf plan <stack-name>"
  * @param scope The scope in which to define this construct
  * @param importToId The construct id used in the generated config for the Pod to import
  * @param importFromId The id of the existing Pod that should be imported. Refer to the {@link https://registry.terraform.io/providers/runpod/runpod/2.0.0/docs/resources/pod#import import section} in the documentation of this resource for the id to use
  * @param provider? Optional instance of the provider where the Pod to import is found
  */
  public static generateConfigForImport(scope: Construct, importToId: string, importFromId: string, provider?: cdktf.TerraformProvider) {
        return new cdktf.ImportableResource(scope, importToId, { terraformResourceType: "runpod_pod", importId: importFromId, provider });
      }

  // ===========
  // INITIALIZER
  // ===========

  /**
  * Create a new {@link https://registry.terraform.io/providers/runpod/runpod/2.0.0/docs/resources/pod runpod_pod} Resource
  *
  * @param scope The scope in which to define this construct
  * @param id The scoped construct ID. Must be unique amongst siblings in the same scope
  * @param options PodConfig
  */
  public constructor(scope: Construct, id: string, config: PodConfig) {
    super(scope, id, {
      terraformResourceType: 'runpod_pod',
      terraformGeneratorMetadata: {
        providerName: 'runpod',
        providerVersion: '2.0.0'
      },
      provider: config.provider,
      dependsOn: config.dependsOn,
      count: config.count,
      lifecycle: config.lifecycle,
      provisioners: config.provisioners,
      connection: config.connection,
      forEach: config.forEach
    });
    this._allowedCudaVersions = config.allowedCudaVersions;
    this._args = config.args;
    this._cloud = config.cloud;
    this._cpuTypeId = config.cpuTypeId;
    this._dataCenterIds = config.dataCenterIds;
    this._desiredState = config.desiredState;
    this._disk = config.disk;
    this._env = config.env;
    this._globalNetworking = config.globalNetworking;
    this._gpuCount = config.gpuCount;
    this._gpuTypeId = config.gpuTypeId;
    this._image = config.image;
    this._minCudaVersion = config.minCudaVersion;
    this._minRamPerGpu = config.minRamPerGpu;
    this._minVcpuCountPerGpu = config.minVcpuCountPerGpu;
    this._name = config.name;
    this._networkVolumes.internalValue = config.networkVolumes;
    this._persistentVolume.internalValue = config.persistentVolume;
    this._ports = config.ports;
    this._registry = config.registry;
    this._startJupyter = config.startJupyter;
    this._startSsh = config.startSsh;
    this._templateId = config.templateId;
    this._vcpuCount = config.vcpuCount;
  }

  // ==========
  // ATTRIBUTES
  // ==========

  // allowed_cuda_versions - computed: false, optional: true, required: false
  private _allowedCudaVersions?: string[]; 
  public get allowedCudaVersions() {
    return this.getListAttribute('allowed_cuda_versions');
  }
  public set allowedCudaVersions(value: string[]) {
    this._allowedCudaVersions = value;
  }
  public resetAllowedCudaVersions() {
    this._allowedCudaVersions = undefined;
  }
  // Temporarily expose input value. Use with caution.
  public get allowedCudaVersionsInput() {
    return this._allowedCudaVersions;
  }

  // args - computed: false, optional: true, required: false
  private _args?: string; 
  public get args() {
    return this.getStringAttribute('args');
  }
  public set args(value: string) {
    this._args = value;
  }
  public resetArgs() {
    this._args = undefined;
  }
  // Temporarily expose input value. Use with caution.
  public get argsInput() {
    return this._args;
  }

  // cloud - computed: true, optional: true, required: false
  private _cloud?: string; 
  public get cloud() {
    return this.getStringAttribute('cloud');
  }
  public set cloud(value: string) {
    this._cloud = value;
  }
  public resetCloud() {
    this._cloud = undefined;
  }
  // Temporarily expose input value. Use with caution.
  public get cloudInput() {
    return this._cloud;
  }

  // cluster_ip - computed: true, optional: false, required: false
  public get clusterIp() {
    return this.getStringAttribute('cluster_ip');
  }

  // cost - computed: true, optional: false, required: false
  public get cost() {
    return this.getNumberAttribute('cost');
  }

  // cpu_type_id - computed: false, optional: true, required: false
  private _cpuTypeId?: string; 
  public get cpuTypeId() {
    return this.getStringAttribute('cpu_type_id');
  }
  public set cpuTypeId(value: string) {
    this._cpuTypeId = value;
  }
  public resetCpuTypeId() {
    this._cpuTypeId = undefined;
  }
  // Temporarily expose input value. Use with caution.
  public get cpuTypeIdInput() {
    return this._cpuTypeId;
  }

  // created_at - computed: true, optional: false, required: false
  public get createdAt() {
    return this.getStringAttribute('created_at');
  }

  // data_center_id - computed: true, optional: false, required: false
  public get dataCenterId() {
    return this.getStringAttribute('data_center_id');
  }

  // data_center_ids - computed: false, optional: true, required: false
  private _dataCenterIds?: string[]; 
  public get dataCenterIds() {
    return this.getListAttribute('data_center_ids');
  }
  public set dataCenterIds(value: string[]) {
    this._dataCenterIds = value;
  }
  public resetDataCenterIds() {
    this._dataCenterIds = undefined;
  }
  // Temporarily expose input value. Use with caution.
  public get dataCenterIdsInput() {
    return this._dataCenterIds;
  }

  // desired_state - computed: true, optional: true, required: false
  private _desiredState?: string; 
  public get desiredState() {
    return this.getStringAttribute('desired_state');
  }
  public set desiredState(value: string) {
    this._desiredState = value;
  }
  public resetDesiredState() {
    this._desiredState = undefined;
  }
  // Temporarily expose input value. Use with caution.
  public get desiredStateInput() {
    return this._desiredState;
  }

  // disk - computed: true, optional: true, required: false
  private _disk?: number; 
  public get disk() {
    return this.getNumberAttribute('disk');
  }
  public set disk(value: number) {
    this._disk = value;
  }
  public resetDisk() {
    this._disk = undefined;
  }
  // Temporarily expose input value. Use with caution.
  public get diskInput() {
    return this._disk;
  }

  // env - computed: false, optional: true, required: false
  private _env?: { [key: string]: string }; 
  public get env() {
    return this.getStringMapAttribute('env');
  }
  public set env(value: { [key: string]: string }) {
    this._env = value;
  }
  public resetEnv() {
    this._env = undefined;
  }
  // Temporarily expose input value. Use with caution.
  public get envInput() {
    return this._env;
  }

  // global_networking - computed: false, optional: true, required: false
  private _globalNetworking?: boolean | cdktf.IResolvable; 
  public get globalNetworking() {
    return this.getBooleanAttribute('global_networking');
  }
  public set globalNetworking(value: boolean | cdktf.IResolvable) {
    this._globalNetworking = value;
  }
  public resetGlobalNetworking() {
    this._globalNetworking = undefined;
  }
  // Temporarily expose input value. Use with caution.
  public get globalNetworkingInput() {
    return this._globalNetworking;
  }

  // gpu_count - computed: true, optional: true, required: false
  private _gpuCount?: number; 
  public get gpuCount() {
    return this.getNumberAttribute('gpu_count');
  }
  public set gpuCount(value: number) {
    this._gpuCount = value;
  }
  public resetGpuCount() {
    this._gpuCount = undefined;
  }
  // Temporarily expose input value. Use with caution.
  public get gpuCountInput() {
    return this._gpuCount;
  }

  // gpu_type_id - computed: false, optional: true, required: false
  private _gpuTypeId?: string; 
  public get gpuTypeId() {
    return this.getStringAttribute('gpu_type_id');
  }
  public set gpuTypeId(value: string) {
    this._gpuTypeId = value;
  }
  public resetGpuTypeId() {
    this._gpuTypeId = undefined;
  }
  // Temporarily expose input value. Use with caution.
  public get gpuTypeIdInput() {
    return this._gpuTypeId;
  }

  // id - computed: true, optional: false, required: false
  public get id() {
    return this.getStringAttribute('id');
  }

  // image - computed: false, optional: true, required: false
  private _image?: string; 
  public get image() {
    return this.getStringAttribute('image');
  }
  public set image(value: string) {
    this._image = value;
  }
  public resetImage() {
    this._image = undefined;
  }
  // Temporarily expose input value. Use with caution.
  public get imageInput() {
    return this._image;
  }

  // locked - computed: true, optional: false, required: false
  public get locked() {
    return this.getBooleanAttribute('locked');
  }

  // memory_in_gb - computed: true, optional: false, required: false
  public get memoryInGb() {
    return this.getNumberAttribute('memory_in_gb');
  }

  // min_cuda_version - computed: false, optional: true, required: false
  private _minCudaVersion?: string; 
  public get minCudaVersion() {
    return this.getStringAttribute('min_cuda_version');
  }
  public set minCudaVersion(value: string) {
    this._minCudaVersion = value;
  }
  public resetMinCudaVersion() {
    this._minCudaVersion = undefined;
  }
  // Temporarily expose input value. Use with caution.
  public get minCudaVersionInput() {
    return this._minCudaVersion;
  }

  // min_ram_per_gpu - computed: false, optional: true, required: false
  private _minRamPerGpu?: number; 
  public get minRamPerGpu() {
    return this.getNumberAttribute('min_ram_per_gpu');
  }
  public set minRamPerGpu(value: number) {
    this._minRamPerGpu = value;
  }
  public resetMinRamPerGpu() {
    this._minRamPerGpu = undefined;
  }
  // Temporarily expose input value. Use with caution.
  public get minRamPerGpuInput() {
    return this._minRamPerGpu;
  }

  // min_vcpu_count_per_gpu - computed: false, optional: true, required: false
  private _minVcpuCountPerGpu?: number; 
  public get minVcpuCountPerGpu() {
    return this.getNumberAttribute('min_vcpu_count_per_gpu');
  }
  public set minVcpuCountPerGpu(value: number) {
    this._minVcpuCountPerGpu = value;
  }
  public resetMinVcpuCountPerGpu() {
    this._minVcpuCountPerGpu = undefined;
  }
  // Temporarily expose input value. Use with caution.
  public get minVcpuCountPerGpuInput() {
    return this._minVcpuCountPerGpu;
  }

  // name - computed: false, optional: false, required: true
  private _name?: string; 
  public get name() {
    return this.getStringAttribute('name');
  }
  public set name(value: string) {
    this._name = value;
  }
  // Temporarily expose input value. Use with caution.
  public get nameInput() {
    return this._name;
  }

  // network_volumes - computed: false, optional: true, required: false
  private _networkVolumes = new PodNetworkVolumesList(this, "network_volumes", false);
  public get networkVolumes() {
    return this._networkVolumes;
  }
  public putNetworkVolumes(value: PodNetworkVolumes[] | cdktf.IResolvable) {
    this._networkVolumes.internalValue = value;
  }
  public resetNetworkVolumes() {
    this._networkVolumes.internalValue = undefined;
  }
  // Temporarily expose input value. Use with caution.
  public get networkVolumesInput() {
    return this._networkVolumes.internalValue;
  }

  // persistent_volume - computed: false, optional: true, required: false
  private _persistentVolume = new PodPersistentVolumeOutputReference(this, "persistent_volume");
  public get persistentVolume() {
    return this._persistentVolume;
  }
  public putPersistentVolume(value: PodPersistentVolume) {
    this._persistentVolume.internalValue = value;
  }
  public resetPersistentVolume() {
    this._persistentVolume.internalValue = undefined;
  }
  // Temporarily expose input value. Use with caution.
  public get persistentVolumeInput() {
    return this._persistentVolume.internalValue;
  }

  // ports - computed: false, optional: true, required: false
  private _ports?: string[]; 
  public get ports() {
    return this.getListAttribute('ports');
  }
  public set ports(value: string[]) {
    this._ports = value;
  }
  public resetPorts() {
    this._ports = undefined;
  }
  // Temporarily expose input value. Use with caution.
  public get portsInput() {
    return this._ports;
  }

  // registry - computed: false, optional: true, required: false
  private _registry?: string; 
  public get registry() {
    return this.getStringAttribute('registry');
  }
  public set registry(value: string) {
    this._registry = value;
  }
  public resetRegistry() {
    this._registry = undefined;
  }
  // Temporarily expose input value. Use with caution.
  public get registryInput() {
    return this._registry;
  }

  // start_jupyter - computed: false, optional: true, required: false
  private _startJupyter?: boolean | cdktf.IResolvable; 
  public get startJupyter() {
    return this.getBooleanAttribute('start_jupyter');
  }
  public set startJupyter(value: boolean | cdktf.IResolvable) {
    this._startJupyter = value;
  }
  public resetStartJupyter() {
    this._startJupyter = undefined;
  }
  // Temporarily expose input value. Use with caution.
  public get startJupyterInput() {
    return this._startJupyter;
  }

  // start_ssh - computed: false, optional: true, required: false
  private _startSsh?: boolean | cdktf.IResolvable; 
  public get startSsh() {
    return this.getBooleanAttribute('start_ssh');
  }
  public set startSsh(value: boolean | cdktf.IResolvable) {
    this._startSsh = value;
  }
  public resetStartSsh() {
    this._startSsh = undefined;
  }
  // Temporarily expose input value. Use with caution.
  public get startSshInput() {
    return this._startSsh;
  }

  // status - computed: true, optional: false, required: false
  public get status() {
    return this.getStringAttribute('status');
  }

  // template_id - computed: false, optional: true, required: false
  private _templateId?: string; 
  public get templateId() {
    return this.getStringAttribute('template_id');
  }
  public set templateId(value: string) {
    this._templateId = value;
  }
  public resetTemplateId() {
    this._templateId = undefined;
  }
  // Temporarily expose input value. Use with caution.
  public get templateIdInput() {
    return this._templateId;
  }

  // vcpu_count - computed: false, optional: true, required: false
  private _vcpuCount?: number; 
  public get vcpuCount() {
    return this.getNumberAttribute('vcpu_count');
  }
  public set vcpuCount(value: number) {
    this._vcpuCount = value;
  }
  public resetVcpuCount() {
    this._vcpuCount = undefined;
  }
  // Temporarily expose input value. Use with caution.
  public get vcpuCountInput() {
    return this._vcpuCount;
  }

  // =========
  // SYNTHESIS
  // =========

  protected synthesizeAttributes(): { [name: string]: any } {
    return {
      allowed_cuda_versions: cdktf.listMapper(cdktf.stringToTerraform, false)(this._allowedCudaVersions),
      args: cdktf.stringToTerraform(this._args),
      cloud: cdktf.stringToTerraform(this._cloud),
      cpu_type_id: cdktf.stringToTerraform(this._cpuTypeId),
      data_center_ids: cdktf.listMapper(cdktf.stringToTerraform, false)(this._dataCenterIds),
      desired_state: cdktf.stringToTerraform(this._desiredState),
      disk: cdktf.numberToTerraform(this._disk),
      env: cdktf.hashMapper(cdktf.stringToTerraform)(this._env),
      global_networking: cdktf.booleanToTerraform(this._globalNetworking),
      gpu_count: cdktf.numberToTerraform(this._gpuCount),
      gpu_type_id: cdktf.stringToTerraform(this._gpuTypeId),
      image: cdktf.stringToTerraform(this._image),
      min_cuda_version: cdktf.stringToTerraform(this._minCudaVersion),
      min_ram_per_gpu: cdktf.numberToTerraform(this._minRamPerGpu),
      min_vcpu_count_per_gpu: cdktf.numberToTerraform(this._minVcpuCountPerGpu),
      name: cdktf.stringToTerraform(this._name),
      network_volumes: cdktf.listMapper(podNetworkVolumesToTerraform, false)(this._networkVolumes.internalValue),
      persistent_volume: podPersistentVolumeToTerraform(this._persistentVolume.internalValue),
      ports: cdktf.listMapper(cdktf.stringToTerraform, false)(this._ports),
      registry: cdktf.stringToTerraform(this._registry),
      start_jupyter: cdktf.booleanToTerraform(this._startJupyter),
      start_ssh: cdktf.booleanToTerraform(this._startSsh),
      template_id: cdktf.stringToTerraform(this._templateId),
      vcpu_count: cdktf.numberToTerraform(this._vcpuCount),
    };
  }

  protected synthesizeHclAttributes(): { [name: string]: any } {
    const attrs = {
      allowed_cuda_versions: {
        value: cdktf.listMapperHcl(cdktf.stringToHclTerraform, false)(this._allowedCudaVersions),
        isBlock: false,
        type: "list",
        storageClassType: "stringList",
      },
      args: {
        value: cdktf.stringToHclTerraform(this._args),
        isBlock: false,
        type: "simple",
        storageClassType: "string",
      },
      cloud: {
        value: cdktf.stringToHclTerraform(this._cloud),
        isBlock: false,
        type: "simple",
        storageClassType: "string",
      },
      cpu_type_id: {
        value: cdktf.stringToHclTerraform(this._cpuTypeId),
        isBlock: false,
        type: "simple",
        storageClassType: "string",
      },
      data_center_ids: {
        value: cdktf.listMapperHcl(cdktf.stringToHclTerraform, false)(this._dataCenterIds),
        isBlock: false,
        type: "list",
        storageClassType: "stringList",
      },
      desired_state: {
        value: cdktf.stringToHclTerraform(this._desiredState),
        isBlock: false,
        type: "simple",
        storageClassType: "string",
      },
      disk: {
        value: cdktf.numberToHclTerraform(this._disk),
        isBlock: false,
        type: "simple",
        storageClassType: "number",
      },
      env: {
        value: cdktf.hashMapperHcl(cdktf.stringToHclTerraform)(this._env),
        isBlock: false,
        type: "map",
        storageClassType: "stringMap",
      },
      global_networking: {
        value: cdktf.booleanToHclTerraform(this._globalNetworking),
        isBlock: false,
        type: "simple",
        storageClassType: "boolean",
      },
      gpu_count: {
        value: cdktf.numberToHclTerraform(this._gpuCount),
        isBlock: false,
        type: "simple",
        storageClassType: "number",
      },
      gpu_type_id: {
        value: cdktf.stringToHclTerraform(this._gpuTypeId),
        isBlock: false,
        type: "simple",
        storageClassType: "string",
      },
      image: {
        value: cdktf.stringToHclTerraform(this._image),
        isBlock: false,
        type: "simple",
        storageClassType: "string",
      },
      min_cuda_version: {
        value: cdktf.stringToHclTerraform(this._minCudaVersion),
        isBlock: false,
        type: "simple",
        storageClassType: "string",
      },
      min_ram_per_gpu: {
        value: cdktf.numberToHclTerraform(this._minRamPerGpu),
        isBlock: false,
        type: "simple",
        storageClassType: "number",
      },
      min_vcpu_count_per_gpu: {
        value: cdktf.numberToHclTerraform(this._minVcpuCountPerGpu),
        isBlock: false,
        type: "simple",
        storageClassType: "number",
      },
      name: {
        value: cdktf.stringToHclTerraform(this._name),
        isBlock: false,
        type: "simple",
        storageClassType: "string",
      },
      network_volumes: {
        value: cdktf.listMapperHcl(podNetworkVolumesToHclTerraform, false)(this._networkVolumes.internalValue),
        isBlock: true,
        type: "list",
        storageClassType: "PodNetworkVolumesList",
      },
      persistent_volume: {
        value: podPersistentVolumeToHclTerraform(this._persistentVolume.internalValue),
        isBlock: true,
        type: "struct",
        storageClassType: "PodPersistentVolume",
      },
      ports: {
        value: cdktf.listMapperHcl(cdktf.stringToHclTerraform, false)(this._ports),
        isBlock: false,
        type: "list",
        storageClassType: "stringList",
      },
      registry: {
        value: cdktf.stringToHclTerraform(this._registry),
        isBlock: false,
        type: "simple",
        storageClassType: "string",
      },
      start_jupyter: {
        value: cdktf.booleanToHclTerraform(this._startJupyter),
        isBlock: false,
        type: "simple",
        storageClassType: "boolean",
      },
      start_ssh: {
        value: cdktf.booleanToHclTerraform(this._startSsh),
        isBlock: false,
        type: "simple",
        storageClassType: "boolean",
      },
      template_id: {
        value: cdktf.stringToHclTerraform(this._templateId),
        isBlock: false,
        type: "simple",
        storageClassType: "string",
      },
      vcpu_count: {
        value: cdktf.numberToHclTerraform(this._vcpuCount),
        isBlock: false,
        type: "simple",
        storageClassType: "number",
      },
    };

    // remove undefined attributes
    return Object.fromEntries(Object.entries(attrs).filter(([_, value]) => value !== undefined && value.value !== undefined ))
  }
}
