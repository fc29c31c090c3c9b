using System.Net;
using Lamina.RuntimeShim.Hosting;
using Lamina.Testing;

namespace Lamina.RuntimeShim.Tests.Hosting;

[Trait(TestTiers.Category, TestTiers.Unit)]
public sealed class ShimCommandLineTests
{
    private static readonly Func<string, string?> NoEnvironment = static _ => null;

    public static TheoryData<string[]> InstallWithoutExactlyOneFolder { get; } = new()
    {
        { ["install"] },
        { ["install", ""] },
        { ["install", "/a", "/b"] },
    };

    public static TheoryData<string[]> NoRuntimeCommand { get; } = new()
    {
        { [] },
        { ["--local"] },
        { ["--local", "--"] },
        { ["--timeout", "5", "--"] },
    };

    [Fact]
    public void Parse_OnlyACommand_PodDefaults()
    {
        var options = Run(["--", "/var/runtime/bootstrap", "app.handler"]);

        Assert.Equal(["/var/runtime/bootstrap", "app.handler"], options.RuntimeCommand);
        Assert.False(options.Local);
        Assert.Equal(IPEndPoint.Parse("0.0.0.0:8080"), options.InvokeEndpoint);
        Assert.Equal(IPEndPoint.Parse("0.0.0.0:9090"), options.AdminEndpoint);
        Assert.Equal(IPEndPoint.Parse("127.0.0.1:9001"), options.RuntimeApiEndpoint);
        Assert.Equal(TimeSpan.FromSeconds(3), options.Timeout);
    }

    [Fact]
    public void Parse_Local_RieDefaults()
    {
        var options = Run(["--local", "--", "bootstrap"]);

        Assert.True(options.Local);
        Assert.Equal(IPEndPoint.Parse("127.0.0.1:8080"), options.InvokeEndpoint);
        Assert.Null(options.AdminEndpoint);
        Assert.Equal(IPEndPoint.Parse("127.0.0.1:9001"), options.RuntimeApiEndpoint);
        Assert.Equal(TimeSpan.FromSeconds(300), options.Timeout);
    }

    [Fact]
    public void Parse_EveryOption_Kept()
    {
        var options = Run([
            "--invoke-address", "127.0.0.2:18080",
            "--admin-address", "[::]:19090",
            "--runtime-api", "[::1]:19001",
            "--timeout", "900",
            "--", "node", "index.js",
        ]);

        Assert.Equal(IPEndPoint.Parse("127.0.0.2:18080"), options.InvokeEndpoint);
        Assert.Equal(IPEndPoint.Parse("[::]:19090"), options.AdminEndpoint);
        Assert.Equal(IPEndPoint.Parse("[::1]:19001"), options.RuntimeApiEndpoint);
        Assert.Equal(TimeSpan.FromSeconds(900), options.Timeout);
        Assert.Equal(["node", "index.js"], options.RuntimeCommand);
    }

    [Fact]
    public void Parse_LocalWithAnAdminAddress_AdminListensThere()
    {
        var options = Run(["--local", "--admin-address", "127.0.0.1:9090", "--", "bootstrap"]);

        Assert.Equal(IPEndPoint.Parse("127.0.0.1:9090"), options.AdminEndpoint);
    }

    [Fact]
    public void Parse_ArgumentsAfterTheSeparator_BelongToTheRuntime()
    {
        var options = Run(["--", "bootstrap", "--help", "--timeout", "--"]);

        Assert.Equal(["bootstrap", "--help", "--timeout", "--"], options.RuntimeCommand);
    }

    [Fact]
    public void Parse_TimeoutFromLaminaVariable_Used()
    {
        var options = Run(["--", "bootstrap"], Variables(("LAMINA_TIMEOUT_SECONDS", "30"), ("AWS_LAMBDA_FUNCTION_TIMEOUT", "60")));

        Assert.Equal(TimeSpan.FromSeconds(30), options.Timeout);
    }

    [Fact]
    public void Parse_TimeoutFromAwsVariable_Used()
    {
        var options = Run(["--", "bootstrap"], Variables(("AWS_LAMBDA_FUNCTION_TIMEOUT", "60")));

        Assert.Equal(TimeSpan.FromSeconds(60), options.Timeout);
    }

    [Fact]
    public void Parse_TimeoutVariableWithLocal_VariableWins()
    {
        var options = Run(["--local", "--", "bootstrap"], Variables(("AWS_LAMBDA_FUNCTION_TIMEOUT", "10")));

        Assert.Equal(TimeSpan.FromSeconds(10), options.Timeout);
    }

    [Fact]
    public void Parse_TimeoutOptionAndVariable_OptionWins()
    {
        var options = Run(["--timeout", "7", "--", "bootstrap"], Variables(("LAMINA_TIMEOUT_SECONDS", "30")));

        Assert.Equal(TimeSpan.FromSeconds(7), options.Timeout);
    }

    [Theory]
    [InlineData("-h")]
    [InlineData("--help")]
    public void Parse_Help_Help(string flag)
    {
        Assert.IsType<ShimCommand.Help>(ShimCommandLine.Parse([flag], NoEnvironment));
        Assert.IsType<ShimCommand.Help>(ShimCommandLine.Parse(["--local", flag, "--", "bootstrap"], NoEnvironment));
    }

    [Fact]
    public void Parse_Install_InstallIntoTheFolder()
    {
        var install = Assert.IsType<ShimCommand.Install>(ShimCommandLine.Parse(["install", "/opt/lamina"], NoEnvironment));

        Assert.Equal("/opt/lamina", install.Target);
    }

    [Theory]
    [MemberData(nameof(InstallWithoutExactlyOneFolder))]
    public void Parse_InstallWithoutExactlyOneFolder_Invalid(string[] args)
    {
        var invalid = Invalid(args);

        Assert.Contains("install takes exactly one argument", invalid, StringComparison.Ordinal);
    }

    [Theory]
    [MemberData(nameof(NoRuntimeCommand))]
    public void Parse_NoRuntimeCommand_Invalid(string[] args)
    {
        Assert.Contains("no runtime command", Invalid(args), StringComparison.Ordinal);
    }

    [Theory]
    [InlineData("--verbose")]
    [InlineData("bootstrap")]
    public void Parse_UnknownOption_Invalid(string option)
    {
        Assert.Contains($"unknown option '{option}'", Invalid([option, "--", "bootstrap"]), StringComparison.Ordinal);
    }

    [Theory]
    [InlineData("--invoke-address")]
    [InlineData("--admin-address")]
    [InlineData("--runtime-api")]
    [InlineData("--timeout")]
    public void Parse_OptionWithoutAValue_Invalid(string option)
    {
        Assert.Equal($"{option} needs a value", Invalid([option]));
    }

    [Theory]
    [InlineData("--invoke-address", "localhost:8080")]
    [InlineData("--invoke-address", "8080")]
    [InlineData("--invoke-address", "127.0.0.1")]
    [InlineData("--invoke-address", "127.0.0.1:0")]
    [InlineData("--invoke-address", "127.0.0.1:70000")]
    [InlineData("--admin-address", "0.0.0.0")]
    [InlineData("--admin-address", "not an address")]
    [InlineData("--runtime-api", "localhost:9001")]
    [InlineData("--runtime-api", "127.0.0.1")]
    public void Parse_BadAddress_Invalid(string option, string value)
    {
        Assert.Contains($"{option} '{value}' is not", Invalid([option, value, "--", "bootstrap"]), StringComparison.Ordinal);
    }

    [Theory]
    [InlineData("0.0.0.0:9001")]
    [InlineData("10.0.0.7:9001")]
    [InlineData("[::]:9001")]
    public void Parse_RuntimeApiNotLoopback_Invalid(string address)
    {
        Assert.Contains("is not a loopback address:port", Invalid(["--runtime-api", address, "--", "bootstrap"]), StringComparison.Ordinal);
    }

    [Theory]
    [InlineData("0")]
    [InlineData("901")]
    [InlineData("-1")]
    [InlineData("+5")]
    [InlineData("2.5")]
    [InlineData("3s")]
    [InlineData("")]
    public void Parse_TimeoutOutOfRangeOrNotWhole_Invalid(string timeout)
    {
        Assert.Contains($"the timeout '{timeout}' is not a whole number of seconds from 1 to 900", Invalid(["--timeout", timeout, "--", "bootstrap"]), StringComparison.Ordinal);
    }

    [Fact]
    public void Parse_TimeoutVariableOutOfRange_Invalid()
    {
        var invalid = Assert.IsType<ShimCommand.Invalid>(ShimCommandLine.Parse(["--", "bootstrap"], Variables(("AWS_LAMBDA_FUNCTION_TIMEOUT", "1000"))));

        Assert.Contains("'1000'", invalid.Message, StringComparison.Ordinal);
    }

    [Theory]
    [InlineData("1", 1)]
    [InlineData("900", 900)]
    public void Parse_TimeoutAtTheLimits_Accepted(string timeout, int seconds)
    {
        Assert.Equal(TimeSpan.FromSeconds(seconds), Run(["--timeout", timeout, "--", "bootstrap"]).Timeout);
    }

    [Fact]
    public void Usage_NamesEveryOption()
    {
        foreach (var option in new[] { "--local", "--invoke-address", "--admin-address", "--runtime-api", "--timeout", "install" })
        {
            Assert.Contains(option, ShimCommandLine.Usage, StringComparison.Ordinal);
        }
    }

    private static ShimOptions Run(string[] args, Func<string, string?>? environment = null) =>
        Assert.IsType<ShimCommand.Run>(ShimCommandLine.Parse(args, environment ?? NoEnvironment)).Options;

    private static string Invalid(string[] args) =>
        Assert.IsType<ShimCommand.Invalid>(ShimCommandLine.Parse(args, NoEnvironment)).Message;

    private static Func<string, string?> Variables(params (string Name, string Value)[] variables) =>
        name => variables.FirstOrDefault(v => v.Name == name).Value;
}
