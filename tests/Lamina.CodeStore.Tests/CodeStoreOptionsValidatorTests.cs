using Lamina.Testing;

namespace Lamina.CodeStore.Tests;

[Trait(TestTiers.Category, TestTiers.Unit)]
public sealed class CodeStoreOptionsValidatorTests : IDisposable
{
    private readonly string _passwordFile = Path.GetTempFileName();

    public void Dispose() => File.Delete(_passwordFile);

    [Fact]
    public void Validate_BundledRegistrySettings_Success()
    {
        var options = new CodeStoreOptions { Url = "http://lamina-code-store.lamina-system.svc:5000", Username = "lamina", PasswordFile = _passwordFile };

        Assert.True(new CodeStoreOptionsValidator().Validate(null, options).Succeeded);
    }

    [Fact]
    public void Validate_NothingSet_SuccessAndNotConfigured()
    {
        var options = new CodeStoreOptions();

        Assert.True(new CodeStoreOptionsValidator().Validate(null, options).Succeeded);
        Assert.False(options.IsConfigured);
    }

    [Theory]
    [InlineData("registry:5000", "", "", false, "absolute http:// or https://")]
    [InlineData("ftp://registry", "", "", false, "absolute http:// or https://")]
    [InlineData("http://user:secret@registry:5000", "", "", false, "without credentials")]
    [InlineData("http://registry:5000", "", "", true, "is not https")]
    [InlineData("http://registry:5000", "lamina", "", false, "go together")]
    [InlineData("http://registry:5000", "", "PASSWORD", false, "go together")]
    [InlineData("http://registry:5000", "lamina", "/nonexistent/password", false, "does not exist")]
    [InlineData("", "lamina", "PASSWORD", false, "Url is empty")]
    public void Validate_BadSettings_FailNamingTheSetting(string url, string username, string passwordFile, bool insecure, string expected)
    {
        var options = new CodeStoreOptions { Url = url, Username = username, PasswordFile = passwordFile == "PASSWORD" ? _passwordFile : passwordFile, InsecureSkipTlsVerify = insecure };

        var result = new CodeStoreOptionsValidator().Validate(null, options);

        Assert.True(result.Failed);
        Assert.Contains(expected, result.FailureMessage, StringComparison.Ordinal);
        Assert.DoesNotContain("secret", result.FailureMessage, StringComparison.Ordinal);
    }
}
