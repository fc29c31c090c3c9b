using Lamina.Concurrency.V1;
using Lamina.Operator.Concurrency;

namespace Lamina.Operator.Tests.Concurrency;

/// <summary>Seeded random sequences over the whole state: the reserved cap holds and no environment has two leases.</summary>
public sealed partial class ConcurrencyStateTests
{
    // ------------------------------------------------------------------ random sequences

    [Fact]
    public void Receive_RandomSequences_NeverAboveReservedAndNeverTwoLeasesOnOneEnvironment()
    {
        for (var seed = 1; seed <= 300; seed++)
        {
            RandomSequence.Run(seed, steps: 400, reconnects: false);
        }
    }

    [Fact]
    public void Receive_RandomSequencesWithReconnects_NeverAboveReservedAndNeverTwoLeasesOnOneEnvironment()
    {
        for (var seed = 1; seed <= 300; seed++)
        {
            RandomSequence.Run(seed, steps: 400, reconnects: true);
        }
    }

    /// <summary>
    /// Three gateways against reserved 3 and six environments: acquires, releases, reclaim answers,
    /// cancels, environment changes and ticks (and, with reconnects, streams that end and come back,
    /// disconnect first) in a seeded order. After every step: at most 3 leases, as many as the
    /// controller should still count, each grant on a serving environment no gateway holds a usable
    /// lease on, and each ticket answered once.
    /// </summary>
    private sealed class RandomSequence
    {
        private const int Reserved = 3;
        private readonly ConcurrencyHarness _harness;
        private readonly Random _random;
        private readonly int _seed;
        private readonly bool _reconnects;
        private readonly ModelEnvironment[] _environments = new ModelEnvironment[6];
        private readonly ModelGateway[] _gateways = new ModelGateway[3];
        private int _step;
        private string _operation = "setup";

        private RandomSequence(int seed, bool reconnects)
        {
            _seed = seed;
            _reconnects = reconnects;
            _random = new Random(seed);

            // Short TTLs so that gateways stay away long enough for their leases to expire.
            _harness = new ConcurrencyHarness(new ConcurrencyOptions { LeaseTtl = TimeSpan.FromSeconds(3), LeaseGrace = TimeSpan.FromSeconds(1) });
            _harness.State.StartLeading();
            _harness.Function(F, reserved: Reserved);
            for (var i = 0; i < _environments.Length; i++)
            {
                _environments[i] = new ModelEnvironment($"hello-fn-{i}");
                Apply(_environments[i]);
            }

            for (var i = 0; i < _gateways.Length; i++)
            {
                _gateways[i] = new ModelGateway($"gw-{i}", _harness.Connect($"gw-{i}"));
            }
        }

        private enum EnvironmentPhase
        {
            Serving,
            NotReady,
            Terminating,
            Gone,
        }

        private DateTimeOffset Now => _harness.Time.GetUtcNow();

        public static void Run(int seed, int steps, bool reconnects)
        {
            var sequence = new RandomSequence(seed, reconnects);
            sequence.Check();
            for (sequence._step = 1; sequence._step <= steps; sequence._step++)
            {
                sequence.Step();
                sequence.Check();
            }
        }

        private void Step()
        {
            var gateway = _gateways[_random.Next(_gateways.Length)];
            var roll = _random.Next(100);
            if (roll < 70 && !gateway.Connected)
            {
                if (_random.Next(10) == 0)
                {
                    Reconnect(gateway);
                }
                else
                {
                    _operation = $"{gateway.Name} stays away";
                }
            }
            else if (roll < 30)
            {
                var count = _random.Next(1, 3);
                _operation = $"{gateway.Name} acquires {count}";
                foreach (var ticket in gateway.Stream.Acquire(F, count))
                {
                    gateway.Pending.Add(ticket);
                }
            }
            else if (roll < 50)
            {
                if (gateway.Held.Count == 0)
                {
                    _operation = "nothing to release";
                    return;
                }

                // Revoked leases first when there are some: a gateway gives them back when their invocation ends.
                var candidates = gateway.Revoked.Count > 0 && _random.Next(2) == 0 ? gateway.Revoked.ToArray() : gateway.Held.Keys.ToArray();
                var lease = candidates[_random.Next(candidates.Length)];
                _operation = $"{gateway.Name} releases {lease}";
                gateway.Forget(lease);
                gateway.Stream.Release(lease);
            }
            else if (roll < 65)
            {
                _operation = $"{gateway.Name} answers {gateway.Reclaims.Count} reclaims";
                foreach (var reclaim in gateway.Reclaims)
                {
                    var idle = gateway.Held.Keys.Where(id => !gateway.Revoked.Contains(id)).OrderBy(_ => _random.Next()).ToList();
                    var give = _random.Next(Math.Min(reclaim.Count, idle.Count) + 1);
                    var released = idle.Take(give).ToArray();
                    foreach (var lease in released)
                    {
                        gateway.Forget(lease);
                    }

                    gateway.Stream.AnswerReclaim(reclaim.Round, gateway.Held.Count, released);
                }

                gateway.Reclaims.Clear();
            }
            else if (roll < 70)
            {
                if (gateway.Pending.Count == 0)
                {
                    _operation = "nothing to cancel";
                    return;
                }

                var ticket = gateway.Pending.ElementAt(_random.Next(gateway.Pending.Count));
                _operation = $"{gateway.Name} cancels {ticket}";
                gateway.Pending.Remove(ticket);
                gateway.Stream.Cancel(ticket);
            }
            else if (roll < 84)
            {
                ChangeEnvironment();
            }
            else if (roll < 97 || !_reconnects)
            {
                var by = TimeSpan.FromMilliseconds(_random.Next(0, 1500));
                _operation = $"advance {by.TotalMilliseconds} ms and tick";
                _harness.AdvanceAndTick(by);
                foreach (var away in _gateways)
                {
                    if (!away.Connected && Now >= away.DisconnectedAt + _harness.Options.LeaseTtl + _harness.Options.LeaseGrace)
                    {
                        away.CountedWhileAway = 0; // the controller let its leases go
                    }
                }
            }
            else if (gateway.Connected)
            {
                _operation = $"{gateway.Name}'s stream ends";
                gateway.Connected = false;
                gateway.DisconnectedAt = Now;
                gateway.CountedWhileAway = gateway.Held.Count;
                gateway.Reclaims.Clear();
                gateway.Stream.Disconnect();
            }
            else
            {
                _operation = $"{gateway.Name} stays away";
            }
        }

        private void Reconnect(ModelGateway gateway)
        {
            // The gateway stopped using its leases LeaseTtl after the last message it received.
            var dropped = Now >= gateway.DisconnectedAt + _harness.Options.LeaseTtl;
            if (dropped)
            {
                gateway.Held.Clear();
                gateway.Revoked.Clear();
            }

            _operation = $"{gateway.Name} reconnects holding {gateway.Held.Count} and waiting for {gateway.Pending.Count}";
            gateway.Connected = true;
            gateway.Stream = _harness.Connect(
                gateway.Name,
                held: gateway.Held.Values.Select(held => held.Lease),
                pending: gateway.Pending.Select(ticket => ConcurrencyHarness.Ticket(F, ticket)),
                firstTicket: gateway.Stream.NextTicket);
        }

        private void ChangeEnvironment()
        {
            var environment = _environments[_random.Next(_environments.Length)];
            var before = environment.Phase;
            environment.Phase = environment.Phase switch
            {
                EnvironmentPhase.Serving => Pick(EnvironmentPhase.NotReady, EnvironmentPhase.Terminating, EnvironmentPhase.Gone),
                EnvironmentPhase.NotReady => Pick(EnvironmentPhase.Serving, EnvironmentPhase.Terminating, EnvironmentPhase.Gone),
                EnvironmentPhase.Terminating => EnvironmentPhase.Gone,
                _ => Pick(EnvironmentPhase.Serving, EnvironmentPhase.NotReady),
            };
            if (before == EnvironmentPhase.Gone)
            {
                environment.Generation++; // a new pod under the same name
            }

            _operation = $"{environment.Pod} {before} -> {environment.Phase} (uid {environment.Uid})";
            Apply(environment);
        }

        private EnvironmentPhase Pick(params EnvironmentPhase[] phases) => phases[_random.Next(phases.Length)];

        private void Apply(ModelEnvironment environment)
        {
            if (environment.Phase == EnvironmentPhase.Gone)
            {
                _harness.State.RemoveEnvironment(F, environment.Pod);
                return;
            }

            _harness.SetEnvironment(F, environment.Pod, environment.Phase == EnvironmentPhase.Serving,
                environment.Phase == EnvironmentPhase.Terminating, uid: environment.Uid);
        }

        private void Check()
        {
            var where = $"seed {_seed}, step {_step} ({_operation})";
            foreach (var gateway in _gateways)
            {
                if (!gateway.Connected && Now >= gateway.DisconnectedAt + _harness.Options.LeaseTtl)
                {
                    gateway.Held.Clear(); // no longer used by the gateway; the controller may still count them
                    gateway.Revoked.Clear();
                }
            }

            foreach (var gateway in _gateways)
            {
                var message = gateway.Stream.Take();
                if (!gateway.Connected)
                {
                    // Nothing written to a stream that has ended reaches the gateway.
                    Assert.True(message.Grants.Count == 0, $"{where}: {message.Grants.Count} grants to {gateway.Name}'s ended stream");
                    continue;
                }

                foreach (var grant in message.Grants)
                {
                    Assert.True(gateway.Pending.Remove(grant.Ticket), $"{where}: {gateway.Name} granted ticket {grant.Ticket}, which is not waiting");
                    var environment = _environments.Single(e => e.Pod == grant.Lease.Pod);
                    Assert.True(environment.Phase == EnvironmentPhase.Serving, $"{where}: {grant.Lease.LeaseId} granted on {grant.Lease.Pod}, which is {environment.Phase}");
                    var holder = _gateways.FirstOrDefault(g => g.Held.Values.Any(held => held.Lease.Pod == environment.Pod && held.Uid == environment.Uid));
                    Assert.True(holder is null, $"{where}: {grant.Lease.LeaseId} granted on {environment.Pod} ({environment.Uid}), which {holder?.Name} holds");
                    gateway.Held.Add(grant.Lease.LeaseId, new HeldLease(grant.Lease, environment.Uid));
                }

                foreach (var refusal in message.Refusals)
                {
                    Assert.True(gateway.Pending.Remove(refusal.Ticket), $"{where}: {gateway.Name} refused ticket {refusal.Ticket}, which is not waiting");
                    Assert.Equal(RefusalReason.ReservedLimitExceeded, refusal.Reason);
                }

                foreach (var revoke in message.Revokes)
                {
                    if (gateway.Held.ContainsKey(revoke))
                    {
                        gateway.Revoked.Add(revoke);
                    }
                }

                gateway.Reclaims.AddRange(message.Reclaims);
            }

            var leases = _harness.State.LeaseCount(F);
            Assert.True(leases <= Reserved, $"{where}: {leases} leases, reserved {Reserved}");
            var counted = _gateways.Sum(g => g.Connected ? g.Held.Count : g.CountedWhileAway);
            Assert.True(leases == counted, $"{where}: the controller counts {leases} leases, it should count {counted}");
        }

        private sealed record HeldLease(Lease Lease, string Uid);

        private sealed class ModelEnvironment(string pod)
        {
            public string Pod { get; } = pod;

            public int Generation { get; set; }

            public string Uid => $"{Pod}-uid-{Generation}";

            public EnvironmentPhase Phase { get; set; } = EnvironmentPhase.Serving;
        }

        private sealed class ModelGateway(string name, FakeGateway stream)
        {
            public string Name { get; } = name;

            public FakeGateway Stream { get; set; } = stream;

            public bool Connected { get; set; } = true;

            public DateTimeOffset DisconnectedAt { get; set; }

            /// <summary>While away: the leases the controller still counts for it (until they expire or it comes back).</summary>
            public int CountedWhileAway { get; set; }

            public HashSet<ulong> Pending { get; } = [];

            /// <summary>Leases the gateway may use, by id, each with the uid of the pod it was granted on.</summary>
            public Dictionary<string, HeldLease> Held { get; } = new(StringComparer.Ordinal);

            public HashSet<string> Revoked { get; } = new(StringComparer.Ordinal);

            public List<Reclaim> Reclaims { get; } = [];

            public void Forget(string lease)
            {
                Held.Remove(lease);
                Revoked.Remove(lease);
            }
        }
    }
}
