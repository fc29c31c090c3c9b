using System.Net;
using Lamina.Gateway.Routing;
using Lamina.Testing;
using Microsoft.Extensions.Logging.Abstractions;
using Microsoft.Extensions.Options;

namespace Lamina.Gateway.Tests.Routing;

[Trait(TestTiers.Category, TestTiers.Unit)]
public sealed class EnvironmentRegistryTests
{
    private static readonly FunctionKey Hello = new("team-a", "hello");

    private readonly EnvironmentRegistry _registry = new(Options.Create(new RoutingOptions()), NullLogger<EnvironmentRegistry>.Instance);
    private readonly RecordingObserver _observer = new();

    public EnvironmentRegistryTests()
    {
        _registry.Subscribe(_observer);
    }

    [Fact]
    public void OnAdd_ReadyPodWithoutInvokePort_EnvironmentAtPodIpOnPort8080()
    {
        _registry.OnAdd(TestPods.Of("hello-1", ip: "10.0.0.7"));

        var environment = Assert.Single(_registry.EnvironmentsOf(Hello));
        Assert.Equal("hello-1", environment.Pod);
        Assert.Equal(new EnvironmentEndpoint(IPAddress.Parse("10.0.0.7"), 8080), environment.Endpoint);
        Assert.Equal(new Uri("http://10.0.0.7:8080/lamina/v1/invoke"), environment.InvokeUri);
        Assert.Equal(["+team-a.hello/hello-1@10.0.0.7:8080"], _observer.Changes);
    }

    [Fact]
    public void OnAdd_InvokeContainerPort_ThatPort()
    {
        _registry.OnAdd(TestPods.Of("hello-1", port: 18080));

        Assert.Equal(18080, Assert.Single(_registry.EnvironmentsOf(Hello)).Endpoint.Port);
    }

    [Fact]
    public void OnAdd_IPv6PodIp_BracketedInTheUri()
    {
        _registry.OnAdd(TestPods.Of("hello-1", ip: "fd00::a"));

        Assert.Equal(new Uri("http://[fd00::a]:8080/lamina/v1/invoke"), Assert.Single(_registry.EnvironmentsOf(Hello)).InvokeUri);
    }

    [Theory]
    [InlineData("unready")]
    [InlineData("deleting")]
    [InlineData("no-ip")]
    [InlineData("bad-ip")]
    [InlineData("pending")]
    [InlineData("no-function-label")]
    public void OnAdd_PodThatCannotTakeInvocations_NoEnvironment(string state)
    {
        var pod = state switch
        {
            "unready" => TestPods.Of("hello-1", ready: false),
            "deleting" => TestPods.Of("hello-1", deleting: true),
            "no-ip" => TestPods.Of("hello-1", ip: null),
            "bad-ip" => TestPods.Of("hello-1", ip: "not-an-ip"),
            "pending" => TestPods.Of("hello-1", phase: "Pending"),
            _ => WithoutFunctionLabel(TestPods.Of("hello-1")),
        };

        _registry.OnAdd(pod);

        Assert.Empty(_registry.EnvironmentsOf(Hello));
        Assert.Equal(0, _registry.Count);
        Assert.Empty(_observer.Changes);
    }

    [Fact]
    public void OnUpdate_ReadyPodTurnsUnready_LeavesAtOnce()
    {
        var ready = TestPods.Of("hello-1");
        _registry.OnAdd(ready);

        _registry.OnUpdate(ready, TestPods.Of("hello-1", ready: false));

        Assert.Empty(_registry.EnvironmentsOf(Hello));
        Assert.Equal(["+team-a.hello/hello-1@127.0.0.1:8080", "-team-a.hello/hello-1"], _observer.Changes);
    }

    [Fact]
    public void OnUpdate_ReadyPodStartsTerminating_LeavesAtOnce()
    {
        var ready = TestPods.Of("hello-1");
        _registry.OnAdd(ready);

        _registry.OnUpdate(ready, TestPods.Of("hello-1", deleting: true));

        Assert.Empty(_registry.EnvironmentsOf(Hello));
        Assert.Equal("-team-a.hello/hello-1", _observer.Changes[^1]);
    }

    [Fact]
    public void OnUpdate_StartingPodBecomesReady_Added()
    {
        var starting = TestPods.Of("hello-1", ready: false, ip: null);
        _registry.OnAdd(starting);

        _registry.OnUpdate(starting, TestPods.Of("hello-1"));

        Assert.Single(_registry.EnvironmentsOf(Hello));
        Assert.Equal(["+team-a.hello/hello-1@127.0.0.1:8080"], _observer.Changes);
    }

    [Fact]
    public void OnUpdate_StillReadySameAddress_NothingToObservers()
    {
        var ready = TestPods.Of("hello-1");
        _registry.OnAdd(ready);

        _registry.OnUpdate(ready, TestPods.Of("hello-1"));
        _registry.OnUpdate(ready, ready); // an informer resync

        Assert.Single(_observer.Changes);
    }

    [Fact]
    public void OnUpdate_FunctionLabelEdited_MovesToTheOtherFunction()
    {
        var before = TestPods.Of("hello-1");
        _registry.OnAdd(before);

        _registry.OnUpdate(before, TestPods.Of("hello-1", function: "other"));

        Assert.Empty(_registry.EnvironmentsOf(Hello));
        Assert.Single(_registry.EnvironmentsOf(new FunctionKey("team-a", "other")));
        Assert.Equal("+team-a.other/hello-1@127.0.0.1:8080", _observer.Changes[^1]);
    }

    [Fact]
    public void OnDelete_ReadyPod_Leaves()
    {
        var ready = TestPods.Of("hello-1");
        _registry.OnAdd(ready);
        _registry.OnAdd(TestPods.Of("hello-2"));

        _registry.OnDelete(ready);

        Assert.Equal(["hello-2"], _registry.EnvironmentsOf(Hello).Select(e => e.Pod));
        Assert.Equal("-team-a.hello/hello-1", _observer.Changes[^1]);
    }

    [Fact]
    public void OnDelete_PodNeverReady_NothingToObservers()
    {
        var starting = TestPods.Of("hello-1", ready: false);
        _registry.OnAdd(starting);

        _registry.OnDelete(starting);

        Assert.Empty(_observer.Changes);
    }

    [Fact]
    public void EnvironmentsOf_SameFunctionNameInTwoNamespaces_Separate()
    {
        _registry.OnAdd(TestPods.Of("hello-1"));
        _registry.OnAdd(TestPods.Of("hello-1", ns: "team-b"));
        _registry.OnAdd(TestPods.Of("hello-2", ns: "team-b"));

        Assert.Single(_registry.EnvironmentsOf(Hello));
        Assert.Equal(2, _registry.EnvironmentsOf(new FunctionKey("team-b", "hello")).Count);
        Assert.Equal(3, _registry.Count);
    }

    [Fact]
    public void Subscribe_AfterPodsArrived_HearsEveryCurrentEnvironment()
    {
        _registry.OnAdd(TestPods.Of("hello-1"));
        _registry.OnAdd(TestPods.Of("hello-2", ready: false));
        var late = new RecordingObserver();

        _registry.Subscribe(late);

        Assert.Equal(["+team-a.hello/hello-1@127.0.0.1:8080"], late.Changes);
    }

    private static k8s.Models.V1Pod WithoutFunctionLabel(k8s.Models.V1Pod pod)
    {
        pod.Metadata.Labels!.Remove("lamina.dev/function");
        return pod;
    }
}
