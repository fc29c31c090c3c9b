using System.Security.Cryptography;
using System.Text;

namespace Lamina.Gateway.Tests.Auth;

/// <summary>
/// SigV4 written out the plain way, independently of the code under test: the string to sign and
/// the HMAC chain over a canonical request the test spells out.
/// </summary>
internal static class TestSigner
{
    /// <summary>The key id and secret of AWS's SigV4 test suite.</summary>
    public const string KeyId = "AKIDEXAMPLE";

    public const string Secret = "wJalrXUtnFEMI/K7MDENG+bPxRfiCYEXAMPLEKEY";

    public static string Signature(string secret, string amzDate, string region, string service, string canonicalRequest)
    {
        var date = amzDate[..8];
        var stringToSign = $"AWS4-HMAC-SHA256\n{amzDate}\n{date}/{region}/{service}/aws4_request\n{Sha256Hex(Encoding.UTF8.GetBytes(canonicalRequest))}";
        var key = Encoding.UTF8.GetBytes("AWS4" + secret);
        foreach (var part in new[] { date, region, service, "aws4_request" })
        {
            key = HMACSHA256.HashData(key, Encoding.UTF8.GetBytes(part));
        }

        return Convert.ToHexStringLower(HMACSHA256.HashData(key, Encoding.UTF8.GetBytes(stringToSign)));
    }

    public static string Sha256Hex(byte[] bytes) => Convert.ToHexStringLower(SHA256.HashData(bytes));
}
