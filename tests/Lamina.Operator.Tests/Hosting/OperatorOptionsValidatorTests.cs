using Lamina.Operator.Hosting;
using Lamina.Testing;

namespace Lamina.Operator.Tests.Hosting;

[Trait(TestTiers.Category, TestTiers.Unit)]
public sealed class OperatorOptionsValidatorTests
{
    [Theory]
    [InlineData("Node22", "docker.io/lamina/runtime-nodejs22:dev", null, "Runtimes:Node22: a runtime's name is lowercase letters")]
    [InlineData("nodejs22.x", "", null, "Runtimes:nodejs22.x:Image is required")]
    [InlineData("nodejs22.x", "img", "ftp://gateway:8085", "CodeEndpoint must be an http(s) URL without a path")]
    [InlineData("nodejs22.x", "img", "http://gateway:8085/code/v1", "CodeEndpoint must be an http(s) URL without a path")]
    public void Validate_BadRuntimeOrEndpoint_FailsNamingTheSetting(string runtime, string image, string? endpoint, string expected)
    {
        var options = new OperatorOptions { CodeEndpoint = endpoint };
        options.Runtimes[runtime] = new RuntimeOptions { Image = image };

        var result = new OperatorOptionsValidator().Validate(null, options);

        Assert.True(result.Failed);
        Assert.Contains(result.Failures!, f => f.Contains(expected, StringComparison.Ordinal));
    }

    [Fact]
    public void Validate_ChartsDefaults_Succeed()
    {
        var options = new OperatorOptions { CodeEndpoint = "http://lamina-gateway.lamina-system.svc:8085" };
        options.Runtimes["provided.al2023"] = new RuntimeOptions { Image = "docker.io/lamina/runtime-provided:dev", HandlerRequired = false };

        Assert.True(new OperatorOptionsValidator().Validate(null, options).Succeeded);
        Assert.Equal(["/lambda-entrypoint.sh"], options.ManagedRuntimes()["provided.al2023"].Command);
    }
}
