using System.Diagnostics;
using System.Text;
using k8s.Models;
using Lamina.Contracts.Shim;

namespace Lamina.Bench.Cluster;

/// <summary>
/// The cold start's baseline: a pod started the same way as a function's environment (the pod template
/// the operator built: the shim's init container, the function container, the same image and command)
/// but created directly, with no Deployment and no Lamina in the way; timed from the create request to
/// the answer of a direct invoke on its pod IP. Its token hash is the bench's own (<see cref="Token"/>),
/// as a shim without one refuses every caller.
/// </summary>
internal static class BarePod
{
    private const string TokenVariable = "LAMINA_INVOKE_TOKEN_SHA256";

    /// <summary>The token the bench presents to its bare pods, made anew each run.</summary>
    private static readonly string Token = Convert.ToHexStringLower(System.Security.Cryptography.RandomNumberGenerator.GetBytes(32));

    private static readonly string TokenHash = Convert.ToHexStringLower(System.Security.Cryptography.SHA256.HashData(Encoding.UTF8.GetBytes(Token)));

    /// <summary>The on-demand pod template of <paramref name="function"/>, as a pod named <paramref name="name"/> that nothing owns or selects.</summary>
    public static async Task<V1Pod> FromFunctionAsync(ClusterScope scope, string function, string name)
    {
        var deployment = await scope.Namespace.Client.GetAsync<V1Deployment>(scope.Name, $"{function}-fn");
        var spec = deployment.Spec.Template.Spec;
        foreach (var container in spec.Containers)
        {
            if (container.Env?.Any(variable => variable.Name == TokenVariable) == true)
            {
                container.Env = [.. container.Env.Where(variable => variable.Name != TokenVariable), new V1EnvVar { Name = TokenVariable, Value = TokenHash }];
            }
        }

        return new V1Pod
        {
            Metadata = new V1ObjectMeta { Name = name, NamespaceProperty = scope.Name, Labels = new Dictionary<string, string> { ["lamina.dev/bench"] = "bare" } },
            Spec = spec,
        };
    }

    /// <summary>Creates <paramref name="pod"/> and invokes it directly once its shim is ready: the phases, on the bench's clock.</summary>
    public static async Task<ColdStart> StartAndInvokeAsync(ClusterScope scope, PodTimeline timeline, V1Pod pod)
    {
        var sent = Stopwatch.GetTimestamp();
        await scope.Namespace.Client.CreateAsync(pod);
        var (answering, ready) = await timeline.ProbeReadyAsync(scope.Http, pod.Metadata.Name, TimeSpan.FromMinutes(3));
        var phases = timeline.Pod(pod.Metadata.Name);
        using var request = new HttpRequestMessage(HttpMethod.Post, new Uri($"http://{phases.Ip}:8080/lamina/v1/invoke"))
        {
            Content = new StringContent("""{"bench":"bare pod"}""", Encoding.UTF8, "application/json"),
        };
        request.Headers.Add(ShimInvokeContract.Headers.RequestId, Guid.NewGuid().ToString("D"));
        request.Headers.Add(ShimInvokeContract.Headers.Token, Token);
        using var response = await scope.Http.SendAsync(request);
        await response.Content.ReadAsByteArrayAsync();
        var answered = Stopwatch.GetTimestamp();
        if (!response.IsSuccessStatusCode)
        {
            throw new InvalidOperationException($"bench: the bare pod {pod.Metadata.Name} answered {(int)response.StatusCode}");
        }

        return new ColdStart(sent, null, phases.Created, phases.Scheduled, answering, ready, answered);
    }

    public static Task DeleteAsync(ClusterScope scope, string name) =>
        scope.Namespace.Client.DeleteAsync<V1Pod>(scope.Name, name, new Lamina.Kubernetes.Client.DeleteOptions { GracePeriodSeconds = 0 });
}
