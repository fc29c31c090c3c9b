using System.Globalization;
using System.Security.Cryptography;
using Lamina.Contracts.Lambda;
using Lamina.Gateway.Auth;
using Lamina.Gateway.Routing;

namespace Lamina.Gateway.Invoke;

/// <summary>
/// The answers to requests refused before anything runs, in the order docs/gateway-auth.md ("Before
/// the body") needs: a refusal the headers decided still checks the signature first, hashing the
/// body as it streams past (never buffered), so that a client without the key's secret learns
/// nothing of what the key may invoke; and the answers for a body that could not be read or kept.
/// </summary>
internal sealed class InvokeRefusals(IRequestAuthenticator authenticator, RequestBodyReader bodies)
{
    /// <summary>
    /// A refusal the headers decided (name, grant, function, parameters). When the signature is
    /// still to be checked, a wrong signature is answered instead, as before any other check.
    /// True when <paramref name="message"/> was the answer.
    /// </summary>
    public async Task<bool> RefuseAsync(HttpContext context, AuthResult.Authenticated authenticated, int status, string exception, string message)
    {
        if (authenticated.SignaturePending)
        {
            var hash = new byte[SHA256.HashSizeInBytes];
            BodyReadStatus read;
            try
            {
                read = await bodies.HashAsync(context.Request, LambdaInvokeApi.MaximumPayload, hash, context.RequestAborted).ConfigureAwait(false);
            }
            catch (Exception e) when (e is IOException or BadHttpRequestException or EndOfStreamException or OperationCanceledException)
            {
                await UnreadableAsync(context, e).ConfigureAwait(false);
                return false;
            }

            if (read != BodyReadStatus.Read)
            {
                await BodyRefusedAsync(context, read).ConfigureAwait(false);
                return false;
            }

            if (authenticator.VerifyBody(context.Request, authenticated, hash) is { } denied)
            {
                await LambdaErrors.WriteAsync(context, StatusCodes.Status403Forbidden, denied.Exception, denied.Message).ConfigureAwait(false);
                return false;
            }
        }

        await LambdaErrors.WriteAsync(context, status, exception, message).ConfigureAwait(false);
        return true;
    }

    /// <summary>The body broke off or was malformed on the wire.</summary>
    public static Task UnreadableAsync(HttpContext context, Exception e) =>
        context.RequestAborted.IsCancellationRequested
            ? Task.CompletedTask // the caller went away: nobody reads an answer
            : LambdaErrors.WriteAsync(context, StatusCodes.Status400BadRequest, LambdaErrorCodes.InvalidRequestContent, $"The request body could not be read: {e.Message}");

    /// <summary>The body was larger than Lambda allows, or the gateway's body budget was spent.</summary>
    public static Task BodyRefusedAsync(HttpContext context, BodyReadStatus status) => status switch
    {
        BodyReadStatus.TooLarge => LambdaErrors.WriteAsync(context, StatusCodes.Status413PayloadTooLarge, LambdaErrorCodes.RequestTooLarge,
            string.Create(CultureInfo.InvariantCulture, $"Request must be smaller than {LambdaInvokeApi.MaximumPayload} bytes for the InvokeFunction operation")),
        // Lambda's throttle: the SDKs back off and retry it, which is what a full gateway needs of its callers.
        _ => LambdaErrors.WriteAsync(context, StatusCodes.Status429TooManyRequests, LambdaErrorCodes.TooManyRequests,
            "Rate Exceeded. The gateway is holding as many request bodies as it may; retry.", reason: ThrottleReasons.GatewayBuffers, retryAfterSeconds: 1),
    };
}
