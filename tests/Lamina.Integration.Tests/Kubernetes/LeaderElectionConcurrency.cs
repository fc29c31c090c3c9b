namespace Lamina.Integration.Tests.Kubernetes;

/// <summary>How many replicas run their leader work now, and the most that ever did at once.</summary>
internal sealed class LeaderElectionConcurrency
{
    private int _now;
    private int _most;

    public int Most => Volatile.Read(ref _most);

    public void Enter()
    {
        var now = Interlocked.Increment(ref _now);
        int most;
        while (now > (most = Volatile.Read(ref _most)) && Interlocked.CompareExchange(ref _most, now, most) != most)
        {
        }
    }

    public void Leave() => Interlocked.Decrement(ref _now);
}
