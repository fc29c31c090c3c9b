using Lamina.Operator.Hosting;
using Lamina.Testing;

namespace Lamina.Operator.Tests.Hosting;

[Trait(TestTiers.Category, TestTiers.Unit)]
public sealed class FunctionPodIndexTests
{
    private readonly FunctionPodIndex _index = new();

    [Fact]
    public void ListForFunction_PodsOfSeveralFunctions_OnlyThatFunctionsInThatNamespace()
    {
        _index.OnAdd(Pods.Of(name: "hello-fn-1"));
        _index.OnAdd(Pods.Of(name: "hello-fn-2"));
        _index.OnAdd(Pods.Of(name: "other-fn-1", functionName: "other"));
        _index.OnAdd(Pods.Of(name: "hello-fn-3", ns: "team-b"));

        Assert.Equal(["hello-fn-1", "hello-fn-2"], _index.ListForFunction("team-a", "hello").Select(p => p.Metadata.Name).Order());
        Assert.Equal(["hello-fn-3"], _index.ListForFunction("team-b", "hello").Select(p => p.Metadata.Name));
        Assert.Empty(_index.ListForFunction("team-a", "nobody"));
    }

    [Fact]
    public void OnUpdate_NewState_Replaced()
    {
        var before = Pods.Of();
        _index.OnAdd(before);

        _index.OnUpdate(before, Pods.Of(Pods.Waiting("CrashLoopBackOff")));

        Assert.Equal("CrashLoopBackOff", Assert.Single(_index.ListForFunction("team-a", "hello")).Status!.ContainerStatuses![0].State!.Waiting!.Reason);
    }

    [Fact]
    public void OnUpdate_FunctionLabelEdited_MovesToTheOtherFunction()
    {
        var before = Pods.Of();
        _index.OnAdd(before);

        _index.OnUpdate(before, Pods.Of(functionName: "other"));

        Assert.Empty(_index.ListForFunction("team-a", "hello"));
        Assert.Single(_index.ListForFunction("team-a", "other"));
    }

    [Fact]
    public void OnDelete_Pod_Gone()
    {
        var pod = Pods.Of();
        _index.OnAdd(pod);

        _index.OnDelete(pod);

        Assert.Empty(_index.ListForFunction("team-a", "hello"));
    }

    [Fact]
    public void FunctionKey_PodWithoutFunctionLabel_Null()
    {
        var pod = Pods.Of();
        pod.Metadata.Labels!.Remove("lamina.dev/function");

        Assert.Null(FunctionPodIndex.FunctionKey(pod));
    }
}
