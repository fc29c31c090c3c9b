using Lamina.Gateway.ConcurrencyClient;
using Lamina.Gateway.Hosting;
using Lamina.Gateway.Worker;
using Lamina.Kubernetes.Access;
using Lamina.Operator.Hosting;
using Lamina.Testing;

namespace Lamina.Chart.Tests;

/// <summary>
/// The chart's Roles grant exactly what the programs declare they call (OperatorAccess,
/// GatewayAccess, WorkerAccess): nothing missing, nothing more, at the declared scope and names.
/// </summary>
[Trait(TestTiers.Category, TestTiers.Unit)]
public sealed class ChartRbacTests
{
    [Theory]
    [MemberData(nameof(ChartRender.Renders), MemberType = typeof(ChartRender))]
    public async Task Operator_Rbac_EqualsOperatorAccess(string render)
    {
        var full = ChartRender.IsFull(render);
        var lease = full ? "lamina-leader" : OperatorOptions.DefaultLeaseName;
        var expected = Expand(OperatorAccess.Rules, name => name == OperatorOptions.DefaultLeaseName ? lease : name);
        var granted = Granted(await ChartRender.NamedAsync(render), "operator", watchNamespace: full ? "functions" : null, accessKeyNamespace: full ? "lamina-keys" : ChartRender.ReleaseNamespace);
        AssertSameRules(expected, granted);
    }

    [Theory]
    [MemberData(nameof(ChartRender.Renders), MemberType = typeof(ChartRender))]
    public async Task Gateway_Rbac_EqualsGatewayAccess(string render)
    {
        var full = ChartRender.IsFull(render);
        var lease = full ? "lamina-leader" : ConcurrencyClientOptions.DefaultLeaseName;
        var expected = Expand(GatewayAccess.Rules, name => name == ConcurrencyClientOptions.DefaultLeaseName ? lease : name);

        // The gateway's Function catalog always lists every namespace (it has no namespace setting), in
        // the ClusterRole; the code endpoint reads pods only where the operator makes them.
        var granted = Granted(await ChartRender.NamedAsync(render), "gateway", watchNamespace: full ? "functions" : null, accessKeyNamespace: full ? "lamina-keys" : ChartRender.ReleaseNamespace);
        AssertSameRules(expected, granted);
    }

    [Theory]
    [MemberData(nameof(ChartRender.Renders), MemberType = typeof(ChartRender))]
    public async Task Worker_Rbac_EqualsWorkerAccess(string render)
    {
        var full = ChartRender.IsFull(render);
        var lease = full ? "lamina-leader" : ConcurrencyClientOptions.DefaultLeaseName;
        var expected = Expand(WorkerAccess.Rules, name => name == ConcurrencyClientOptions.DefaultLeaseName ? lease : name);

        var granted = Granted(await ChartRender.NamedAsync(render), "worker", watchNamespace: null, accessKeyNamespace: full ? "lamina-keys" : ChartRender.ReleaseNamespace);
        AssertSameRules(expected, granted);
    }

    [Fact]
    public async Task Operator_WatchNamespace_NoClusterRole()
    {
        var manifests = await ChartRender.RenderAsync(["--set", "operator.watchNamespace=team-a", .. ChartRender.Kube120]);
        var operatorAccount = Account(manifests, "operator");
        Assert.DoesNotContain(manifests, m => m.Kind == "ClusterRoleBinding" && Subjects(m).Contains(operatorAccount));
        // The gateway's code endpoint has its own Role there too (pods get).
        var role = Assert.Single(manifests, m => m.Kind == "Role" && m.Namespace == "team-a" && m.Name.EndsWith("-operator", StringComparison.Ordinal));
        Assert.Equal("lamina-operator", role.Name);
        AssertSameRules(
            Expand(OperatorAccess.Rules, name => name),
            Granted(manifests, "operator", watchNamespace: "team-a", accessKeyNamespace: ChartRender.ReleaseNamespace));
    }

    [Fact]
    public async Task Rbac_AccessKeyNamespaceElsewhere_SecretsRoleThereOnly()
    {
        var manifests = await ChartRender.RenderAsync(["--set", "auth.accessKeyNamespace=keys", .. ChartRender.Kube120]);
        var role = Assert.Single(manifests, m => m.Kind == "Role" && m.Namespace == "keys");
        var rule = Assert.Single(Yaml.Maps(role.Root, "rules"));
        Assert.Equal(["secrets"], Yaml.List(rule, "resources").Cast<string>());
        Assert.Equal(["list", "watch"], Yaml.List(rule, "verbs").Cast<string>());
        Assert.Single(manifests, m => m.Kind == "RoleBinding" && m.Namespace == "keys");
    }

    private static HashSet<(string Group, string Resource, string Verb, string Name, AccessScope Scope)> Expand(
        IEnumerable<AccessRule> permissions, Func<string, string> rename)
    {
        var rules = new HashSet<(string, string, string, string, AccessScope)>();
        foreach (var permission in permissions)
        {
            foreach (var verb in permission.Verbs)
            {
                foreach (var name in permission.Names.Count == 0 ? [""] : permission.Names.Select(rename))
                {
                    rules.Add((permission.Group, permission.Resource, verb, name, permission.Scope));
                }
            }
        }

        return rules;
    }

    /// <summary>Every rule bound to the component's ServiceAccount, with the scope its Role's kind, namespace and name give it.</summary>
    private static HashSet<(string Group, string Resource, string Verb, string Name, AccessScope Scope)> Granted(
        IReadOnlyList<Manifest> manifests, string component, string? watchNamespace, string accessKeyNamespace)
    {
        var account = Account(manifests, component);
        var rules = new HashSet<(string, string, string, string, AccessScope)>();
        foreach (var binding in manifests.Where(m => m.Kind is "RoleBinding" or "ClusterRoleBinding" && Subjects(m).Contains(account)))
        {
            var roleKind = Yaml.Str(binding.Root, "roleRef.kind")!;
            var roleName = Yaml.Str(binding.Root, "roleRef.name")!;
            var role = Assert.Single(manifests, m => m.Kind == roleKind && m.Name == roleName && m.Namespace == (roleKind == "Role" ? binding.Namespace : null));
            var scope = ScopeOf(role, watchNamespace, accessKeyNamespace);
            foreach (var rule in Yaml.Maps(role.Root, "rules"))
            {
                var names = Yaml.List(rule, "resourceNames").Cast<string>().DefaultIfEmpty("").ToList();
                Assert.Empty(Yaml.List(rule, "nonResourceURLs"));
                foreach (var group in Yaml.List(rule, "apiGroups").Cast<string>())
                {
                    foreach (var resource in Yaml.List(rule, "resources").Cast<string>())
                    {
                        foreach (var verb in Yaml.List(rule, "verbs").Cast<string>())
                        {
                            Assert.NotEqual("*", verb);
                            Assert.NotEqual("*", resource);
                            foreach (var name in names)
                            {
                                rules.Add((group, resource, verb, name, scope));
                            }
                        }
                    }
                }
            }
        }

        return rules;
    }

    private static AccessScope ScopeOf(Manifest role, string? watchNamespace, string accessKeyNamespace)
    {
        if (role.Kind == "ClusterRole")
        {
            return role.Name.EndsWith("-token-review", StringComparison.Ordinal) ? AccessScope.Cluster : AccessScope.Watched;
        }

        if (role.Name.EndsWith("-installation", StringComparison.Ordinal))
        {
            Assert.Equal(ChartRender.ReleaseNamespace, role.Namespace);
            return AccessScope.Installation;
        }

        if (role.Name.EndsWith("-access-keys", StringComparison.Ordinal))
        {
            Assert.Equal(accessKeyNamespace, role.Namespace);
            return AccessScope.AccessKeys;
        }

        Assert.True(watchNamespace is not null && role.Namespace == watchNamespace, $"{role}: a Role outside the watched namespace ({watchNamespace ?? "none: expected a ClusterRole"})");
        return AccessScope.Watched;
    }

    private static string Account(IReadOnlyList<Manifest> manifests, string component) =>
        Yaml.Str(ChartWorkloads.Workload(manifests, component).Root, "spec.template.spec.serviceAccountName")!;

    private static List<string> Subjects(Manifest binding) =>
        [.. Yaml.Maps(binding.Root, "subjects").Where(s => Yaml.Str(s, "kind") == "ServiceAccount" && Yaml.Str(s, "namespace") == ChartRender.ReleaseNamespace).Select(s => Yaml.Str(s, "name")!)];

    private static void AssertSameRules(
        HashSet<(string Group, string Resource, string Verb, string Name, AccessScope Scope)> expected,
        HashSet<(string Group, string Resource, string Verb, string Name, AccessScope Scope)> granted)
    {
        var missing = expected.Except(granted).Select(r => r.ToString()).Order().ToList();
        var extra = granted.Except(expected).Select(r => r.ToString()).Order().ToList();
        Assert.True(missing.Count == 0 && extra.Count == 0,
            $"RBAC differs from the code's list.\nmissing:\n  {string.Join("\n  ", missing)}\nextra:\n  {string.Join("\n  ", extra)}");
    }
}
