// https://registry.terraform.io/providers/runpod/runpod/2.0.0/docs/resources/serverless_endpoint
// generated from terraform resource schema

import { Construct } from 'constructs';
import * as cdktf from 'cdktf';

// Configuration

export interface ServerlessEndpointConfig extends cdktf.TerraformMetaArguments {
  /**
  * Exact CUDA versions (major.minor).
  *
  * Docs at Terraform Registry: {@link https://registry.terraform.io/providers/runpod/runpod/2.0.0/docs/resources/serverless_endpoint#allowed_cuda_versions ServerlessEndpoint#allowed_cuda_versions}
  */
  readonly allowedCudaVersions?: string[];
  /**
  * GPU or CPU; derived from gpu_pools / cpu.
  *
  * Docs at Terraform Registry: {@link https://registry.terraform.io/providers/runpod/runpod/2.0.0/docs/resources/serverless_endpoint#compute_type ServerlessEndpoint#compute_type}
  */
  readonly computeType?: string;
  /**
  * Eligible CPU configurations (CPU endpoints).
  *
  * Docs at Terraform Registry: {@link https://registry.terraform.io/providers/runpod/runpod/2.0.0/docs/resources/serverless_endpoint#cpu ServerlessEndpoint#cpu}
  */
  readonly cpu?: ServerlessEndpointCpu[] | cdktf.IResolvable;
  /**
  * Preferred data centers.
  *
  * Docs at Terraform Registry: {@link https://registry.terraform.io/providers/runpod/runpod/2.0.0/docs/resources/serverless_endpoint#data_center_ids ServerlessEndpoint#data_center_ids}
  */
  readonly dataCenterIds?: string[];
  /**
  * Container disk in GB.
  *
  * Docs at Terraform Registry: {@link https://registry.terraform.io/providers/runpod/runpod/2.0.0/docs/resources/serverless_endpoint#disk ServerlessEndpoint#disk}
  */
  readonly disk?: number;
  /**
  * QUEUE or LOAD_BALANCER; changing it replaces the endpoint.
  *
  * Docs at Terraform Registry: {@link https://registry.terraform.io/providers/runpod/runpod/2.0.0/docs/resources/serverless_endpoint#endpoint_type ServerlessEndpoint#endpoint_type}
  */
  readonly endpointType: string;
  /**
  * Environment variables.
  *
  * Docs at Terraform Registry: {@link https://registry.terraform.io/providers/runpod/runpod/2.0.0/docs/resources/serverless_endpoint#env ServerlessEndpoint#env}
  */
  readonly env?: { [key: string]: string };
  /**
  * GPU type ids subtracted from the pools.
  *
  * Docs at Terraform Registry: {@link https://registry.terraform.io/providers/runpod/runpod/2.0.0/docs/resources/serverless_endpoint#excluded_types ServerlessEndpoint#excluded_types}
  */
  readonly excludedTypes?: string[];
  /**
  * OFF, FLASHBOOT or PRIORITY_FLASHBOOT (API default OFF).
  *
  * Docs at Terraform Registry: {@link https://registry.terraform.io/providers/runpod/runpod/2.0.0/docs/resources/serverless_endpoint#flashboot ServerlessEndpoint#flashboot}
  */
  readonly flashboot?: string;
  /**
  * GPUs per worker.
  *
  * Docs at Terraform Registry: {@link https://registry.terraform.io/providers/runpod/runpod/2.0.0/docs/resources/serverless_endpoint#gpu_count ServerlessEndpoint#gpu_count}
  */
  readonly gpuCount?: number;
  /**
  * Serverless GPU pool ids, e.g. ADA_48_PRO.
  *
  * Docs at Terraform Registry: {@link https://registry.terraform.io/providers/runpod/runpod/2.0.0/docs/resources/serverless_endpoint#gpu_pools ServerlessEndpoint#gpu_pools}
  */
  readonly gpuPools?: string[];
  /**
  * Seconds before an idle worker stops (1-3600, API default 10).
  *
  * Docs at Terraform Registry: {@link https://registry.terraform.io/providers/runpod/runpod/2.0.0/docs/resources/serverless_endpoint#idle_timeout ServerlessEndpoint#idle_timeout}
  */
  readonly idleTimeout?: number;
  /**
  * Worker image (required unless template_id).
  *
  * Docs at Terraform Registry: {@link https://registry.terraform.io/providers/runpod/runpod/2.0.0/docs/resources/serverless_endpoint#image ServerlessEndpoint#image}
  */
  readonly image?: string;
  /**
  * CUDA floor (major.minor).
  *
  * Docs at Terraform Registry: {@link https://registry.terraform.io/providers/runpod/runpod/2.0.0/docs/resources/serverless_endpoint#min_cuda_version ServerlessEndpoint#min_cuda_version}
  */
  readonly minCudaVersion?: string;
  /**
  * Endpoint name.
  *
  * Docs at Terraform Registry: {@link https://registry.terraform.io/providers/runpod/runpod/2.0.0/docs/resources/serverless_endpoint#name ServerlessEndpoint#name}
  */
  readonly name: string;
  /**
  * Network volume ids mounted by workers.
  *
  * Docs at Terraform Registry: {@link https://registry.terraform.io/providers/runpod/runpod/2.0.0/docs/resources/serverless_endpoint#network_volumes ServerlessEndpoint#network_volumes}
  */
  readonly networkVolumes?: string[];
  /**
  * Worker HTTP ports (LOAD_BALANCER).
  *
  * Docs at Terraform Registry: {@link https://registry.terraform.io/providers/runpod/runpod/2.0.0/docs/resources/serverless_endpoint#ports ServerlessEndpoint#ports}
  */
  readonly ports?: string[];
  /**
  * Registry credential id.
  *
  * Docs at Terraform Registry: {@link https://registry.terraform.io/providers/runpod/runpod/2.0.0/docs/resources/serverless_endpoint#registry ServerlessEndpoint#registry}
  */
  readonly registry?: string;
  /**
  * QUEUE_DELAY or REQUEST_COUNT.
  *
  * Docs at Terraform Registry: {@link https://registry.terraform.io/providers/runpod/runpod/2.0.0/docs/resources/serverless_endpoint#scaling_type ServerlessEndpoint#scaling_type}
  */
  readonly scalingType: string;
  /**
  * Queue delay seconds (>=0.5) or requests per worker (>=1).
  *
  * Docs at Terraform Registry: {@link https://registry.terraform.io/providers/runpod/runpod/2.0.0/docs/resources/serverless_endpoint#scaling_value ServerlessEndpoint#scaling_value}
  */
  readonly scalingValue: number;
  /**
  * Serverless template id.
  *
  * Docs at Terraform Registry: {@link https://registry.terraform.io/providers/runpod/runpod/2.0.0/docs/resources/serverless_endpoint#template_id ServerlessEndpoint#template_id}
  */
  readonly templateId?: string;
  /**
  * Per-job execution timeout in ms (API default 300000).
  *
  * Docs at Terraform Registry: {@link https://registry.terraform.io/providers/runpod/runpod/2.0.0/docs/resources/serverless_endpoint#timeout ServerlessEndpoint#timeout}
  */
  readonly timeout?: number;
  /**
  * Maximum workers (API default 3).
  *
  * Docs at Terraform Registry: {@link https://registry.terraform.io/providers/runpod/runpod/2.0.0/docs/resources/serverless_endpoint#workers_max ServerlessEndpoint#workers_max}
  */
  readonly workersMax?: number;
  /**
  * Minimum workers (API default 0).
  *
  * Docs at Terraform Registry: {@link https://registry.terraform.io/providers/runpod/runpod/2.0.0/docs/resources/serverless_endpoint#workers_min ServerlessEndpoint#workers_min}
  */
  readonly workersMin?: number;
}
export interface ServerlessEndpointCpu {
  /**
  * CPU flavor id, e.g. cpu5c.
  *
  * Docs at Terraform Registry: {@link https://registry.terraform.io/providers/runpod/runpod/2.0.0/docs/resources/serverless_endpoint#cpu_type_id ServerlessEndpoint#cpu_type_id}
  */
  readonly cpuTypeId: string;
  /**
  * vCPUs (power of two).
  *
  * Docs at Terraform Registry: {@link https://registry.terraform.io/providers/runpod/runpod/2.0.0/docs/resources/serverless_endpoint#vcpu_count ServerlessEndpoint#vcpu_count}
  */
  readonly vcpuCount: number;
}

export function serverlessEndpointCpuToTerraform(struct?: ServerlessEndpointCpu | cdktf.IResolvable): any {
  if (!cdktf.canInspect(struct) || cdktf.Tokenization.isResolvable(struct)) { return struct; }
  if (cdktf.isComplexElement(struct)) {
    throw new Error("A complex element was used as configuration, this is not supported: https://cdk.tf/complex-object-as-configuration");
  }
  return {
    cpu_type_id: cdktf.stringToTerraform(struct!.cpuTypeId),
    vcpu_count: cdktf.numberToTerraform(struct!.vcpuCount),
  }
}


export function serverlessEndpointCpuToHclTerraform(struct?: ServerlessEndpointCpu | cdktf.IResolvable): any {
  if (!cdktf.canInspect(struct) || cdktf.Tokenization.isResolvable(struct)) { return struct; }
  if (cdktf.isComplexElement(struct)) {
    throw new Error("A complex element was used as configuration, this is not supported: https://cdk.tf/complex-object-as-configuration");
  }
  const attrs = {
    cpu_type_id: {
      value: cdktf.stringToHclTerraform(struct!.cpuTypeId),
      isBlock: false,
      type: "simple",
      storageClassType: "string",
    },
    vcpu_count: {
      value: cdktf.numberToHclTerraform(struct!.vcpuCount),
      isBlock: false,
      type: "simple",
      storageClassType: "number",
    },
  };

  // remove undefined attributes
  return Object.fromEntries(Object.entries(attrs).filter(([_, value]) => value !== undefined && value.value !== undefined));
}

export class ServerlessEndpointCpuOutputReference extends cdktf.ComplexObject {
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

  public get internalValue(): ServerlessEndpointCpu | cdktf.IResolvable | undefined {
    if (this.resolvableValue) {
      return this.resolvableValue;
    }
    let hasAnyValues = this.isEmptyObject;
    const internalValueResult: any = {};
    if (this._cpuTypeId !== undefined) {
      hasAnyValues = true;
      internalValueResult.cpuTypeId = this._cpuTypeId;
    }
    if (this._vcpuCount !== undefined) {
      hasAnyValues = true;
      internalValueResult.vcpuCount = this._vcpuCount;
    }
    return hasAnyValues ? internalValueResult : undefined;
  }

  public set internalValue(value: ServerlessEndpointCpu | cdktf.IResolvable | undefined) {
    if (value === undefined) {
      this.isEmptyObject = false;
      this.resolvableValue = undefined;
      this._cpuTypeId = undefined;
      this._vcpuCount = undefined;
    }
    else if (cdktf.Tokenization.isResolvable(value)) {
      this.isEmptyObject = false;
      this.resolvableValue = value;
    }
    else {
      this.isEmptyObject = Object.keys(value).length === 0;
      this.resolvableValue = undefined;
      this._cpuTypeId = value.cpuTypeId;
      this._vcpuCount = value.vcpuCount;
    }
  }

  // cpu_type_id - computed: false, optional: false, required: true
  private _cpuTypeId?: string; 
  public get cpuTypeId() {
    return this.getStringAttribute('cpu_type_id');
  }
  public set cpuTypeId(value: string) {
    this._cpuTypeId = value;
  }
  // Temporarily expose input value. Use with caution.
  public get cpuTypeIdInput() {
    return this._cpuTypeId;
  }

  // vcpu_count - computed: false, optional: false, required: true
  private _vcpuCount?: number; 
  public get vcpuCount() {
    return this.getNumberAttribute('vcpu_count');
  }
  public set vcpuCount(value: number) {
    this._vcpuCount = value;
  }
  // Temporarily expose input value. Use with caution.
  public get vcpuCountInput() {
    return this._vcpuCount;
  }
}

export class ServerlessEndpointCpuList extends cdktf.ComplexList {
  public internalValue? : ServerlessEndpointCpu[] | cdktf.IResolvable

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
  public get(index: number): ServerlessEndpointCpuOutputReference {
    return new ServerlessEndpointCpuOutputReference(this.terraformResource, this.terraformAttribute, index, this.wrapsSet);
  }
}

/**
* Represents a {@link https://registry.terraform.io/providers/runpod/runpod/2.0.0/docs/resources/serverless_endpoint runpod_serverless_endpoint}
*/
export class ServerlessEndpoint extends cdktf.TerraformResource {

  // =================
  // STATIC PROPERTIES
  // =================
  public static readonly tfResourceType = "runpod_serverless_endpoint";

  // ==============
  // STATIC Methods
  // ==============
  /**
  * Generates CDKTF code for importing a ServerlessEndpoint resource upon running "cdktf plan <stack-name>"
  * @param scope The scope in which to define this construct
  * @param importToId The construct id used in the generated config for the ServerlessEndpoint to import
  * @param importFromId The id of the existing ServerlessEndpoint that should be imported. Refer to the {@link https://registry.terraform.io/providers/runpod/runpod/2.0.0/docs/resources/serverless_endpoint#import import section} in the documentation of this resource for the id to use
  * @param provider? Optional instance of the provider where the ServerlessEndpoint to import is found
  */
  public static generateConfigForImport(scope: Construct, importToId: string, importFromId: string, provider?: cdktf.TerraformProvider) {
        return new cdktf.ImportableResource(scope, importToId, { terraformResourceType: "runpod_serverless_endpoint", importId: importFromId, provider });
      }

  // ===========
  // INITIALIZER
  // ===========

  /**
  * Create a new {@link https://registry.terraform.io/providers/runpod/runpod/2.0.0/docs/resources/serverless_endpoint runpod_serverless_endpoint} Resource
  *
  * @param scope The scope in which to define this construct
  * @param id The scoped construct ID. Must be unique amongst siblings in the same scope
  * @param options ServerlessEndpointConfig
  */
  public constructor(scope: Construct, id: string, config: ServerlessEndpointConfig) {
    super(scope, id, {
      terraformResourceType: 'runpod_serverless_endpoint',
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
    this._computeType = config.computeType;
    this._cpu.internalValue = config.cpu;
    this._dataCenterIds = config.dataCenterIds;
    this._disk = config.disk;
    this._endpointType = config.endpointType;
    this._env = config.env;
    this._excludedTypes = config.excludedTypes;
    this._flashboot = config.flashboot;
    this._gpuCount = config.gpuCount;
    this._gpuPools = config.gpuPools;
    this._idleTimeout = config.idleTimeout;
    this._image = config.image;
    this._minCudaVersion = config.minCudaVersion;
    this._name = config.name;
    this._networkVolumes = config.networkVolumes;
    this._ports = config.ports;
    this._registry = config.registry;
    this._scalingType = config.scalingType;
    this._scalingValue = config.scalingValue;
    this._templateId = config.templateId;
    this._timeout = config.timeout;
    this._workersMax = config.workersMax;
    this._workersMin = config.workersMin;
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

  // compute_type - computed: true, optional: true, required: false
  private _computeType?: string; 
  public get computeType() {
    return this.getStringAttribute('compute_type');
  }
  public set computeType(value: string) {
    this._computeType = value;
  }
  public resetComputeType() {
    this._computeType = undefined;
  }
  // Temporarily expose input value. Use with caution.
  public get computeTypeInput() {
    return this._computeType;
  }

  // cpu - computed: false, optional: true, required: false
  private _cpu = new ServerlessEndpointCpuList(this, "cpu", false);
  public get cpu() {
    return this._cpu;
  }
  public putCpu(value: ServerlessEndpointCpu[] | cdktf.IResolvable) {
    this._cpu.internalValue = value;
  }
  public resetCpu() {
    this._cpu.internalValue = undefined;
  }
  // Temporarily expose input value. Use with caution.
  public get cpuInput() {
    return this._cpu.internalValue;
  }

  // created_at - computed: true, optional: false, required: false
  public get createdAt() {
    return this.getStringAttribute('created_at');
  }

  // data_center_ids - computed: true, optional: true, required: false
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

  // endpoint_type - computed: false, optional: false, required: true
  private _endpointType?: string; 
  public get endpointType() {
    return this.getStringAttribute('endpoint_type');
  }
  public set endpointType(value: string) {
    this._endpointType = value;
  }
  // Temporarily expose input value. Use with caution.
  public get endpointTypeInput() {
    return this._endpointType;
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

  // excluded_types - computed: false, optional: true, required: false
  private _excludedTypes?: string[]; 
  public get excludedTypes() {
    return this.getListAttribute('excluded_types');
  }
  public set excludedTypes(value: string[]) {
    this._excludedTypes = value;
  }
  public resetExcludedTypes() {
    this._excludedTypes = undefined;
  }
  // Temporarily expose input value. Use with caution.
  public get excludedTypesInput() {
    return this._excludedTypes;
  }

  // flashboot - computed: true, optional: true, required: false
  private _flashboot?: string; 
  public get flashboot() {
    return this.getStringAttribute('flashboot');
  }
  public set flashboot(value: string) {
    this._flashboot = value;
  }
  public resetFlashboot() {
    this._flashboot = undefined;
  }
  // Temporarily expose input value. Use with caution.
  public get flashbootInput() {
    return this._flashboot;
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

  // gpu_pools - computed: false, optional: true, required: false
  private _gpuPools?: string[]; 
  public get gpuPools() {
    return this.getListAttribute('gpu_pools');
  }
  public set gpuPools(value: string[]) {
    this._gpuPools = value;
  }
  public resetGpuPools() {
    this._gpuPools = undefined;
  }
  // Temporarily expose input value. Use with caution.
  public get gpuPoolsInput() {
    return this._gpuPools;
  }

  // id - computed: true, optional: false, required: false
  public get id() {
    return this.getStringAttribute('id');
  }

  // idle_timeout - computed: true, optional: true, required: false
  private _idleTimeout?: number; 
  public get idleTimeout() {
    return this.getNumberAttribute('idle_timeout');
  }
  public set idleTimeout(value: number) {
    this._idleTimeout = value;
  }
  public resetIdleTimeout() {
    this._idleTimeout = undefined;
  }
  // Temporarily expose input value. Use with caution.
  public get idleTimeoutInput() {
    return this._idleTimeout;
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

  // network_volumes - computed: true, optional: true, required: false
  private _networkVolumes?: string[]; 
  public get networkVolumes() {
    return this.getListAttribute('network_volumes');
  }
  public set networkVolumes(value: string[]) {
    this._networkVolumes = value;
  }
  public resetNetworkVolumes() {
    this._networkVolumes = undefined;
  }
  // Temporarily expose input value. Use with caution.
  public get networkVolumesInput() {
    return this._networkVolumes;
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

  // scaling_type - computed: false, optional: false, required: true
  private _scalingType?: string; 
  public get scalingType() {
    return this.getStringAttribute('scaling_type');
  }
  public set scalingType(value: string) {
    this._scalingType = value;
  }
  // Temporarily expose input value. Use with caution.
  public get scalingTypeInput() {
    return this._scalingType;
  }

  // scaling_value - computed: false, optional: false, required: true
  private _scalingValue?: number; 
  public get scalingValue() {
    return this.getNumberAttribute('scaling_value');
  }
  public set scalingValue(value: number) {
    this._scalingValue = value;
  }
  // Temporarily expose input value. Use with caution.
  public get scalingValueInput() {
    return this._scalingValue;
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

  // timeout - computed: true, optional: true, required: false
  private _timeout?: number; 
  public get timeout() {
    return this.getNumberAttribute('timeout');
  }
  public set timeout(value: number) {
    this._timeout = value;
  }
  public resetTimeout() {
    this._timeout = undefined;
  }
  // Temporarily expose input value. Use with caution.
  public get timeoutInput() {
    return this._timeout;
  }

  // workers_max - computed: true, optional: true, required: false
  private _workersMax?: number; 
  public get workersMax() {
    return this.getNumberAttribute('workers_max');
  }
  public set workersMax(value: number) {
    this._workersMax = value;
  }
  public resetWorkersMax() {
    this._workersMax = undefined;
  }
  // Temporarily expose input value. Use with caution.
  public get workersMaxInput() {
    return this._workersMax;
  }

  // workers_min - computed: true, optional: true, required: false
  private _workersMin?: number; 
  public get workersMin() {
    return this.getNumberAttribute('workers_min');
  }
  public set workersMin(value: number) {
    this._workersMin = value;
  }
  public resetWorkersMin() {
    this._workersMin = undefined;
  }
  // Temporarily expose input value. Use with caution.
  public get workersMinInput() {
    return this._workersMin;
  }

  // =========
  // SYNTHESIS
  // =========

  protected synthesizeAttributes(): { [name: string]: any } {
    return {
      allowed_cuda_versions: cdktf.listMapper(cdktf.stringToTerraform, false)(this._allowedCudaVersions),
      compute_type: cdktf.stringToTerraform(this._computeType),
      cpu: cdktf.listMapper(serverlessEndpointCpuToTerraform, false)(this._cpu.internalValue),
      data_center_ids: cdktf.listMapper(cdktf.stringToTerraform, false)(this._dataCenterIds),
      disk: cdktf.numberToTerraform(this._disk),
      endpoint_type: cdktf.stringToTerraform(this._endpointType),
      env: cdktf.hashMapper(cdktf.stringToTerraform)(this._env),
      excluded_types: cdktf.listMapper(cdktf.stringToTerraform, false)(this._excludedTypes),
      flashboot: cdktf.stringToTerraform(this._flashboot),
      gpu_count: cdktf.numberToTerraform(this._gpuCount),
      gpu_pools: cdktf.listMapper(cdktf.stringToTerraform, false)(this._gpuPools),
      idle_timeout: cdktf.numberToTerraform(this._idleTimeout),
      image: cdktf.stringToTerraform(this._image),
      min_cuda_version: cdktf.stringToTerraform(this._minCudaVersion),
      name: cdktf.stringToTerraform(this._name),
      network_volumes: cdktf.listMapper(cdktf.stringToTerraform, false)(this._networkVolumes),
      ports: cdktf.listMapper(cdktf.stringToTerraform, false)(this._ports),
      registry: cdktf.stringToTerraform(this._registry),
      scaling_type: cdktf.stringToTerraform(this._scalingType),
      scaling_value: cdktf.numberToTerraform(this._scalingValue),
      template_id: cdktf.stringToTerraform(this._templateId),
      timeout: cdktf.numberToTerraform(this._timeout),
      workers_max: cdktf.numberToTerraform(this._workersMax),
      workers_min: cdktf.numberToTerraform(this._workersMin),
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
      compute_type: {
        value: cdktf.stringToHclTerraform(this._computeType),
        isBlock: false,
        type: "simple",
        storageClassType: "string",
      },
      cpu: {
        value: cdktf.listMapperHcl(serverlessEndpointCpuToHclTerraform, false)(this._cpu.internalValue),
        isBlock: true,
        type: "list",
        storageClassType: "ServerlessEndpointCpuList",
      },
      data_center_ids: {
        value: cdktf.listMapperHcl(cdktf.stringToHclTerraform, false)(this._dataCenterIds),
        isBlock: false,
        type: "list",
        storageClassType: "stringList",
      },
      disk: {
        value: cdktf.numberToHclTerraform(this._disk),
        isBlock: false,
        type: "simple",
        storageClassType: "number",
      },
      endpoint_type: {
        value: cdktf.stringToHclTerraform(this._endpointType),
        isBlock: false,
        type: "simple",
        storageClassType: "string",
      },
      env: {
        value: cdktf.hashMapperHcl(cdktf.stringToHclTerraform)(this._env),
        isBlock: false,
        type: "map",
        storageClassType: "stringMap",
      },
      excluded_types: {
        value: cdktf.listMapperHcl(cdktf.stringToHclTerraform, false)(this._excludedTypes),
        isBlock: false,
        type: "list",
        storageClassType: "stringList",
      },
      flashboot: {
        value: cdktf.stringToHclTerraform(this._flashboot),
        isBlock: false,
        type: "simple",
        storageClassType: "string",
      },
      gpu_count: {
        value: cdktf.numberToHclTerraform(this._gpuCount),
        isBlock: false,
        type: "simple",
        storageClassType: "number",
      },
      gpu_pools: {
        value: cdktf.listMapperHcl(cdktf.stringToHclTerraform, false)(this._gpuPools),
        isBlock: false,
        type: "list",
        storageClassType: "stringList",
      },
      idle_timeout: {
        value: cdktf.numberToHclTerraform(this._idleTimeout),
        isBlock: false,
        type: "simple",
        storageClassType: "number",
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
      name: {
        value: cdktf.stringToHclTerraform(this._name),
        isBlock: false,
        type: "simple",
        storageClassType: "string",
      },
      network_volumes: {
        value: cdktf.listMapperHcl(cdktf.stringToHclTerraform, false)(this._networkVolumes),
        isBlock: false,
        type: "list",
        storageClassType: "stringList",
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
      scaling_type: {
        value: cdktf.stringToHclTerraform(this._scalingType),
        isBlock: false,
        type: "simple",
        storageClassType: "string",
      },
      scaling_value: {
        value: cdktf.numberToHclTerraform(this._scalingValue),
        isBlock: false,
        type: "simple",
        storageClassType: "number",
      },
      template_id: {
        value: cdktf.stringToHclTerraform(this._templateId),
        isBlock: false,
        type: "simple",
        storageClassType: "string",
      },
      timeout: {
        value: cdktf.numberToHclTerraform(this._timeout),
        isBlock: false,
        type: "simple",
        storageClassType: "number",
      },
      workers_max: {
        value: cdktf.numberToHclTerraform(this._workersMax),
        isBlock: false,
        type: "simple",
        storageClassType: "number",
      },
      workers_min: {
        value: cdktf.numberToHclTerraform(this._workersMin),
        isBlock: false,
        type: "simple",
        storageClassType: "number",
      },
    };

    // remove undefined attributes
    return Object.fromEntries(Object.entries(attrs).filter(([_, value]) => value !== undefined && value.value !== undefined ))
  }
}
