using Lamina.Cli;
using Lamina.Testing;

namespace Lamina.CodeStore.Tests;

[Trait(TestTiers.Category, TestTiers.Unit)]
public sealed class CodePushArgumentsTests
{
    [Fact]
    public void TryParse_EverythingGiven_Parsed()
    {
        Assert.True(CodePushArguments.TryParse(
            ["f.zip", "--namespace", "team-a", "--layer", "--store", "https://r", "--username", "u", "--password-file", "/p", "--insecure-skip-tls-verify"],
            static _ => null,
            out var parsed,
            out _));

        Assert.Equal(new CodePushArguments("f.zip", "team-a", true, "https://r", "u", "/p", true), parsed);
    }

    [Fact]
    public void TryParse_StoreAndCredentialsFromTheEnvironment_OptionsWin()
    {
        var environment = new Dictionary<string, string>
        {
            [CodePushArguments.StoreVariable] = "http://env",
            [CodePushArguments.UsernameVariable] = "env-user",
            [CodePushArguments.PasswordFileVariable] = "/env",
        };

        Assert.True(CodePushArguments.TryParse(["f.zip", "-n", "a", "--username", "flag-user"], name => environment.GetValueOrDefault(name), out var parsed, out _));

        Assert.Equal(new CodePushArguments("f.zip", "a", false, "http://env", "flag-user", "/env", false), parsed);
    }

    [Theory]
    [InlineData("--namespace a", "name the zip")]
    [InlineData("f.zip --store http://r", "--namespace is required")]
    [InlineData("f.zip -n a", "--store (or $LAMINA_CODE_STORE) is required")]
    [InlineData("f.zip -n a --store http://r --bogus", "unknown option --bogus")]
    [InlineData("f.zip g.zip -n a --store http://r", "one zip at a time")]
    [InlineData("f.zip --namespace", "--namespace needs a value")]
    public void TryParse_Wrong_SaysWhat(string line, string expected)
    {
        Assert.False(CodePushArguments.TryParse(line.Split(' '), static _ => null, out _, out var problem));
        Assert.Contains(expected, problem, StringComparison.Ordinal);
    }
}
