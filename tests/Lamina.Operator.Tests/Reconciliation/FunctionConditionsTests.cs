using Lamina.Operator.Reconciliation;
using Lamina.Testing;

namespace Lamina.Operator.Tests.Reconciliation;

[Trait(TestTiers.Category, TestTiers.Unit)]
public sealed class FunctionConditionsTests
{
    private static readonly DateTimeOffset T0 = new(2026, 1, 1, 0, 0, 0, TimeSpan.Zero);

    [Fact]
    public void Set_SameStatusLater_KeepsTransitionTime()
    {
        var first = FunctionConditions.Set(null, "Ready", "False", "A", "m1", 1, T0);

        var second = FunctionConditions.Set(first, "Ready", "False", "B", "m2", 2, T0.AddMinutes(5));

        var condition = Assert.Single(second);
        Assert.Equal(T0, condition.LastTransitionTime);
        Assert.Equal("B", condition.Reason);
        Assert.Equal(2, condition.ObservedGeneration);
    }

    [Fact]
    public void Set_StatusChanges_MovesTransitionTimeToWholeSecond()
    {
        var first = FunctionConditions.Set(null, "Ready", "False", "A", "m", 1, T0);

        var second = FunctionConditions.Set(first, "Ready", "True", "Ready", "m", 1, T0.AddSeconds(7.9));

        Assert.Equal(T0.AddSeconds(7), Assert.Single(second).LastTransitionTime);
    }

    [Fact]
    public void Set_SeveralTypes_ReadyFirstInFixedOrder()
    {
        var conditions = FunctionConditions.Set(null, "EnvironmentsHealthy", "True", "x", "m", 1, T0);
        conditions = FunctionConditions.Set(conditions, "DeploymentReady", "True", "x", "m", 1, T0);
        conditions = FunctionConditions.Set(conditions, "ConfigValid", "True", "x", "m", 1, T0);
        conditions = FunctionConditions.Set(conditions, "Ready", "True", "x", "m", 1, T0);

        Assert.Equal(["Ready", "ConfigValid", "DeploymentReady", "EnvironmentsHealthy"], conditions.Select(c => c.Type));
    }

    [Fact]
    public void Set_EmptyMessage_Refused() =>
        Assert.Throws<ArgumentException>(() => FunctionConditions.Set(null, "Ready", "True", "Ready", "", 1, T0));
}
