using System.Globalization;
using Lamina.Operator.Api;
using Lamina.Operator.Concurrency;
using Lamina.Testing;

namespace Lamina.Operator.Tests.Concurrency;

[Trait(TestTiers.Category, TestTiers.Unit)]
public sealed class ReservationAdmissionTests
{
    private static readonly DateTime Epoch = new(2026, 1, 1, 0, 0, 0, DateTimeKind.Utc);

    /// <summary>
    /// One row: the functions as <c>name:reserved@age</c> (age in minutes after the epoch; <c>-</c> for no
    /// reservation), the pool and its unreserved minimum, the refused functions and the unreserved capacity.
    /// </summary>
    public static TheoryData<string, string, int, int, string, int> Rows => new()
    {
        { "nothing reserved: all admitted, the whole pool unreserved", "a:-@0 b:-@1", 1000, 100, "", 1000 },
        { "reservations that fit are admitted", "a:300@0 b:500@1 c:-@2", 1000, 100, "", 200 },
        { "exactly the minimum left: admitted", "a:900@0", 1000, 100, "", 100 },
        { "one more than the minimum allows: refused", "a:901@0", 1000, 100, "team-a/a", 1000 },
        { "oldest first: the newer one is refused", "new:500@5 old:500@1", 1000, 100, "team-a/new", 500 },
        { "a refused reservation does not hold back a smaller newer one", "a:300@0 b:700@1 c:100@2", 1000, 100, "team-a/b", 600 },
        { "same age: namespace/name breaks the tie", "b:500@0 a:500@0", 1000, 100, "team-a/b", 500 },
        { "reserved 0 takes nothing", "a:900@0 b:0@1", 1000, 100, "", 100 },
        { "a smaller pool", "a:40@0 b:41@1", 100, 20, "team-a/b", 60 },
    };

    [Theory]
    [MemberData(nameof(Rows))]
    public void Admit_Functions_OldestFirstWhileMinimumStaysUnreserved(
        string row, string functions, int poolSize, int unreservedMinimum, string refused, int unreservedCapacity)
    {
        var admission = ReservationAdmission.Admit(Parse(functions), new ConcurrencyOptions { PoolSize = poolSize, UnreservedMinimum = unreservedMinimum });

        Assert.True(
            (string.Join(" ", admission.Refusals.Keys.Order(StringComparer.Ordinal)), admission.UnreservedCapacity) == (refused, unreservedCapacity),
            $"{row}: refused [{string.Join(" ", admission.Refusals.Keys)}] with {admission.UnreservedCapacity} unreserved");
    }

    [Fact]
    public void Admit_ReservationTooLarge_RefusalNamesTheNumbers()
    {
        var admission = ReservationAdmission.Admit(Parse("hello:950@0"), new ConcurrencyOptions());

        Assert.False(admission.IsAdmitted("team-a", "hello"));
        Assert.Equal(
            "reserved concurrency 950 would leave 50 of the pool of 1000 unreserved; at least 100 must stay unreserved",
            admission.RefusalOf("team-a", "hello"));
    }

    [Fact]
    public void Admit_OlderReservations_RefusalCountsThem()
    {
        var admission = ReservationAdmission.Admit(Parse("old:600@0 hello:350@1"), new ConcurrencyOptions());

        Assert.Equal(
            "reserved concurrency 350 would leave 50 of the pool of 1000 unreserved (600 reserved by older functions); at least 100 must stay unreserved",
            admission.RefusalOf("team-a", "hello"));
    }

    [Fact]
    public void Admit_LargerThanThePool_RefusalSaysSo()
    {
        var admission = ReservationAdmission.Admit(Parse("hello:1200@0"), new ConcurrencyOptions());

        Assert.Equal(
            "reserved concurrency 1200 exceeds the pool of 1000; at least 100 must stay unreserved",
            admission.RefusalOf("team-a", "hello"));
    }

    [Fact]
    public void Admit_FunctionBeingDeleted_ReservationReleased()
    {
        var leaving = Parse("old:800@0")[0];
        leaving.Metadata.DeletionTimestamp = Epoch.AddHours(1);

        var admission = ReservationAdmission.Admit([leaving, .. Parse("hello:800@1")], new ConcurrencyOptions());

        Assert.True(admission.IsAdmitted("team-a", "hello"));
        Assert.Null(admission.RefusalOf("team-a", "hello"));
        Assert.Equal(200, admission.UnreservedCapacity);
    }

    [Fact]
    public void Admit_SameNameInAnotherNamespace_JudgedApart()
    {
        var other = Functions.Valid("hello", ns: "team-b", change: s => s.Concurrency = new FunctionConcurrency { Reserved = 900 });
        other.Metadata.CreationTimestamp = Epoch;

        var admission = ReservationAdmission.Admit([other, .. Parse("hello:900@1")], new ConcurrencyOptions());

        Assert.True(admission.IsAdmitted("team-b", "hello"));
        Assert.False(admission.IsAdmitted("team-a", "hello"));
    }

    /// <summary><c>name:reserved@age</c> items, space-separated, in namespace team-a.</summary>
    private static List<Function> Parse(string functions) =>
    [
        .. functions.Split(' ', StringSplitOptions.RemoveEmptyEntries).Select(item =>
        {
            var parts = item.Split(':', '@'); // name, reserved, age
            var function = Functions.Valid(parts[0], change: s => s.Concurrency = new FunctionConcurrency
            {
                Reserved = parts[1] == "-" ? null : int.Parse(parts[1], CultureInfo.InvariantCulture),
            });
            function.Metadata.CreationTimestamp = Epoch.AddMinutes(int.Parse(parts[2], CultureInfo.InvariantCulture));
            return function;
        }),
    ];
}
