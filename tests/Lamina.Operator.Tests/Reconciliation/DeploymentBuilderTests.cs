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

        var deployment = DeploymentBuilder.Build(function, Defaults);

        Golden.AssertMatches("tests/Lamina.Operator.Tests/Reconciliation/Golden/deployment.json",
            ObjectJson.ToNode(deployment).ToJsonString(Indented) + "\n");
    }

    [Fact]
    public void Build_AnyFunction_NeverSetsReplicas() =>
        Assert.Null(DeploymentBuilder.Build(Functions.Valid(), Defaults).Spec!.Replicas);

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

        var pod = DeploymentBuilder.Build(function, Defaults).Spec!.Template!.Spec!;
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
        var env = DeploymentBuilder.Build(Functions.Valid(), Defaults).Spec!.Template!.Spec!.Containers![0].Env!;

        var found = Assert.Single(env, e => e.Name == variable);
        Assert.Null(found.Value);
        Assert.Equal(fieldPath, found.ValueFrom!.FieldRef!.FieldPath);
    }

    [Fact]
    public void Build_ExplicitArgs_UsedInsteadOfHandler()
    {
        var function = Functions.Valid(change: s => s.Args = ["app.main", "--verbose"]);

        var container = DeploymentBuilder.Build(function, Defaults).Spec!.Template!.Spec!.Containers![0];

        Assert.Equal(["app.main", "--verbose"], container.Args);
    }

    [Fact]
    public void Build_UserEnv_AfterLambdaVariables()
    {
        var function = Functions.Valid(change: s => s.Env = [new V1EnvVar { Name = "GREETING", Value = "hi" }]);

        var env = DeploymentBuilder.Build(function, Defaults).Spec!.Template!.Spec!.Containers![0].Env!;

        Assert.Equal("GREETING", env[^1].Name);
    }

    [Fact]
    public void Build_Function_ControllerOwnerReference()
    {
        var owner = Assert.Single(DeploymentBuilder.Build(Functions.Valid(), Defaults).Metadata.OwnerReferences!);

        Assert.Equal(("lamina.dev/v1alpha1", "Function", "hello", "uid-hello", true, true),
            (owner.ApiVersion, owner.Kind, owner.Name, owner.Uid, owner.Controller, owner.BlockOwnerDeletion));
    }

    [Fact]
    public void Build_Function_RestrictedSecurity()
    {
        var pod = DeploymentBuilder.Build(Functions.Valid(), Defaults).Spec!.Template!.Spec!;

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
}
