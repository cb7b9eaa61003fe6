// https://registry.terraform.io/providers/runpod/runpod/2.0.0/docs
// generated from terraform resource schema

import { Construct } from 'constructs';
import * as cdktf from 'cdktf';

// Configuration

export interface RunpodProviderConfig {
  /**
  * Runpod API key; falls back to env RUNPOD_API_KEY.
  *
  * Docs at Terraform Registry: {@link https://registry.terraform.io/providers/runpod/runpod/2.0.0/docs#api_key RunpodProvider#api_key}
  */
  readonly apiKey?: string;
  /**
  * REST v2 host override; falls back to env RUNPOD_API_BASE_URL, then https://api.runpod.io.
  *
  * Docs at Terraform Registry: {@link https://registry.terraform.io/providers/runpod/runpod/2.0.0/docs#base_url RunpodProvider#base_url}
  */
  readonly baseUrl?: string;
  /**
  * GraphQL URL for the few deprecated GraphQL reads; env RUNPOD_GRAPHQL_URL.
  *
  * Docs at Terraform Registry: {@link https://registry.terraform.io/providers/runpod/runpod/2.0.0/docs#graphql_url RunpodProvider#graphql_url}
  */
  readonly graphqlUrl?: string;
  /**
  * Alias name
  *
  * Docs at Terraform Registry: {@link https://registry.terraform.io/providers/runpod/runpod/2.0.0/docs#alias RunpodProvider#alias}
  */
  readonly alias?: string;
}

/**
* Represents a {@link https://registry.terraform.io/providers/runpod/runpod/2.0.0/docs runpod}
*/
export class RunpodProvider extends cdktf.TerraformProvider {

  // =================
  // STATIC PROPERTIES
  // =================
  public static readonly tfResourceType = "runpod";

  // ==============
  // STATIC Methods
  // ==============
  /**
  * Generates CDKTF code for importing a RunpodProvider resource upon running "cdktf plan <stack-name>"
  * @param scope The scope in which to define this construct
  * @param importToId The construct id used in the generated config for the RunpodProvider to import
  * @param importFromId The id of the existing RunpodProvider that should be imported. Refer to the {@link https://registry.terraform.io/providers/runpod/runpod/2.0.0/docs#import import section} in the documentation of this resource for the id to use
  * @param provider? Optional instance of the provider where the RunpodProvider to import is found
  */
  public static generateConfigForImport(scope: Construct, importToId: string, importFromId: string, provider?: cdktf.TerraformProvider) {
        return new cdktf.ImportableResource(scope, importToId, { terraformResourceType: "runpod", importId: importFromId, provider });
      }

  // ===========
  // INITIALIZER
  // ===========

  /**
  * Create a new {@link https://registry.terraform.io/providers/runpod/runpod/2.0.0/docs runpod} Resource
  *
  * @param scope The scope in which to define this construct
  * @param id The scoped construct ID. Must be unique amongst siblings in the same scope
  * @param options RunpodProviderConfig = {}
  */
  public constructor(scope: Construct, id: string, config: RunpodProviderConfig = {}) {
    super(scope, id, {
      terraformResourceType: 'runpod',
      terraformGeneratorMetadata: {
        providerName: 'runpod',
        providerVersion: '2.0.0'
      },
      terraformProviderSource: 'registry.terraform.io/runpod/runpod'
    });
    this._apiKey = config.apiKey;
    this._baseUrl = config.baseUrl;
    this._graphqlUrl = config.graphqlUrl;
    this._alias = config.alias;
  }

  // ==========
  // ATTRIBUTES
  // ==========

  // api_key - computed: false, optional: true, required: false
  private _apiKey?: string; 
  public get apiKey() {
    return this._apiKey;
  }
  public set apiKey(value: string | undefined) {
    this._apiKey = value;
  }
  public resetApiKey() {
    this._apiKey = undefined;
  }
  // Temporarily expose input value. Use with caution.
  public get apiKeyInput() {
    return this._apiKey;
  }

  // base_url - computed: false, optional: true, required: false
  private _baseUrl?: string; 
  public get baseUrl() {
    return this._baseUrl;
  }
  public set baseUrl(value: string | undefined) {
    this._baseUrl = value;
  }
  public resetBaseUrl() {
    this._baseUrl = undefined;
  }
  // Temporarily expose input value. Use with caution.
  public get baseUrlInput() {
    return this._baseUrl;
  }

  // graphql_url - computed: false, optional: true, required: false
  private _graphqlUrl?: string; 
  public get graphqlUrl() {
    return this._graphqlUrl;
  }
  public set graphqlUrl(value: string | undefined) {
    this._graphqlUrl = value;
  }
  public resetGraphqlUrl() {
    this._graphqlUrl = undefined;
  }
  // Temporarily expose input value. Use with caution.
  public get graphqlUrlInput() {
    return this._graphqlUrl;
  }

  // alias - computed: false, optional: true, required: false
  private _alias?: string; 
  public get alias() {
    return this._alias;
  }
  public set alias(value: string | undefined) {
    this._alias = value;
  }
  public resetAlias() {
    this._alias = undefined;
  }
  // Temporarily expose input value. Use with caution.
  public get aliasInput() {
    return this._alias;
  }

  // =========
  // SYNTHESIS
  // =========

  protected synthesizeAttributes(): { [name: string]: any } {
    return {
      api_key: cdktf.stringToTerraform(this._apiKey),
      base_url: cdktf.stringToTerraform(this._baseUrl),
      graphql_url: cdktf.stringToTerraform(this._graphqlUrl),
      alias: cdktf.stringToTerraform(this._alias),
    };
  }

  protected synthesizeHclAttributes(): { [name: string]: any } {
    const attrs = {
      api_key: {
        value: cdktf.stringToHclTerraform(this._apiKey),
        isBlock: false,
        type: "simple",
        storageClassType: "string",
      },
      base_url: {
        value: cdktf.stringToHclTerraform(this._baseUrl),
        isBlock: false,
        type: "simple",
        storageClassType: "string",
      },
      graphql_url: {
        value: cdktf.stringToHclTerraform(this._graphqlUrl),
        isBlock: false,
        type: "simple",
        storageClassType: "string",
      },
      alias: {
        value: cdktf.stringToHclTerraform(this._alias),
        isBlock: false,
        type: "simple",
        storageClassType: "string",
      },
    };

    // remove undefined attributes
    return Object.fromEntries(Object.entries(attrs).filter(([_, value]) => value !== undefined && value.value !== undefined ))
  }
}
