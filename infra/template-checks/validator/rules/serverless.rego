# Rules for AWS::Serverless::* resources, which the bundled cfn-lint rules and resource schemas do not check.
# Input: the engine's resolved model (input.resources[<logicalId>] with resourceType and properties; Globals
# are already merged into each resource's properties, parameters resolved to their defaults).
package phoneagent.serverless

import rego.v1

# AWS::Serverless::Function properties (SAM specification).
_function_properties := {
	"Architectures", "AssumeRolePolicyDocument", "AutoPublishAlias", "AutoPublishAliasAllProperties",
	"AutoPublishCodeSha256", "CapacityProviderConfig", "CodeSigningConfigArn", "CodeUri", "DeadLetterQueue",
	"DeploymentPreference", "Description", "DurableConfig", "Environment", "EphemeralStorage", "EventInvokeConfig",
	"Events", "FileSystemConfigs", "FunctionName", "FunctionScalingConfig", "FunctionUrlConfig", "Handler",
	"ImageConfig", "ImageUri", "InlineCode", "KmsKeyArn", "Layers", "LoggingConfig", "MemorySize", "PackageType",
	"PermissionsBoundary", "Policies", "PropagateTags", "ProvisionedConcurrencyConfig", "PublishToLatestPublished",
	"RecursiveLoop", "ReservedConcurrentExecutions", "Role", "RolePath", "Runtime", "RuntimeManagementConfig",
	"SnapStart", "SourceKMSKeyArn", "Tags", "TenancyConfig", "Timeout", "Tracing", "VersionDeletionPolicy",
	"VersionDescription", "VpcConfig",
}

# AWS::Serverless::HttpApi properties (SAM specification).
_http_api_properties := {
	"AccessLogSettings", "Auth", "CorsConfiguration", "DefaultRouteSettings", "DefinitionBody", "DefinitionUri",
	"Description", "DisableExecuteApiEndpoint", "Domain", "FailOnWarnings", "Name", "PropagateTags",
	"RouteSettings", "StageName", "StageVariables", "Tags",
}

# Properties of a function event of Type HttpApi.
_http_api_event_properties := {
	"ApiId", "Auth", "Method", "Path", "PayloadFormatVersion", "RouteSettings", "TimeoutInMillis",
}

_functions contains name if {
	some name, res in input.resources
	res.resourceType == "AWS::Serverless::Function"
}

_http_apis contains name if {
	some name, res in input.resources
	res.resourceType == "AWS::Serverless::HttpApi"
}

_props(name) := object.get(input.resources[name], "properties", {})

_shown(props, key) := sprintf("%v", [props[key]]) if {
	props[key]
} else := "nothing"

violation contains {
	"rule_id": "PA1001", "severity": "ERROR", "resource_id": name,
	"resource_path": sprintf("Properties.%s", [prop]),
	"message": sprintf("AWS::Serverless::Function '%s' has unknown property '%s'", [name, prop]),
} if {
	some name in _functions
	some prop in object.keys(_props(name))
	not prop in _function_properties
}

violation contains {
	"rule_id": "PA1002", "severity": "ERROR", "resource_id": name,
	"resource_path": sprintf("Properties.%s", [prop]),
	"message": sprintf("AWS::Serverless::HttpApi '%s' has unknown property '%s'", [name, prop]),
} if {
	some name in _http_apis
	some prop in object.keys(_props(name))
	not prop in _http_api_properties
}

violation contains {
	"rule_id": "PA1003", "severity": "ERROR", "resource_id": name, "resource_path": "Properties.Runtime",
	"message": sprintf("Function '%s' must use Runtime java25, not %s", [name, _shown(_props(name), "Runtime")]),
} if {
	some name in _functions
	not _props(name).Runtime == "java25"
}

violation contains {
	"rule_id": "PA1004", "severity": "ERROR", "resource_id": name, "resource_path": "Properties.Architectures",
	"message": sprintf("Function '%s' must set Architectures [arm64], not %s", [name, _shown(_props(name), "Architectures")]),
} if {
	some name in _functions
	not _props(name).Architectures == ["arm64"]
}

violation contains {
	"rule_id": "PA1005", "severity": "ERROR", "resource_id": name, "resource_path": "Properties.SnapStart",
	"message": sprintf("Function '%s' must set SnapStart ApplyOn PublishedVersions, not %s", [name, _shown(_props(name), "SnapStart")]),
} if {
	some name in _functions
	not _props(name).SnapStart.ApplyOn == "PublishedVersions"
}

violation contains {
	"rule_id": "PA1006", "severity": "ERROR", "resource_id": name, "resource_path": "Properties.AutoPublishAlias",
	"message": sprintf("Function '%s' needs AutoPublishAlias: SnapStart only applies to published versions, so callers must invoke an alias", [name]),
} if {
	some name in _functions
	not _has_alias(name)
}

_has_alias(name) if {
	alias := _props(name).AutoPublishAlias
	is_string(alias)
	alias != ""
}

violation contains {
	"rule_id": "PA1007", "severity": "ERROR", "resource_id": name,
	"resource_path": sprintf("Properties.Events.%s.Properties.%s", [event, prop]),
	"message": sprintf("HttpApi event '%s' of function '%s' has unknown property '%s'", [event, name, prop]),
} if {
	some name in _functions
	some event, spec in object.get(_props(name), "Events", {})
	spec.Type == "HttpApi"
	some prop in object.keys(object.get(spec, "Properties", {}))
	not prop in _http_api_event_properties
}

violation contains {
	"rule_id": "PA1008", "severity": "ERROR", "resource_id": name,
	"resource_path": sprintf("Properties.Events.%s.Properties.PayloadFormatVersion", [event]),
	"message": sprintf("HttpApi event '%s' of function '%s' must use PayloadFormatVersion '2.0' (the handlers take APIGatewayV2HTTPEvent)", [event, name]),
} if {
	some name in _functions
	some event, spec in object.get(_props(name), "Events", {})
	spec.Type == "HttpApi"
	not spec.Properties.PayloadFormatVersion == "2.0"
}

violation contains {
	"rule_id": "PA1009", "severity": "ERROR", "resource_id": name,
	"resource_path": sprintf("Properties.Events.%s.Properties.ApiId", [event]),
	"message": sprintf("HttpApi event '%s' of function '%s' needs ApiId (without it SAM creates a second, unconfigured API)", [event, name]),
} if {
	some name in _functions
	some event, spec in object.get(_props(name), "Events", {})
	spec.Type == "HttpApi"
	not spec.Properties.ApiId
}
