using Lamina.Testing;
using Lamina.Tools.Crds;

namespace Lamina.Operator.Tests.Crds;

[Trait(TestTiers.Category, TestTiers.Unit)]
public sealed class CrdGeneratorTests
{
    [Fact]
    public void Render_CheckedInCrds_UpToDate()
    {
        var root = RepositoryLayout.Discover().Root;
        foreach (var (file, content) in CrdWriter.Render())
        {
            var path = Path.Combine(root, "crds", file);
            Assert.True(File.Exists(path), $"crds/{file} is missing: run `make generate`");
            Assert.True(File.ReadAllText(path) == content, $"crds/{file} is out of date: run `make generate` and commit the result");
        }
    }

    [Fact]
    public void Function_ListMapKeys_AreRequiredInTheirItems()
    {
        // Newer API servers reject a map-list whose key may be absent.
        foreach (var (path, schema) in Schemas(Spec()))
        {
            if (schema.TryGetValue("x-kubernetes-list-map-keys", out var keys))
            {
                var items = (Dictionary<string, object?>)schema["items"]!;
                var required = (List<object?>)items["required"]!;
                Assert.All((List<object?>)keys!, key => Assert.Contains(key, required));
                Assert.True(required.Count > 0, path);
            }
        }
    }

    [Fact]
    public void Function_Defaults_ValidAgainstTheirSchema()
    {
        // Newer API servers validate defaults; 1.20 does not, so check here.
        var checkedDefaults = 0;
        foreach (var (path, schema) in Schemas(Spec()))
        {
            if (!schema.TryGetValue("default", out var value))
            {
                continue;
            }

            checkedDefaults++;
            switch (schema["type"])
            {
                case "integer":
                    var number = Assert.IsType<long>(value);
                    Assert.True(!schema.TryGetValue("minimum", out var min) || number >= (long)min!, $"{path}: default below minimum");
                    Assert.True(!schema.TryGetValue("maximum", out var max) || number <= (long)max!, $"{path}: default above maximum");
                    break;
                case "object":
                    Assert.IsType<Dictionary<string, object?>>(value);
                    break;
                case "array":
                    Assert.IsType<List<object?>>(value);
                    break;
                default:
                    Assert.Fail($"{path}: unexpected default of type {schema["type"]}");
                    break;
            }
        }

        Assert.True(checkedDefaults >= 8, $"only {checkedDefaults} defaults found");
    }

    [Fact]
    public void Function_PrinterColumns_AsSpecified()
    {
        var version = Version();
        var columns = ((List<object?>)version["additionalPrinterColumns"]!).Cast<Dictionary<string, object?>>();

        Assert.Equal(
            ["Ready", "Reason", "Reserved", "Desired", "Environments", "Busy", "Provisioned", "Age", "PC-Requested", "Replicas"],
            columns.Select(c => (string)c["name"]!));
        // The spec's provisioned figure and the pod count only with -o wide.
        Assert.Equal(["PC-Requested", "Replicas"], columns.Where(c => c.ContainsKey("priority")).Select(c => (string)c["name"]!));
        Assert.Contains("status", (Dictionary<string, object?>)version["subresources"]!);
    }

    [Fact]
    public void Function_ImageOrCode_OneOfWithRequiredOnlyBranches()
    {
        var spec = Property(Spec(), "spec");
        var code = Property(spec, "code");

        Assert.Equal([["image"], ["code"]], Branches(spec));
        Assert.Equal([["zip"], ["configMap"]], Branches(code));
        // Structural schemas (1.20) allow only value validations in a oneOf: each branch is required and nothing else.
        Assert.All(((List<object?>)spec["oneOf"]!).Concat((List<object?>)code["oneOf"]!), b => Assert.Equal(["required"], ((Dictionary<string, object?>)b!).Keys));
        Assert.DoesNotContain("required", spec.Keys);
    }

    [Fact]
    public void Function_Layers_MaxItemsFiveAndDigestPattern()
    {
        var layers = Property(Property(Spec(), "spec"), "layers");

        Assert.Equal(5, layers["maxItems"]);
        var items = (Dictionary<string, object?>)layers["items"]!;
        Assert.Equal(["sha256", "size"], (List<object?>)items["required"]!);
        Assert.Equal("^[0-9a-f]{64}$", Property(items, "sha256")["pattern"]);
    }

    private static Dictionary<string, object?> Property(Dictionary<string, object?> schema, string name) =>
        (Dictionary<string, object?>)((Dictionary<string, object?>)schema["properties"]!)[name]!;

    private static List<List<object?>> Branches(Dictionary<string, object?> schema) =>
        [.. ((List<object?>)schema["oneOf"]!).Select(b => (List<object?>)((Dictionary<string, object?>)b!)["required"]!)];

    private static Dictionary<string, object?> Version() =>
        (Dictionary<string, object?>)((List<object?>)((Dictionary<string, object?>)CrdGenerator.Function()["spec"]!)["versions"]!)[0]!;

    private static Dictionary<string, object?> Spec() =>
        (Dictionary<string, object?>)((Dictionary<string, object?>)Version()["schema"]!)["openAPIV3Schema"]!;

    private static IEnumerable<(string Path, Dictionary<string, object?> Schema)> Schemas(Dictionary<string, object?> schema, string path = "")
    {
        yield return (path, schema);
        if (schema.TryGetValue("properties", out var properties))
        {
            foreach (var (name, child) in (Dictionary<string, object?>)properties!)
            {
                foreach (var nested in Schemas((Dictionary<string, object?>)child!, $"{path}.{name}"))
                {
                    yield return nested;
                }
            }
        }

        if (schema.TryGetValue("items", out var items))
        {
            foreach (var nested in Schemas((Dictionary<string, object?>)items!, path + "[]"))
            {
                yield return nested;
            }
        }
    }
}
