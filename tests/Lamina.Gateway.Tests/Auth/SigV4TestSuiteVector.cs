using System.Text;
using Microsoft.AspNetCore.Http;

namespace Lamina.Gateway.Tests.Auth;

/// <summary>
/// One request of AWS's published SigV4 test suite (aws-sig-v4-test-suite: service <c>service</c>,
/// region us-east-1, 20150830T123600Z, key AKIDEXAMPLE), with its published canonical request and signature.
/// </summary>
internal sealed record SigV4TestSuiteVector(
    string Name,
    string Method,
    string Target,
    IReadOnlyList<KeyValuePair<string, string>> Headers,
    string Body,
    string SignedHeaders,
    string CanonicalRequest,
    string Signature)
{
    public const string AmzDate = "20150830T123600Z";

    public static readonly DateTimeOffset SignedAt = new(2015, 8, 30, 12, 36, 0, TimeSpan.Zero);

    private const string EmptyBodyHash = "e3b0c44298fc1c149afbf4c8996fb92427ae41e4649b934ca495991b7852b855";

    public static IReadOnlyList<SigV4TestSuiteVector> All { get; } =
    [
        new(
            "get-vanilla", "GET", "/", Plain(), "", "host;x-amz-date",
            $"GET\n/\n\nhost:example.amazonaws.com\nx-amz-date:{AmzDate}\n\nhost;x-amz-date\n{EmptyBodyHash}",
            "5fa00fa31553b73ebf1942676e86291e8372ff2a2260956d9b8aae1d763fbf31"),
        new(
            "get-vanilla-query-order-key-case", "GET", "/?Param2=value2&Param1=value1", Plain(), "", "host;x-amz-date",
            $"GET\n/\nParam1=value1&Param2=value2\nhost:example.amazonaws.com\nx-amz-date:{AmzDate}\n\nhost;x-amz-date\n{EmptyBodyHash}",
            "b97d918cfa904a5beff61c982a1b6f458b799221646efd99d3219ec94cdf2500"),
        new(
            "post-vanilla", "POST", "/", Plain(), "", "host;x-amz-date",
            $"POST\n/\n\nhost:example.amazonaws.com\nx-amz-date:{AmzDate}\n\nhost;x-amz-date\n{EmptyBodyHash}",
            "5da7c1a2acd57cee7505fc6676e4e544621c30862966e37dddb68e92efbe5d6b"),
        new(
            "post-x-www-form-urlencoded", "POST", "/", Plain(Header("Content-Type", "application/x-www-form-urlencoded")), "Param1=value1",
            "content-type;host;x-amz-date",
            $"POST\n/\n\ncontent-type:application/x-www-form-urlencoded\nhost:example.amazonaws.com\nx-amz-date:{AmzDate}\n\ncontent-type;host;x-amz-date\n9095672bbd1f56dfc5b65f3e153adc8731a4a654192329106275f4c7b24d0b6e",
            "ff11897932ad3f4e8b18135d722051e5ac45fc38421b1da7b9d196a0fe09473a"),
        new(
            "get-header-value-trim", "GET", "/", Plain(Header("My-Header1", " value1"), Header("My-Header2", " \"a   b   c\"")), "",
            "host;my-header1;my-header2;x-amz-date",
            $"GET\n/\n\nhost:example.amazonaws.com\nmy-header1:value1\nmy-header2:\"a b c\"\nx-amz-date:{AmzDate}\n\nhost;my-header1;my-header2;x-amz-date\n{EmptyBodyHash}",
            "acc3ed3afb60bb290fc8d2dd0098b9911fcaa05412b367055dee359757a9c736"),
    ];

    public byte[] BodyBytes => Encoding.UTF8.GetBytes(Body);

    public string Authorization(string signature) =>
        $"AWS4-HMAC-SHA256 Credential={TestSigner.KeyId}/20150830/us-east-1/service/aws4_request, SignedHeaders={SignedHeaders}, Signature={signature}";

    public HttpRequest Build() => Build(Signature);

    public HttpRequest Build(string signature) =>
        TestRequests.Create(Method, Target, Headers.Append(new("Authorization", Authorization(signature))));

    public static SigV4TestSuiteVector Named(string name) => All.Single(v => v.Name == name);

    private static KeyValuePair<string, string> Header(string name, string value) => new(name, value);

    private static KeyValuePair<string, string>[] Plain(params KeyValuePair<string, string>[] more) =>
        [new("Host", "example.amazonaws.com"), new("X-Amz-Date", AmzDate), .. more];
}
