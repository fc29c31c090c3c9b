using System.Text.Json;
using System.Text.RegularExpressions;
using Lamina.Testing;

namespace Lamina.Chart.Tests;

/// <summary>values.yaml is documented key by key, and values.schema.json refuses what it does not know.</summary>
[Trait(TestTiers.Category, TestTiers.Unit)]
public sealed partial class ChartValuesTests
{
    [Theory]
    [InlineData("nonsense=1", "nonsense")]
    [InlineData("gateway.replica=3", "replica")]
    [InlineData("redis.persistence.sise=1Gi", "sise")]
    public async Task Template_UnknownKey_FailsNamingIt(string set, string key)
    {
        var result = await ChartRender.TryRenderAsync("--set", set);
        Assert.NotEqual(0, result.ExitCode);
        Assert.Contains(key, result.Stderr, StringComparison.Ordinal);
        Assert.Contains("schema", result.Stderr, StringComparison.OrdinalIgnoreCase);
    }

    [Theory]
    [InlineData("gateway.replicas=two", "replicas")]
    [InlineData("crds.keep=maybe", "keep")]
    [InlineData("operator.replicas=3", "replicas")]
    [InlineData("gateway.replicas=0", "replicas")]
    [InlineData("auth.mode=iam", "mode")]
    [InlineData("gateway.service.type=ExternalName", "type")]
    [InlineData("logFormat=xml", "logFormat")]
    [InlineData("aws.accountId=42", "accountId")]
    public async Task Template_WrongTypeOrValue_FailsNamingIt(string set, string key)
    {
        var result = await ChartRender.TryRenderAsync("--set", set);
        Assert.NotEqual(0, result.ExitCode);
        Assert.Contains(key, result.Stderr, StringComparison.Ordinal);
    }

    [Theory]
    [InlineData(new[] { "--set", "redis.enabled=false" }, "async.redis")]
    [InlineData(new[] { "--set", "auth.mode=none", "--set", "auth.accessKey.create=true" }, "auth.mode is none")]
    [InlineData(new[] { "--set", "operator.concurrency.poolSize=50" }, "unreservedMinimum")]
    public async Task Template_ContradictoryValues_FailWithAMessage(string[] args, string message)
    {
        var result = await ChartRender.TryRenderAsync(args);
        Assert.NotEqual(0, result.ExitCode);
        Assert.Contains(message, result.Stderr, StringComparison.Ordinal);
    }

    [Fact]
    public void Schema_EveryObjectWithProperties_RefusesOthers()
    {
        using var schema = JsonDocument.Parse(File.ReadAllText(Path.Combine(ChartRender.ChartPath, "values.schema.json")));
        Assert.Equal("http://json-schema.org/draft-07/schema#", schema.RootElement.GetProperty("$schema").GetString());
        var checkedObjects = 0;
        Walk(schema.RootElement, "$");
        Assert.True(checkedObjects > 30, $"only {checkedObjects} objects in the schema");

        void Walk(JsonElement node, string path)
        {
            if (node.ValueKind == JsonValueKind.Object)
            {
                if (node.TryGetProperty("properties", out var properties) && properties.ValueKind == JsonValueKind.Object)
                {
                    checkedObjects++;
                    Assert.True(
                        node.TryGetProperty("additionalProperties", out var additional) && additional.ValueKind == JsonValueKind.False,
                        $"{path} has properties but no additionalProperties: false");
                }

                foreach (var property in node.EnumerateObject())
                {
                    Walk(property.Value, $"{path}.{property.Name}");
                }
            }
            else if (node.ValueKind == JsonValueKind.Array)
            {
                foreach (var item in node.EnumerateArray())
                {
                    Walk(item, path + "[]");
                }
            }
        }
    }

    [Fact]
    public void Values_EveryKey_HasACommentAbove()
    {
        // Keys under resources: are Kubernetes' ResourceRequirements, documented by the comment on resources.
        var lines = File.ReadAllLines(Path.Combine(ChartRender.ChartPath, "values.yaml"));
        var stack = new List<(int Indent, string Key)>();
        var undocumented = new List<string>();
        var keys = 0;
        for (var i = 0; i < lines.Length; i++)
        {
            var match = KeyLine().Match(lines[i]);
            if (!match.Success)
            {
                continue;
            }

            var indent = match.Groups[1].Length;
            stack.RemoveAll(s => s.Indent >= indent);
            var path = string.Join('.', stack.Select(s => s.Key).Append(match.Groups[2].Value));
            stack.Add((indent, match.Groups[2].Value));
            if (stack.Take(stack.Count - 1).Any(s => s.Key == "resources"))
            {
                continue;
            }

            keys++;
            if (i == 0 || !lines[i - 1].TrimStart().StartsWith('#'))
            {
                undocumented.Add($"line {i + 1}: {path}");
            }
        }

        Assert.True(keys > 100, $"only {keys} keys found");
        Assert.True(undocumented.Count == 0, "keys without a comment above them:\n" + string.Join('\n', undocumented));
    }

    [Fact]
    public async Task Chart_Metadata_AsAgreed()
    {
        var chart = ChartRender.Parse(await File.ReadAllTextAsync(Path.Combine(ChartRender.ChartPath, "Chart.yaml"))).Single().Root;
        Assert.Equal("v2", Yaml.Str(chart, "apiVersion"));
        Assert.Equal("lamina", Yaml.Str(chart, "name"));
        Assert.Equal("0.1.0", Yaml.Str(chart, "version"));
        Assert.Equal("dev", Yaml.Str(chart, "appVersion"));
        Assert.Equal(">=1.20.0-0", Yaml.Str(chart, "kubeVersion"));
    }

    [GeneratedRegex(@"^(\s*)([A-Za-z][A-Za-z0-9_]*):")]
    private static partial Regex KeyLine();
}
