using System.Globalization;
using System.Text.Json;
using k8s.Models;
using Lamina.Kubernetes.Client;
using Lamina.Operator.Reconciliation;
using Lamina.Testing;

namespace Lamina.Operator.Tests.Reconciliation;

[Trait(TestTiers.Category, TestTiers.Unit)]
public sealed class DeploymentBuilderTests
{
    private static readonly OperatorDefaults Defaults = new();
    private static readonly JsonSerializerOptions Indented = new() { WriteIndented = true };

    [Fact]
    public void Build_TypicalFunction_MatchesGolden()
    {
        var function = Functions.Valid(change: s =>
        {
            s.MemoryMB = 512;
            s.TimeoutSeconds = 30;
            s.Env = [new V1EnvVar { Name = "GREETING", Value = "hello" }];
        });

        var deployment = DeploymentBuilder.Build(function, EnvironmentKind.OnDemand, 2, Defaults);

        Golden.AssertMatches("tests/Lamina.Operator.Tests/Reconciliation/Golden/deployment.json",
            ObjectJson.ToNode(deployment).ToJsonString(Indented) + "\n");
    }

    [Theory]
    [InlineData(false, 0)]
    [InlineData(false, 3)]
    [InlineData(true, 2)]
    public void Build_Replicas_Set(bool provisioned, int replicas) =>
        Assert.Equal(replicas, DeploymentBuilder.Build(Functions.Valid(), Kind(provisioned), replicas, Defaults).Spec!.Replicas);

    [Theory]
    [InlineData(false, "hello-fn", "on-demand")]
    [InlineData(true, "hello-pc", "provisioned-concurrency")]
    public void Build_Kind_NameSelectorLabelsAndInitializationType(bool provisioned, string name, string initType)
    {
        var deployment = DeploymentBuilder.Build(Functions.Valid(), Kind(provisioned), 1, Defaults);

        Assert.Equal(name, deployment.Metadata.Name);
        Assert.Equal(
            new Dictionary<string, string> { ["lamina.dev/function"] = "hello", ["lamina.dev/init-type"] = initType },
            deployment.Spec!.Selector!.MatchLabels);
        Assert.Equal(initType, deployment.Spec.Template!.Metadata!.Labels!["lamina.dev/init-type"]);
        Assert.Equal(initType, deployment.Metadata.Labels!["lamina.dev/init-type"]);
        var env = deployment.Spec.Template.Spec!.Containers![0].Env!;
        Assert.Equal(initType, Assert.Single(env, e => e.Name == "AWS_LAMBDA_INITIALIZATION_TYPE").Value);
    }

    [Theory]
    [InlineData(null, 1, 0)]
    [InlineData(5, 0, 1)]
    [InlineData(0, 0, 1)]
    public void Build_Reservation_RolloutNeverExceedsTheCap(int? reserved, int maxSurge, int maxUnavailable)
    {
        var function = Functions.Valid(change: s => s.Concurrency = new Api.FunctionConcurrency { Reserved = reserved });

        var rollingUpdate = DeploymentBuilder.Build(function, EnvironmentKind.OnDemand, 1, Defaults).Spec!.Strategy!.RollingUpdate!;

        Assert.Equal((maxSurge.ToString(CultureInfo.InvariantCulture), maxUnavailable.ToString(CultureInfo.InvariantCulture)),
            (rollingUpdate.MaxSurge!.Value, rollingUpdate.MaxUnavailable!.Value));
    }

    [Theory]
    [InlineData(128, "73m")]
    [InlineData(1769, "1000m")]
    [InlineData(10240, "5789m")]
    public void CpuFor_Memory_OneVcpuPer1769MB(int memoryMB, string expected) =>
        Assert.Equal(expected, DeploymentBuilder.CpuFor(memoryMB));

    [Fact]
    public void Build_DefaultsOnly_LambdaConventions()
    {
        var function = Functions.Valid();

        var pod = DeploymentBuilder.Build(function, EnvironmentKind.OnDemand, 1, Defaults).Spec!.Template!.Spec!;
        var container = Assert.Single(pod.Containers!);

        Assert.Equal(["/opt/lamina/runtime-shim", "--", "/lambda-entrypoint.sh"], container.Command);
        Assert.Equal(["index.handler"], container.Args);
        Assert.Equal("128Mi", container.Resources!.Limits!["memory"]);
        Assert.Equal(3 + Defaults.DrainSeconds, pod.TerminationGracePeriodSeconds);
        var env = container.Env!.ToDictionary(e => e.Name!, e => e.Value);
        Assert.Equal("127.0.0.1:9001", env["AWS_LAMBDA_RUNTIME_API"]);
        Assert.Equal("index.handler", env["_HANDLER"]);
        Assert.Equal("128", env["AWS_LAMBDA_FUNCTION_MEMORY_SIZE"]);
        Assert.Equal("arn:aws:lambda:us-east-1:000000000000:function:team-a.hello", env["LAMINA_FUNCTION_ARN"]);
    }

    [Theory]
    [InlineData("LAMINA_POD_NAME", "metadata.name")]
    [InlineData("LAMINA_NAMESPACE", "metadata.namespace")]
    public void Build_AnyFunction_PodIdentityFromDownwardApi(string variable, string fieldPath)
    {
        var env = DeploymentBuilder.Build(Functions.Valid(), EnvironmentKind.OnDemand, 1, Defaults).Spec!.Template!.Spec!.Containers![0].Env!;

        var found = Assert.Single(env, e => e.Name == variable);
        Assert.Null(found.Value);
        Assert.Equal(fieldPath, found.ValueFrom!.FieldRef!.FieldPath);
    }

    [Fact]
    public void Build_ExplicitArgs_UsedInsteadOfHandler()
    {
        var function = Functions.Valid(change: s => s.Args = ["app.main", "--verbose"]);

        var container = DeploymentBuilder.Build(function, EnvironmentKind.OnDemand, 1, Defaults).Spec!.Template!.Spec!.Containers![0];

        Assert.Equal(["app.main", "--verbose"], container.Args);
    }

    [Fact]
    public void Build_UserEnv_AfterLambdaVariables()
    {
        var function = Functions.Valid(change: s => s.Env = [new V1EnvVar { Name = "GREETING", Value = "hi" }]);

        var env = DeploymentBuilder.Build(function, EnvironmentKind.OnDemand, 1, Defaults).Spec!.Template!.Spec!.Containers![0].Env!;

        Assert.Equal("GREETING", env[^1].Name);
    }

    [Fact]
    public void Build_Function_ControllerOwnerReference()
    {
        var owner = Assert.Single(DeploymentBuilder.Build(Functions.Valid(), EnvironmentKind.OnDemand, 1, Defaults).Metadata.OwnerReferences!);

        Assert.Equal(("lamina.dev/v1alpha1", "Function", "hello", "uid-hello", true, true),
            (owner.ApiVersion, owner.Kind, owner.Name, owner.Uid, owner.Controller, owner.BlockOwnerDeletion));
    }

    [Fact]
    public void Build_Function_RestrictedSecurity()
    {
        var pod = DeploymentBuilder.Build(Functions.Valid(), EnvironmentKind.OnDemand, 1, Defaults).Spec!.Template!.Spec!;

        Assert.All(pod.Containers!.Concat(pod.InitContainers!), c =>
        {
            Assert.Equal(true, c.SecurityContext!.RunAsNonRoot);
            Assert.Equal(false, c.SecurityContext.AllowPrivilegeEscalation);
            Assert.Equal(true, c.SecurityContext.ReadOnlyRootFilesystem);
            Assert.Equal(["ALL"], c.SecurityContext.Capabilities!.Drop);
        });
        Assert.Equal("RuntimeDefault", pod.SecurityContext!.SeccompProfile!.Type);
        Assert.Equal(false, pod.AutomountServiceAccountToken);
        Assert.Contains(pod.Containers![0].VolumeMounts!, m => m.MountPath == "/tmp");
    }

    private static EnvironmentKind Kind(bool provisioned) => provisioned ? EnvironmentKind.Provisioned : EnvironmentKind.OnDemand;
}
