using System.Collections;
using System.Reflection;
using System.Text.Json;
using System.Text.Json.Serialization;
using Lamina.Kubernetes.Client;
using k8s;
using k8s.Models;
using Lamina.Operator.Api;

namespace Lamina.Tools.Crds;

/// <summary>
/// Builds a CustomResourceDefinition from the C# API types: the OpenAPI schema comes from the
/// properties (types, camelCase names) and the schema attributes (required, ranges, defaults,
/// patterns, docs). Reflection is fine here: this is a build-time tool, not the operator.
/// </summary>
internal static class CrdGenerator
{
    /// <summary>Required fields of the Kubernetes types the API embeds (they carry no attributes of ours).</summary>
    private static readonly Dictionary<Type, string[]> RequiredByType = new()
    {
        [typeof(V1EnvVar)] = ["name"],
        [typeof(V1ObjectFieldSelector)] = ["fieldPath"],
        [typeof(V1ResourceFieldSelector)] = ["resource"],
        [typeof(V1ConfigMapKeySelector)] = ["key"],
        [typeof(V1SecretKeySelector)] = ["key"],
        [typeof(V1Condition)] = ["type", "status"],
    };

    /// <summary>The Function CRD as an ordered tree of dictionaries, lists and scalars (ready for YAML).</summary>
    public static Dictionary<string, object?> Function() =>
        Build<Function>(
            singular: "function",
            shortNames: ["fn"],
            printerColumns:
            [
                Column("Ready", "string", """.status.conditions[?(@.type=="Ready")].status""", "Whether the function can be invoked (the Ready condition)."),
                // Why a Function is not ready (InvalidSpec, ConcurrencyPoolExceeded, CrashLoopBackOff, …) at a glance.
                Column("Reason", "string", """.status.conditions[?(@.type=="Ready")].reason""", "Why the function is or is not ready."),
                Column("Reserved", "integer", ".spec.concurrency.reserved", "Reserved concurrency: at most this many invocations at once."),
                // Environments, not the Ready condition: "Ready" is taken, and environments are what Lambda counts.
                Column("Desired", "integer", ".status.desiredEnvironments", "Execution environments the autoscaler wants, provisioned ones included."),
                Column("Environments", "integer", ".status.readyEnvironments", "Execution environments ready to take an invocation."),
                Column("Busy", "integer", ".status.busyEnvironments", "Execution environments running an invocation when the status was written."),
                // What is provisioned and ready, as Lambda's "available" provisioned concurrency; the spec's figure is in -o wide.
                Column("Provisioned", "integer", ".status.provisionedReady", "Provisioned-concurrency execution environments ready."),
                Column("Age", "date", ".metadata.creationTimestamp", "When the function was created."),
                Column("PC-Requested", "integer", ".spec.concurrency.provisioned", "Provisioned concurrency requested (spec.concurrency.provisioned).", priority: 1),
                Column("Replicas", "integer", ".status.replicas", "Pods that exist, on-demand and provisioned.", priority: 1),
            ]);

    private static Dictionary<string, object?> Build<T>(string singular, List<object?> shortNames, List<object?> printerColumns)
        where T : class, IKubernetesObject<V1ObjectMeta>
    {
        var resource = ResourceType.Of<T>();
        var root = SchemaOf(typeof(T));
        var properties = (Dictionary<string, object?>)root["properties"]!;
        // The API server owns these three: declare them and nothing more (newer servers reject more).
        properties["apiVersion"] = new Dictionary<string, object?> { ["type"] = "string" };
        properties["kind"] = new Dictionary<string, object?> { ["type"] = "string" };
        properties["metadata"] = new Dictionary<string, object?> { ["type"] = "object" };
        var ordered = new Dictionary<string, object?>();
        foreach (var key in new[] { "description", "type", "required" })
        {
            if (root.TryGetValue(key, out var value))
            {
                ordered[key] = value;
            }
        }

        ordered["properties"] = new Dictionary<string, object?>
        {
            ["apiVersion"] = properties["apiVersion"],
            ["kind"] = properties["kind"],
            ["metadata"] = properties["metadata"],
            ["spec"] = properties["spec"],
            ["status"] = properties["status"],
        };

        return new Dictionary<string, object?>
        {
            ["apiVersion"] = "apiextensions.k8s.io/v1",
            ["kind"] = "CustomResourceDefinition",
            ["metadata"] = new Dictionary<string, object?>
            {
                ["name"] = $"{resource.Plural}.{resource.Group}",
                ["labels"] = new Dictionary<string, object?> { ["app.kubernetes.io/part-of"] = "lamina" },
            },
            ["spec"] = new Dictionary<string, object?>
            {
                ["group"] = resource.Group,
                ["scope"] = "Namespaced", // every Lamina resource lives in a namespace
                ["names"] = new Dictionary<string, object?>
                {
                    ["plural"] = resource.Plural,
                    ["singular"] = singular,
                    ["kind"] = resource.Kind,
                    ["listKind"] = resource.Kind + "List",
                    ["shortNames"] = shortNames,
                    ["categories"] = new List<object?> { "lamina" },
                },
                ["versions"] = new List<object?>
                {
                    new Dictionary<string, object?>
                    {
                        ["name"] = resource.Version,
                        ["served"] = true,
                        ["storage"] = true,
                        ["subresources"] = new Dictionary<string, object?> { ["status"] = new Dictionary<string, object?>() },
                        ["additionalPrinterColumns"] = printerColumns,
                        ["schema"] = new Dictionary<string, object?> { ["openAPIV3Schema"] = ordered },
                    },
                },
            },
        };
    }

    /// <summary>A <c>kubectl get</c> column; <paramref name="priority"/> 1 shows it only with <c>-o wide</c>.</summary>
    private static Dictionary<string, object?> Column(string name, string type, string jsonPath, string description, int priority = 0)
    {
        var column = new Dictionary<string, object?> { ["name"] = name, ["type"] = type, ["jsonPath"] = jsonPath, ["description"] = description };
        if (priority != 0)
        {
            column["priority"] = priority;
        }

        return column;
    }

    private static Dictionary<string, object?> SchemaOf(Type type)
    {
        type = Nullable.GetUnderlyingType(type) ?? type;
        if (type == typeof(string))
        {
            return new() { ["type"] = "string" };
        }

        if (type == typeof(int))
        {
            return new() { ["type"] = "integer", ["format"] = "int32" };
        }

        if (type == typeof(long))
        {
            return new() { ["type"] = "integer", ["format"] = "int64" };
        }

        if (type == typeof(bool))
        {
            return new() { ["type"] = "boolean" };
        }

        if (type == typeof(DateTimeOffset) || type == typeof(DateTime))
        {
            return new() { ["type"] = "string", ["format"] = "date-time" };
        }

        if (type == typeof(IntOrString))
        {
            return new() { ["x-kubernetes-int-or-string"] = true };
        }

        if (type.IsGenericType && type.GetGenericTypeDefinition() == typeof(IDictionary<,>))
        {
            return new() { ["type"] = "object", ["additionalProperties"] = SchemaOf(type.GetGenericArguments()[1]) };
        }

        if (type.IsGenericType && typeof(IEnumerable).IsAssignableFrom(type))
        {
            return new() { ["type"] = "array", ["items"] = SchemaOf(type.GetGenericArguments()[0]) };
        }

        return ObjectSchema(type);
    }

    private static Dictionary<string, object?> ObjectSchema(Type type)
    {
        var schema = new Dictionary<string, object?>();
        if (type.GetCustomAttribute<DocAttribute>() is { } typeDoc)
        {
            schema["description"] = typeDoc.Text;
        }

        schema["type"] = "object";
        var required = new List<object?>(RequiredByType.GetValueOrDefault(type) ?? []);
        var properties = new Dictionary<string, object?>();
        foreach (var property in type.GetProperties(BindingFlags.Instance | BindingFlags.Public))
        {
            // Type and object metadata belong to the API server; unknown fields are not schema.
            if (property.GetCustomAttribute<JsonExtensionDataAttribute>() is not null
                || typeof(IKubernetesObject).IsAssignableFrom(type) && property.Name is nameof(IKubernetesObject.ApiVersion) or nameof(IKubernetesObject.Kind) or "Metadata")
            {
                continue;
            }

            var name = property.GetCustomAttribute<JsonPropertyNameAttribute>()?.Name ?? JsonNamingPolicy.CamelCase.ConvertName(property.Name);
            properties[name] = PropertySchema(type, property);
            if (property.GetCustomAttribute<RequiredFieldAttribute>() is not null)
            {
                required.Add(name);
            }
        }

        if (required.Count > 0)
        {
            schema["required"] = required;
        }

        schema["properties"] = properties;
        // Exactly one branch's fields present. Structural schemas allow only value validations in a
        // oneOf, so each branch is a bare required list, and every field it names is a property above.
        var branches = type.GetCustomAttributes<OneOfRequiredAttribute>().ToList();
        if (branches.Count > 0)
        {
            foreach (var field in branches.SelectMany(b => b.Fields))
            {
                if (!properties.ContainsKey(field))
                {
                    throw new InvalidOperationException($"{type.Name}: the oneOf branch field {field} is not one of its properties");
                }
            }

            schema["oneOf"] = branches
                .Select(b => (object?)new Dictionary<string, object?> { ["required"] = b.Fields.Cast<object?>().ToList() })
                .ToList();
        }

        return schema;
    }

    private static Dictionary<string, object?> PropertySchema(Type owner, PropertyInfo property)
    {
        var schema = SchemaOf(property.PropertyType);
        if (owner == typeof(V1ResourceFieldSelector) && property.Name == nameof(V1ResourceFieldSelector.Divisor))
        {
            schema = new() { ["x-kubernetes-int-or-string"] = true }; // a Kubernetes quantity: 1 or "1Mi"
        }

        var ordered = new Dictionary<string, object?>();
        if (property.GetCustomAttribute<DocAttribute>() is { } doc)
        {
            ordered["description"] = doc.Text;
        }

        foreach (var (key, value) in schema)
        {
            if (key != "description")
            {
                ordered[key] = value;
            }
        }

        if (property.GetCustomAttribute<RangeAttribute>() is { } range)
        {
            ordered["minimum"] = range.Minimum;
            if (range.Maximum != long.MaxValue)
            {
                ordered["maximum"] = range.Maximum;
            }
        }

        if (property.GetCustomAttribute<TextAttribute>() is { } text)
        {
            if (text.MinLength > 0)
            {
                ordered["minLength"] = text.MinLength;
            }

            if (text.MaxLength > 0)
            {
                ordered["maxLength"] = text.MaxLength;
            }

            if (text.Pattern is not null)
            {
                ordered["pattern"] = text.Pattern;
            }
        }

        if (property.GetCustomAttribute<MaxItemsAttribute>() is { } maxItems)
        {
            ordered["maxItems"] = maxItems.Maximum;
        }

        if (property.GetCustomAttribute<ListMapKeyAttribute>() is { } listMap)
        {
            ordered["x-kubernetes-list-type"] = "map";
            ordered["x-kubernetes-list-map-keys"] = new List<object?> { listMap.Key };
        }

        if (property.GetCustomAttribute<DefaultValueAttribute>() is { } defaultValue)
        {
            ordered["default"] = FromJson(JsonDocument.Parse(defaultValue.Json).RootElement);
        }

        return ordered;
    }

    private static object? FromJson(JsonElement element) => element.ValueKind switch
    {
        JsonValueKind.Object => element.EnumerateObject().ToDictionary(p => p.Name, p => FromJson(p.Value)),
        JsonValueKind.Array => element.EnumerateArray().Select(FromJson).ToList(),
        JsonValueKind.String => element.GetString(),
        JsonValueKind.Number => element.GetInt64(),
        JsonValueKind.True => true,
        JsonValueKind.False => false,
        _ => null,
    };
}
