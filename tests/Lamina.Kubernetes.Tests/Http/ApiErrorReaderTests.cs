using System.Net;
using System.Text;
using Lamina.Kubernetes.Client;
using Lamina.Kubernetes.Http;
using Lamina.Testing;

namespace Lamina.Kubernetes.Tests.Http;

[Trait(TestTiers.Category, TestTiers.Unit)]
public sealed class ApiErrorReaderTests
{
    [Fact]
    public void FromBody_InvalidStatus_ReasonMessageAndCauses()
    {
        const string body = """
            {"kind":"Status","apiVersion":"v1","metadata":{},"status":"Failure",
             "message":"Deployment.apps \"web\" is invalid: spec.replicas: Invalid value: -1: must be greater than or equal to 0",
             "reason":"Invalid","details":{"name":"web","group":"apps","kind":"Deployment",
             "causes":[{"reason":"FieldValueInvalid","message":"Invalid value: -1: must be greater than or equal to 0","field":"spec.replicas"}]},"code":422}
            """;

        var error = ApiErrorReader.FromBody(HttpStatusCode.UnprocessableEntity, "Unprocessable Entity", Encoding.UTF8.GetBytes(body), "POST", "/apis/apps/v1/namespaces/ns/deployments");

        Assert.True(error.IsInvalid);
        Assert.Equal(StatusReasons.Invalid, error.Reason);
        Assert.StartsWith("Deployment.apps \"web\" is invalid", error.Message, StringComparison.Ordinal);
        var cause = Assert.Single(error.Status!.Details!.Causes!);
        Assert.Equal("spec.replicas", cause.Field);
        Assert.Equal("FieldValueInvalid", cause.Reason);
    }

    [Fact]
    public void FromBody_AlreadyExists_AlreadyExistsNotConflict()
    {
        const string body = """{"kind":"Status","status":"Failure","message":"secrets \"s\" already exists","reason":"AlreadyExists","code":409}""";

        var error = ApiErrorReader.FromBody(HttpStatusCode.Conflict, "Conflict", Encoding.UTF8.GetBytes(body), "POST", "/api/v1/namespaces/ns/secrets");

        Assert.True(error.IsAlreadyExists);
        Assert.False(error.IsConflict);
    }

    [Fact]
    public void FromBody_Conflict_ConflictNotAlreadyExists()
    {
        const string body = """{"kind":"Status","status":"Failure","message":"Operation cannot be fulfilled","reason":"Conflict","code":409}""";

        var error = ApiErrorReader.FromBody(HttpStatusCode.Conflict, "Conflict", Encoding.UTF8.GetBytes(body), "PUT", "/p");

        Assert.True(error.IsConflict);
        Assert.False(error.IsAlreadyExists);
    }

    [Fact]
    public void FromBody_HtmlFromAProxy_MessageHasRequestStatusLineAndBody()
    {
        var error = ApiErrorReader.FromBody(HttpStatusCode.BadGateway, "Bad Gateway", "<html><body>upstream down</body></html>"u8, "GET", "/api/v1/pods");

        Assert.Null(error.Status);
        Assert.Equal("GET /api/v1/pods: the API server answered 502 Bad Gateway: <html><body>upstream down</body></html>", error.Message);
    }

    [Fact]
    public void FromBody_JsonThatIsNotAStatus_FallbackMessageQuotesIt()
    {
        var error = ApiErrorReader.FromBody(HttpStatusCode.Forbidden, null, """{"error":"nope"}"""u8, "GET", "/x");

        Assert.Null(error.Status);
        Assert.Equal("GET /x: the API server answered 403 Forbidden: {\"error\":\"nope\"}", error.Message);
    }

    [Fact]
    public void FromBody_Empty_StatusLineOnly()
    {
        var error = ApiErrorReader.FromBody(HttpStatusCode.Unauthorized, "Unauthorized", [], "GET", "/x");

        Assert.Equal("GET /x: the API server answered 401 Unauthorized", error.Message);
    }

    [Fact]
    public void FromBody_LongText_QuotedUpTo512Characters()
    {
        var error = ApiErrorReader.FromBody(HttpStatusCode.InternalServerError, "Internal Server Error", Encoding.UTF8.GetBytes(new string('x', 5000)), "GET", "/x");

        Assert.EndsWith(new string('x', 512) + "…", error.Message, StringComparison.Ordinal);
    }
}
