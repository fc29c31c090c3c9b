using Lamina.Gateway.Auth;
using Lamina.Testing;
using Microsoft.AspNetCore.Http;

namespace Lamina.Gateway.Tests.Auth;

/// <summary>The canonical request's pieces, each against what botocore computes for the same input.</summary>
[Trait(TestTiers.Category, TestTiers.Unit)]
public sealed class SigV4CanonicalizerTests
{
    [Theory]
    [InlineData("/", "/")]
    [InlineData("/2015-03-31/functions/hello/invocations", "/2015-03-31/functions/hello/invocations")]
    [InlineData("/2015-03-31/functions/arn%3Aaws%3Alambda%3Aus-east-1%3A0%3Afunction%3Af%3A%24LATEST/invocations", "/2015-03-31/functions/arn%253Aaws%253Alambda%253Aus-east-1%253A0%253Afunction%253Af%253A%2524LATEST/invocations")]
    [InlineData("/2015-03-31/functions/a:b/invocations", "/2015-03-31/functions/a%3Ab/invocations")]
    [InlineData("/a//b/./c/../d/", "/a/b/d/")]
    [InlineData("/a/b/../..", "/")]
    [InlineData("/..", "/")]
    [InlineData("/~user/a-b_c.d", "/~user/a-b_c.d")]
    [InlineData("/caf%C3%A9", "/caf%25C3%25A9")]
    public void WriteCanonicalUri_PathAsSent_BotocoresCanonicalUri(string target, string expected)
    {
        var buffer = SigV4Buffer.Rent();

        SigV4Canonicalizer.WriteCanonicalUri(buffer, TestRequests.Create("POST", target, []));

        Assert.Equal(expected, buffer.ToString());
    }

    [Fact]
    public void WriteCanonicalUri_NoRawTarget_EncodesTheDecodedPathTwice()
    {
        var request = new DefaultHttpContext().Request;
        request.Path = "/2015-03-31/functions/arn:aws:lambda:us-east-1:0:function:f:$LATEST/invocations";
        var buffer = SigV4Buffer.Rent();

        SigV4Canonicalizer.WriteCanonicalUri(buffer, request);

        Assert.Equal("/2015-03-31/functions/arn%253Aaws%253Alambda%253Aus-east-1%253A0%253Afunction%253Af%253A%2524LATEST/invocations", buffer.ToString());
    }

    [Fact]
    public void WriteCanonicalUri_AbsoluteFormTarget_UsesItsPath()
    {
        var buffer = SigV4Buffer.Rent();

        SigV4Canonicalizer.WriteCanonicalUri(buffer, TestRequests.Create("POST", "http://gateway.test:8080/2015-03-31/functions/a%3Ab/invocations", []));

        Assert.Equal("/2015-03-31/functions/a%253Ab/invocations", buffer.ToString());
    }

    [Theory]
    [InlineData(null, "")]
    [InlineData("?", "")]
    [InlineData("?Qualifier=%24LATEST", "Qualifier=%24LATEST")]
    [InlineData("?Qualifier=$LATEST", "Qualifier=%24LATEST")]
    [InlineData("?b=2&a=1", "a=1&b=2")]
    [InlineData("?a=2&a=1", "a=1&a=2")]
    [InlineData("?Param2=value2&Param1=value1", "Param1=value1&Param2=value2")]
    [InlineData("?x", "x=")]
    [InlineData("?x=", "x=")]
    [InlineData("?k=a%2fb", "k=a%2Fb")]
    [InlineData("?k=%7E%41", "k=~A")]
    [InlineData("?k=a+b", "k=a%2Bb")]
    [InlineData("?k=%E2%9C%93&j=%zz", "j=%25zz&k=%E2%9C%93")]
    [InlineData("?k=✓", "k=%E2%9C%93")]
    public void WriteCanonicalQuery_QueryAsSent_SortedAndEncodedOnce(string? query, string expected)
    {
        var buffer = SigV4Buffer.Rent();

        SigV4Canonicalizer.WriteCanonicalQuery(buffer, query);

        Assert.Equal(expected, buffer.ToString());
    }

    [Fact]
    public void WriteCanonicalHeaders_ValuesWithWhitespace_TrimmedCollapsedAndJoined()
    {
        var headers = new HeaderDictionary
        {
            ["Host"] = "gateway.test",
            ["X-Amz-Date"] = "20260101T120000Z",
            ["My-Header"] = new(["  a \t b  ", "c"]),
        };
        var buffer = SigV4Buffer.Rent();

        SigV4Canonicalizer.WriteCanonicalHeaders(buffer, headers, "host;my-header;x-amz-date");

        Assert.Equal("host:gateway.test\nmy-header:a b,c\nx-amz-date:20260101T120000Z\n\nhost;my-header;x-amz-date", buffer.ToString());
    }

    [Fact]
    public void WriteCanonicalHeaders_NamesUnsortedOrInCapitals_SortedLowercase()
    {
        var headers = new HeaderDictionary { ["Host"] = "h", ["X-Amz-Date"] = "d" };
        var buffer = SigV4Buffer.Rent();

        SigV4Canonicalizer.WriteCanonicalHeaders(buffer, headers, "X-Amz-Date;Host");

        Assert.Equal("host:h\nx-amz-date:d\n\nhost;x-amz-date", buffer.ToString());
    }
}
