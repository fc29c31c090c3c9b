namespace Lamina.Operator.Hosting;

/// <summary>The operator program (being assembled).</summary>
internal static class OperatorHost
{
    public static Task<int> RunAsync(string[] args) => Task.FromResult(args.Length);
}
