using System.Collections;
using System.Net;
using Lamina.RuntimeShim.Hosting;
using Lamina.Testing;

namespace Lamina.RuntimeShim.Tests.Hosting;

[Trait(TestTiers.Category, TestTiers.Unit)]
public sealed class RuntimeEnvironmentTests
{
    private static readonly ShimOptions Options = new()
    {
        RuntimeCommand = ["/var/runtime/bootstrap", "app.handler"],
        InvokeEndpoint = IPEndPoint.Parse("0.0.0.0:8080"),
        RuntimeApiEndpoint = IPEndPoint.Parse("127.0.0.1:9001"),
        Timeout = TimeSpan.FromSeconds(3),
    };

    private static readonly Func<string, bool> NoDirectories = static _ => false;

    [Fact]
    public void Launch_Always_CommandIsTheRuntimes()
    {
        var launch = RuntimeEnvironment.Launch(Options, new Hashtable(), NoDirectories);

        Assert.Equal(["/var/runtime/bootstrap", "app.handler"], launch.Command);
    }

    [Fact]
    public void Launch_RuntimeApiInherited_AlwaysPointsAtThisShim()
    {
        var options = Options with { RuntimeApiEndpoint = IPEndPoint.Parse("127.0.0.1:19001") };

        var launch = RuntimeEnvironment.Launch(options, Inherited(("AWS_LAMBDA_RUNTIME_API", "10.0.0.1:9001")), NoDirectories);

        Assert.Equal("127.0.0.1:19001", launch.Environment["AWS_LAMBDA_RUNTIME_API"]);
    }

    [Fact]
    public void Launch_RuntimeApiOnIPv6Loopback_HostInBrackets()
    {
        // Runtimes build http://${AWS_LAMBDA_RUNTIME_API}/2018-06-01/...: an IPv6 host needs its brackets.
        var launch = RuntimeEnvironment.Launch(Options with { RuntimeApiEndpoint = IPEndPoint.Parse("[::1]:9001") }, new Hashtable(), NoDirectories);

        Assert.Equal("[::1]:9001", launch.Environment["AWS_LAMBDA_RUNTIME_API"]);
    }

    [Fact]
    public void Launch_NothingInherited_RieDefaults()
    {
        var launch = RuntimeEnvironment.Launch(Options, new Hashtable(), NoDirectories);

        var environment = launch.Environment;
        Assert.Equal("function", environment["AWS_LAMBDA_FUNCTION_NAME"]);
        Assert.Equal("$LATEST", environment["AWS_LAMBDA_FUNCTION_VERSION"]);
        Assert.Equal("3008", environment["AWS_LAMBDA_FUNCTION_MEMORY_SIZE"]);
        Assert.Equal("on-demand", environment["AWS_LAMBDA_INITIALIZATION_TYPE"]);
        Assert.Equal("/aws/lambda/function", environment["AWS_LAMBDA_LOG_GROUP_NAME"]);
        Assert.Equal("$LATEST", environment["AWS_LAMBDA_LOG_STREAM_NAME"]);
        Assert.Equal("us-east-1", environment["AWS_REGION"]);
        Assert.Equal("us-east-1", environment["AWS_DEFAULT_REGION"]);
        Assert.Equal(":UTC", environment["TZ"]);
        Assert.Equal("en_US.UTF-8", environment["LANG"]);
        Assert.Equal("/var/runtime", environment["LAMBDA_RUNTIME_DIR"]);
    }

    [Fact]
    public void Launch_UserValues_Kept()
    {
        var inherited = Inherited(
            ("AWS_LAMBDA_FUNCTION_NAME", "orders"),
            ("AWS_LAMBDA_FUNCTION_VERSION", "7"),
            ("AWS_LAMBDA_FUNCTION_MEMORY_SIZE", "512"),
            ("AWS_LAMBDA_INITIALIZATION_TYPE", "provisioned-concurrency"),
            ("AWS_LAMBDA_LOG_GROUP_NAME", "/custom/group"),
            ("AWS_LAMBDA_LOG_STREAM_NAME", "stream-1"),
            ("AWS_REGION", "eu-west-1"),
            ("AWS_DEFAULT_REGION", "eu-central-1"),
            ("TZ", "Europe/Paris"),
            ("LANG", "C.UTF-8"),
            ("LAMBDA_RUNTIME_DIR", "/opt/runtime"),
            ("MY_SETTING", "on"));

        var environment = RuntimeEnvironment.Launch(Options, inherited, NoDirectories).Environment;

        Assert.Equal("orders", environment["AWS_LAMBDA_FUNCTION_NAME"]);
        Assert.Equal("7", environment["AWS_LAMBDA_FUNCTION_VERSION"]);
        Assert.Equal("512", environment["AWS_LAMBDA_FUNCTION_MEMORY_SIZE"]);
        Assert.Equal("provisioned-concurrency", environment["AWS_LAMBDA_INITIALIZATION_TYPE"]);
        Assert.Equal("/custom/group", environment["AWS_LAMBDA_LOG_GROUP_NAME"]);
        Assert.Equal("stream-1", environment["AWS_LAMBDA_LOG_STREAM_NAME"]);
        Assert.Equal("eu-west-1", environment["AWS_REGION"]);
        Assert.Equal("eu-central-1", environment["AWS_DEFAULT_REGION"]);
        Assert.Equal("Europe/Paris", environment["TZ"]);
        Assert.Equal("C.UTF-8", environment["LANG"]);
        Assert.Equal("/opt/runtime", environment["LAMBDA_RUNTIME_DIR"]);
        Assert.Equal("on", environment["MY_SETTING"]);
    }

    [Fact]
    public void Launch_EmptyValues_Defaulted()
    {
        var inherited = Inherited(("AWS_LAMBDA_FUNCTION_NAME", ""), ("AWS_REGION", ""), ("TZ", ""), ("LAMBDA_TASK_ROOT", ""));

        var environment = RuntimeEnvironment.Launch(Options, inherited, path => path == "/var/task").Environment;

        Assert.Equal("function", environment["AWS_LAMBDA_FUNCTION_NAME"]);
        Assert.Equal("us-east-1", environment["AWS_REGION"]);
        Assert.Equal(":UTC", environment["TZ"]);
        Assert.Equal("/var/task", environment["LAMBDA_TASK_ROOT"]);
    }

    [Fact]
    public void Launch_DefaultsDerivedFromUserValues_FollowThem()
    {
        var inherited = Inherited(("AWS_LAMBDA_FUNCTION_NAME", "orders"), ("AWS_REGION", "ap-south-1"), ("LAMINA_POD_NAME", "orders-7d9f-abcde"));

        var environment = RuntimeEnvironment.Launch(Options, inherited, NoDirectories).Environment;

        Assert.Equal("/aws/lambda/orders", environment["AWS_LAMBDA_LOG_GROUP_NAME"]);
        Assert.Equal("ap-south-1", environment["AWS_DEFAULT_REGION"]);
        Assert.Equal("orders-7d9f-abcde", environment["AWS_LAMBDA_LOG_STREAM_NAME"]);
    }

    [Fact]
    public void Launch_NonStringEntries_Skipped()
    {
        var inherited = new Hashtable { ["GOOD"] = "yes", [42] = "number key", ["NUMBER_VALUE"] = 42 };

        var environment = RuntimeEnvironment.Launch(Options, inherited, NoDirectories).Environment;

        Assert.Equal("yes", environment["GOOD"]);
        Assert.False(environment.ContainsKey("NUMBER_VALUE"));
    }

    [Fact]
    public void Launch_VarTaskExists_TaskRootAndWorkingDirectoryAreVarTask()
    {
        var launch = RuntimeEnvironment.Launch(Options, new Hashtable(), path => path == "/var/task");

        Assert.Equal("/var/task", launch.Environment["LAMBDA_TASK_ROOT"]);
        Assert.Equal("/var/task", launch.WorkingDirectory);
    }

    [Fact]
    public void Launch_NoVarTask_TaskRootIsTheCurrentDirectory()
    {
        var current = System.Environment.CurrentDirectory;

        var launch = RuntimeEnvironment.Launch(Options, new Hashtable(), path => path == current);

        Assert.Equal(current, launch.Environment["LAMBDA_TASK_ROOT"]);
        Assert.Equal(current, launch.WorkingDirectory);
    }

    [Fact]
    public void Launch_UserTaskRootExists_RuntimeStartsThere()
    {
        var launch = RuntimeEnvironment.Launch(Options, Inherited(("LAMBDA_TASK_ROOT", "/srv/function")), path => path is "/srv/function" or "/var/task");

        Assert.Equal("/srv/function", launch.Environment["LAMBDA_TASK_ROOT"]);
        Assert.Equal("/srv/function", launch.WorkingDirectory);
    }

    [Fact]
    public void Launch_TaskRootMissing_WorkingDirectoryInherited()
    {
        var launch = RuntimeEnvironment.Launch(Options, Inherited(("LAMBDA_TASK_ROOT", "/srv/missing")), NoDirectories);

        Assert.Equal("/srv/missing", launch.Environment["LAMBDA_TASK_ROOT"]);
        Assert.Null(launch.WorkingDirectory);
    }

    private static Hashtable Inherited(params (string Name, string Value)[] variables)
    {
        var table = new Hashtable();
        foreach (var (name, value) in variables)
        {
            table[name] = value;
        }

        return table;
    }
}
