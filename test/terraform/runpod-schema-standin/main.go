// Command terraform-provider-runpod (schema stand-in).
//
// THIS IS NOT THE RUNPOD PROVIDER. The real runpod/runpod 2.0.0 provider could
// not be built here (the Go module proxy answers 403 for every version of
// github.com/runpod/terraform-provider-runpod, see ../PROVENANCE.md). This
// binary speaks Terraform plugin protocol 6 and serves exactly the schema in
// schema.json (a staged copy of the committed ../../../src/gen/runpod-2.0.0.schema.json,
// embedded at build time by ../toolchain.sh) so that Terraform's own `validate`
// checks attribute names, types and required/optional/computed against it and
// `plan` works offline. It never talks to the network:
//
//   - AVATAR_STANDIN_SCHEMA_<TYPE> (e.g. AVATAR_STANDIN_SCHEMA_RUNPOD), when set,
//     names a schema file served instead of the embedded one: tests use it to
//     make the provider disagree with the committed schema on purpose (the
//     provider-check command must then fail). Terraform passes its environment
//     to the providers it starts.
//
//   - ValidateProviderConfig accepts everything the schema accepts (Terraform
//     itself enforces names, types and required arguments). ValidateResourceConfig
//     additionally rejects a value for a computed-only attribute, as
//     terraform-plugin-framework providers do.
//   - ConfigureProvider does nothing.
//   - PlanResourceChange returns the proposed new state; on create every
//     computed attribute that is null in config is marked unknown; on update
//     the proposed state (which carries prior values) is kept. Attributes whose
//     schema description says they replace the resource, and every configurable
//     attribute of a resource whose description says "any change replaces",
//     are reported in RequiresReplace when they change.
//   - ReadResource returns the prior state.
//   - ApplyResourceChange, ImportResourceState and ReadDataSource fail.
//
// The same source is reused for other providers that the proxy refuses (see
// ../toolchain.sh): the staged schema.json and the -X main.label flag decide
// what it claims to be.
package main

import (
	"context"
	_ "embed"
	"encoding/json"
	"fmt"
	"os"
	"regexp"
	"sort"
	"strings"

	"github.com/hashicorp/terraform-plugin-go/tfprotov6"
	"github.com/hashicorp/terraform-plugin-go/tfprotov6/tf6server"
	"github.com/hashicorp/terraform-plugin-go/tftypes"
)

//go:embed schema.json
var schemaJSON []byte

// Set with -ldflags "-X main.address=... -X main.label=...".
var (
	address = "registry.terraform.io/runpod/runpod"
	label   = "runpod/runpod 2.0.0 schema stand-in (inferred schema)"
)

func notSupported() string {
	return label + ": the real provider could not be built here; this binary only validates and plans"
}

// ---- JSON shape of `terraform providers schema -json` ----

type jsonFile struct {
	FormatVersion   string                    `json:"format_version"`
	ProviderSchemas map[string]jsonProvSchema `json:"provider_schemas"`
}

type jsonProvSchema struct {
	Provider          *jsonSchema           `json:"provider"`
	ResourceSchemas   map[string]jsonSchema `json:"resource_schemas"`
	DataSourceSchemas map[string]jsonSchema `json:"data_source_schemas"`
}

type jsonSchema struct {
	Version int64     `json:"version"`
	Block   jsonBlock `json:"block"`
}

type jsonBlock struct {
	Attributes      map[string]jsonAttr      `json:"attributes"`
	BlockTypes      map[string]jsonBlockType `json:"block_types"`
	Description     string                   `json:"description"`
	DescriptionKind string                   `json:"description_kind"`
	Deprecated      bool                     `json:"deprecated"`
}

type jsonAttr struct {
	Type            json.RawMessage `json:"type"`
	NestedType      *jsonNested     `json:"nested_type"`
	Description     string          `json:"description"`
	DescriptionKind string          `json:"description_kind"`
	Required        bool            `json:"required"`
	Optional        bool            `json:"optional"`
	Computed        bool            `json:"computed"`
	Sensitive       bool            `json:"sensitive"`
	Deprecated      bool            `json:"deprecated"`
	WriteOnly       bool            `json:"write_only"`
}

type jsonNested struct {
	Attributes  map[string]jsonAttr `json:"attributes"`
	NestingMode string              `json:"nesting_mode"`
}

type jsonBlockType struct {
	NestingMode string    `json:"nesting_mode"`
	Block       jsonBlock `json:"block"`
	MinItems    int64     `json:"min_items"`
	MaxItems    int64     `json:"max_items"`
}

// ---- conversion to tfprotov6 ----

func kind(k string) tfprotov6.StringKind {
	if k == "markdown" {
		return tfprotov6.StringKindMarkdown
	}
	return tfprotov6.StringKindPlain
}

func sortedKeys[V any](m map[string]V) []string {
	keys := make([]string, 0, len(m))
	for k := range m {
		keys = append(keys, k)
	}
	sort.Strings(keys)
	return keys
}

func convAttr(name string, a jsonAttr) (*tfprotov6.SchemaAttribute, error) {
	out := &tfprotov6.SchemaAttribute{
		Name:            name,
		Description:     a.Description,
		DescriptionKind: kind(a.DescriptionKind),
		Required:        a.Required,
		Optional:        a.Optional,
		Computed:        a.Computed,
		Sensitive:       a.Sensitive,
		Deprecated:      a.Deprecated,
		WriteOnly:       a.WriteOnly,
	}
	if a.NestedType != nil {
		obj := &tfprotov6.SchemaObject{}
		switch a.NestedType.NestingMode {
		case "single":
			obj.Nesting = tfprotov6.SchemaObjectNestingModeSingle
		case "list":
			obj.Nesting = tfprotov6.SchemaObjectNestingModeList
		case "set":
			obj.Nesting = tfprotov6.SchemaObjectNestingModeSet
		case "map":
			obj.Nesting = tfprotov6.SchemaObjectNestingModeMap
		default:
			return nil, fmt.Errorf("attribute %s: unknown nesting_mode %q", name, a.NestedType.NestingMode)
		}
		for _, k := range sortedKeys(a.NestedType.Attributes) {
			na, err := convAttr(k, a.NestedType.Attributes[k])
			if err != nil {
				return nil, fmt.Errorf("%s.%w", name, err)
			}
			obj.Attributes = append(obj.Attributes, na)
		}
		out.NestedType = obj
		return out, nil
	}
	t, err := tftypes.ParseJSONType(a.Type) //nolint:staticcheck // exactly the JSON type syntax we need
	if err != nil {
		return nil, fmt.Errorf("attribute %s: %w", name, err)
	}
	out.Type = t
	return out, nil
}

func convBlock(b jsonBlock) (*tfprotov6.SchemaBlock, error) {
	out := &tfprotov6.SchemaBlock{
		Description:     b.Description,
		DescriptionKind: kind(b.DescriptionKind),
		Deprecated:      b.Deprecated,
	}
	for _, k := range sortedKeys(b.Attributes) {
		a, err := convAttr(k, b.Attributes[k])
		if err != nil {
			return nil, err
		}
		out.Attributes = append(out.Attributes, a)
	}
	for _, k := range sortedKeys(b.BlockTypes) {
		bt := b.BlockTypes[k]
		nb, err := convBlock(bt.Block)
		if err != nil {
			return nil, fmt.Errorf("block %s: %w", k, err)
		}
		nbt := &tfprotov6.SchemaNestedBlock{TypeName: k, Block: nb, MinItems: bt.MinItems, MaxItems: bt.MaxItems}
		switch bt.NestingMode {
		case "single":
			nbt.Nesting = tfprotov6.SchemaNestedBlockNestingModeSingle
		case "group":
			nbt.Nesting = tfprotov6.SchemaNestedBlockNestingModeGroup
		case "list":
			nbt.Nesting = tfprotov6.SchemaNestedBlockNestingModeList
		case "set":
			nbt.Nesting = tfprotov6.SchemaNestedBlockNestingModeSet
		case "map":
			nbt.Nesting = tfprotov6.SchemaNestedBlockNestingModeMap
		default:
			return nil, fmt.Errorf("block %s: unknown nesting_mode %q", k, bt.NestingMode)
		}
		out.BlockTypes = append(out.BlockTypes, nbt)
	}
	return out, nil
}

func convSchema(s jsonSchema) (*tfprotov6.Schema, error) {
	b, err := convBlock(s.Block)
	if err != nil {
		return nil, err
	}
	return &tfprotov6.Schema{Version: s.Version, Block: b}, nil
}

// ---- server ----

type resourceInfo struct {
	schema   *tfprotov6.Schema
	typ      tftypes.Type
	computed map[string]bool // top-level computed attributes
	replace  map[string]bool // top-level attributes whose change replaces
}

type server struct {
	providerSchema *tfprotov6.Schema
	resources      map[string]*resourceInfo
	dataSources    map[string]*tfprotov6.Schema
}

var (
	replaceAttrRe  = regexp.MustCompile(`(?i)replaces|forces replacement|requires replacement|to be replaced`)
	replaceBlockRe = regexp.MustCompile(`(?i)any change replaces`)
)

// schemaDocument returns the schema to serve and where it came from: the file named by
// AVATAR_STANDIN_SCHEMA_<TYPE> when that is set, else the embedded schema.json.
func schemaDocument() ([]byte, string, error) {
	variable := "AVATAR_STANDIN_SCHEMA_" + strings.ToUpper(address[strings.LastIndex(address, "/")+1:])
	file := os.Getenv(variable)
	if file == "" {
		return schemaJSON, "embedded schema.json", nil
	}
	document, err := os.ReadFile(file)
	if err != nil {
		return nil, "", fmt.Errorf("%s: %w", variable, err)
	}
	return document, file + " (from " + variable + ")", nil
}

func newServer() (*server, error) {
	document, source, err := schemaDocument()
	if err != nil {
		return nil, err
	}
	var f jsonFile
	if err := json.Unmarshal(document, &f); err != nil {
		return nil, fmt.Errorf("%s: %w", source, err)
	}
	ps, ok := f.ProviderSchemas[address]
	if !ok {
		return nil, fmt.Errorf("%s has no provider_schemas[%q]", source, address)
	}
	s := &server{resources: map[string]*resourceInfo{}, dataSources: map[string]*tfprotov6.Schema{}}
	prov := jsonSchema{Block: jsonBlock{}}
	if ps.Provider != nil {
		prov = *ps.Provider
	}
	if s.providerSchema, err = convSchema(prov); err != nil {
		return nil, fmt.Errorf("provider schema: %w", err)
	}
	for name, js := range ps.ResourceSchemas {
		sc, err := convSchema(js)
		if err != nil {
			return nil, fmt.Errorf("resource %s: %w", name, err)
		}
		ri := &resourceInfo{schema: sc, typ: sc.ValueType(), computed: map[string]bool{}, replace: map[string]bool{}}
		allReplace := replaceBlockRe.MatchString(js.Block.Description)
		for an, a := range js.Block.Attributes {
			if a.Computed {
				ri.computed[an] = true
			}
			configurable := a.Required || a.Optional
			if configurable && (allReplace || replaceAttrRe.MatchString(a.Description)) {
				ri.replace[an] = true
			}
		}
		s.resources[name] = ri
	}
	for name, js := range ps.DataSourceSchemas {
		sc, err := convSchema(js)
		if err != nil {
			return nil, fmt.Errorf("data source %s: %w", name, err)
		}
		s.dataSources[name] = sc
	}
	return s, nil
}

func errDiag(summary, detail string) []*tfprotov6.Diagnostic {
	return []*tfprotov6.Diagnostic{{Severity: tfprotov6.DiagnosticSeverityError, Summary: summary, Detail: detail}}
}

func (s *server) resource(name string) (*resourceInfo, []*tfprotov6.Diagnostic) {
	ri, ok := s.resources[name]
	if !ok {
		return nil, errDiag("Unknown resource type", fmt.Sprintf("%s does not serve resource type %q", label, name))
	}
	return ri, nil
}

func (s *server) GetMetadata(context.Context, *tfprotov6.GetMetadataRequest) (*tfprotov6.GetMetadataResponse, error) {
	resp := &tfprotov6.GetMetadataResponse{ServerCapabilities: &tfprotov6.ServerCapabilities{}}
	for _, k := range sortedKeys(s.resources) {
		resp.Resources = append(resp.Resources, tfprotov6.ResourceMetadata{TypeName: k})
	}
	for _, k := range sortedKeys(s.dataSources) {
		resp.DataSources = append(resp.DataSources, tfprotov6.DataSourceMetadata{TypeName: k})
	}
	return resp, nil
}

func (s *server) GetProviderSchema(context.Context, *tfprotov6.GetProviderSchemaRequest) (*tfprotov6.GetProviderSchemaResponse, error) {
	resp := &tfprotov6.GetProviderSchemaResponse{
		ServerCapabilities: &tfprotov6.ServerCapabilities{},
		Provider:           s.providerSchema,
		ResourceSchemas:    map[string]*tfprotov6.Schema{},
		DataSourceSchemas:  map[string]*tfprotov6.Schema{},
	}
	for k, ri := range s.resources {
		resp.ResourceSchemas[k] = ri.schema
	}
	for k, sc := range s.dataSources {
		resp.DataSourceSchemas[k] = sc
	}
	return resp, nil
}

func (s *server) GetResourceIdentitySchemas(context.Context, *tfprotov6.GetResourceIdentitySchemasRequest) (*tfprotov6.GetResourceIdentitySchemasResponse, error) {
	return &tfprotov6.GetResourceIdentitySchemasResponse{}, nil
}

func (s *server) ValidateProviderConfig(_ context.Context, req *tfprotov6.ValidateProviderConfigRequest) (*tfprotov6.ValidateProviderConfigResponse, error) {
	return &tfprotov6.ValidateProviderConfigResponse{PreparedConfig: req.Config}, nil
}

func (s *server) ConfigureProvider(context.Context, *tfprotov6.ConfigureProviderRequest) (*tfprotov6.ConfigureProviderResponse, error) {
	return &tfprotov6.ConfigureProviderResponse{}, nil
}

func (s *server) StopProvider(context.Context, *tfprotov6.StopProviderRequest) (*tfprotov6.StopProviderResponse, error) {
	return &tfprotov6.StopProviderResponse{}, nil
}

// ValidateResourceConfig leaves names, types and required arguments to Terraform (which checks
// them against the schema) and only adds what real providers add on top: a value for a
// computed-only (read-only) attribute is an error, as in terraform-plugin-framework.
func (s *server) ValidateResourceConfig(_ context.Context, req *tfprotov6.ValidateResourceConfigRequest) (*tfprotov6.ValidateResourceConfigResponse, error) {
	ri, d := s.resource(req.TypeName)
	if d != nil {
		return &tfprotov6.ValidateResourceConfigResponse{Diagnostics: d}, nil
	}
	config, err := unmarshal(req.Config, ri.typ)
	if err != nil || config.IsNull() || !config.IsKnown() {
		return &tfprotov6.ValidateResourceConfigResponse{}, nil
	}
	var attrs map[string]tftypes.Value
	if err := config.As(&attrs); err != nil {
		return &tfprotov6.ValidateResourceConfigResponse{}, nil
	}
	resp := &tfprotov6.ValidateResourceConfigResponse{}
	for _, a := range ri.schema.Block.Attributes {
		if !a.Computed || a.Optional || a.Required {
			continue
		}
		if v, ok := attrs[a.Name]; ok && !v.IsNull() {
			resp.Diagnostics = append(resp.Diagnostics, &tfprotov6.Diagnostic{
				Severity:  tfprotov6.DiagnosticSeverityError,
				Summary:   "Invalid Configuration for Read-Only Attribute",
				Detail:    fmt.Sprintf("Cannot set value for this attribute as the provider has marked it as read-only. Remove the configuration line setting the value.\n\nRefer to the provider documentation or contact the provider developers for additional information about configurable and read-only attributes that are supported. (%s)", label),
				Attribute: tftypes.NewAttributePath().WithAttributeName(a.Name),
			})
		}
	}
	return resp, nil
}

func (s *server) UpgradeResourceState(_ context.Context, req *tfprotov6.UpgradeResourceStateRequest) (*tfprotov6.UpgradeResourceStateResponse, error) {
	ri, d := s.resource(req.TypeName)
	if d != nil {
		return &tfprotov6.UpgradeResourceStateResponse{Diagnostics: d}, nil
	}
	if req.RawState == nil {
		return &tfprotov6.UpgradeResourceStateResponse{}, nil
	}
	v, err := req.RawState.UnmarshalWithOpts(ri.typ, tfprotov6.UnmarshalOpts{ValueFromJSONOpts: tftypes.ValueFromJSONOpts{IgnoreUndefinedAttributes: true}})
	if err != nil {
		return &tfprotov6.UpgradeResourceStateResponse{Diagnostics: errDiag("Cannot read prior state", err.Error())}, nil
	}
	dv, err := tfprotov6.NewDynamicValue(ri.typ, v)
	if err != nil {
		return &tfprotov6.UpgradeResourceStateResponse{Diagnostics: errDiag("Cannot encode state", err.Error())}, nil
	}
	return &tfprotov6.UpgradeResourceStateResponse{UpgradedState: &dv}, nil
}

func (s *server) ReadResource(_ context.Context, req *tfprotov6.ReadResourceRequest) (*tfprotov6.ReadResourceResponse, error) {
	return &tfprotov6.ReadResourceResponse{NewState: req.CurrentState, Private: req.Private}, nil
}

func unmarshal(dv *tfprotov6.DynamicValue, t tftypes.Type) (tftypes.Value, error) {
	if dv == nil {
		return tftypes.NewValue(t, nil), nil
	}
	return dv.Unmarshal(t)
}

func (s *server) PlanResourceChange(_ context.Context, req *tfprotov6.PlanResourceChangeRequest) (*tfprotov6.PlanResourceChangeResponse, error) {
	ri, d := s.resource(req.TypeName)
	if d != nil {
		return &tfprotov6.PlanResourceChangeResponse{Diagnostics: d}, nil
	}
	fail := func(what string, err error) (*tfprotov6.PlanResourceChangeResponse, error) {
		return &tfprotov6.PlanResourceChangeResponse{Diagnostics: errDiag(label+": "+what, err.Error())}, nil
	}
	proposed, err := unmarshal(req.ProposedNewState, ri.typ)
	if err != nil {
		return fail("cannot decode proposed new state", err)
	}
	if proposed.IsNull() { // destroy
		return &tfprotov6.PlanResourceChangeResponse{PlannedState: req.ProposedNewState}, nil
	}
	prior, err := unmarshal(req.PriorState, ri.typ)
	if err != nil {
		return fail("cannot decode prior state", err)
	}
	config, err := unmarshal(req.Config, ri.typ)
	if err != nil {
		return fail("cannot decode config", err)
	}
	var propAttrs, priorAttrs, cfgAttrs map[string]tftypes.Value
	if err := proposed.As(&propAttrs); err != nil {
		return fail("proposed new state is not an object", err)
	}
	if err := config.As(&cfgAttrs); err != nil {
		return fail("config is not an object", err)
	}
	create := prior.IsNull()
	if !create {
		if err := prior.As(&priorAttrs); err != nil {
			return fail("prior state is not an object", err)
		}
	}
	objType := ri.typ.(tftypes.Object)
	planned := make(map[string]tftypes.Value, len(propAttrs))
	resp := &tfprotov6.PlanResourceChangeResponse{}
	for name, v := range propAttrs {
		cfgNull := true
		if cv, ok := cfgAttrs[name]; ok {
			cfgNull = cv.IsNull()
		}
		if ri.computed[name] && cfgNull {
			if create {
				v = tftypes.NewValue(objType.AttributeTypes[name], tftypes.UnknownValue)
			} else if pv, ok := priorAttrs[name]; ok {
				v = pv // keep the prior value of a computed attribute
			}
		}
		planned[name] = v
		if !create && ri.replace[name] {
			if pv, ok := priorAttrs[name]; ok && !pv.Equal(v) {
				resp.RequiresReplace = append(resp.RequiresReplace, tftypes.NewAttributePath().WithAttributeName(name))
			}
		}
	}
	dv, err := tfprotov6.NewDynamicValue(ri.typ, tftypes.NewValue(ri.typ, planned))
	if err != nil {
		return fail("cannot encode planned state", err)
	}
	resp.PlannedState = &dv
	return resp, nil
}

func (s *server) ApplyResourceChange(context.Context, *tfprotov6.ApplyResourceChangeRequest) (*tfprotov6.ApplyResourceChangeResponse, error) {
	return &tfprotov6.ApplyResourceChangeResponse{Diagnostics: errDiag(notSupported(), "apply is not implemented by the schema stand-in")}, nil
}

func (s *server) ImportResourceState(context.Context, *tfprotov6.ImportResourceStateRequest) (*tfprotov6.ImportResourceStateResponse, error) {
	return &tfprotov6.ImportResourceStateResponse{Diagnostics: errDiag(notSupported(), "import is not implemented by the schema stand-in")}, nil
}

func (s *server) MoveResourceState(context.Context, *tfprotov6.MoveResourceStateRequest) (*tfprotov6.MoveResourceStateResponse, error) {
	return &tfprotov6.MoveResourceStateResponse{Diagnostics: errDiag(notSupported(), "moved blocks across resource types are not implemented by the schema stand-in")}, nil
}

func (s *server) UpgradeResourceIdentity(context.Context, *tfprotov6.UpgradeResourceIdentityRequest) (*tfprotov6.UpgradeResourceIdentityResponse, error) {
	return &tfprotov6.UpgradeResourceIdentityResponse{Diagnostics: errDiag(notSupported(), "resource identity is not implemented by the schema stand-in")}, nil
}

func (s *server) GenerateResourceConfig(context.Context, *tfprotov6.GenerateResourceConfigRequest) (*tfprotov6.GenerateResourceConfigResponse, error) {
	return &tfprotov6.GenerateResourceConfigResponse{Diagnostics: errDiag(notSupported(), "config generation is not implemented by the schema stand-in")}, nil
}

func (s *server) ValidateDataResourceConfig(context.Context, *tfprotov6.ValidateDataResourceConfigRequest) (*tfprotov6.ValidateDataResourceConfigResponse, error) {
	return &tfprotov6.ValidateDataResourceConfigResponse{}, nil
}

func (s *server) ReadDataSource(context.Context, *tfprotov6.ReadDataSourceRequest) (*tfprotov6.ReadDataSourceResponse, error) {
	return &tfprotov6.ReadDataSourceResponse{Diagnostics: errDiag(notSupported(), "data sources are not implemented by the schema stand-in")}, nil
}

func (s *server) CallFunction(context.Context, *tfprotov6.CallFunctionRequest) (*tfprotov6.CallFunctionResponse, error) {
	return &tfprotov6.CallFunctionResponse{Error: &tfprotov6.FunctionError{Text: notSupported()}}, nil
}

func (s *server) GetFunctions(context.Context, *tfprotov6.GetFunctionsRequest) (*tfprotov6.GetFunctionsResponse, error) {
	return &tfprotov6.GetFunctionsResponse{Functions: map[string]*tfprotov6.Function{}}, nil
}

func (s *server) ValidateEphemeralResourceConfig(context.Context, *tfprotov6.ValidateEphemeralResourceConfigRequest) (*tfprotov6.ValidateEphemeralResourceConfigResponse, error) {
	return &tfprotov6.ValidateEphemeralResourceConfigResponse{}, nil
}

func (s *server) OpenEphemeralResource(context.Context, *tfprotov6.OpenEphemeralResourceRequest) (*tfprotov6.OpenEphemeralResourceResponse, error) {
	return &tfprotov6.OpenEphemeralResourceResponse{Diagnostics: errDiag(notSupported(), "ephemeral resources are not implemented")}, nil
}

func (s *server) RenewEphemeralResource(context.Context, *tfprotov6.RenewEphemeralResourceRequest) (*tfprotov6.RenewEphemeralResourceResponse, error) {
	return &tfprotov6.RenewEphemeralResourceResponse{}, nil
}

func (s *server) CloseEphemeralResource(context.Context, *tfprotov6.CloseEphemeralResourceRequest) (*tfprotov6.CloseEphemeralResourceResponse, error) {
	return &tfprotov6.CloseEphemeralResourceResponse{}, nil
}

func main() {
	if len(os.Args) > 1 && (os.Args[1] == "--version" || os.Args[1] == "-version") {
		// Only for humans; Terraform never passes arguments.
		fmt.Fprintln(os.Stderr, label)
		return
	}
	s, err := newServer()
	if err != nil {
		fmt.Fprintln(os.Stderr, label+": "+err.Error())
		os.Exit(1)
	}
	name := strings.TrimPrefix(address, "registry.terraform.io/")
	if err := tf6server.Serve(address, func() tfprotov6.ProviderServer { return s }); err != nil {
		fmt.Fprintln(os.Stderr, name+": "+err.Error())
		os.Exit(1)
	}
}
