using System.Net;

namespace Lamina.Testing;

/// <summary>An <see cref="HttpListener"/> started on a free port of one address.</summary>
public static class FreeHttpListener
{
    /// <summary>
    /// Starts a listener on <paramref name="address"/> and a free port; returns it with the URL of
    /// <paramref name="path"/> on it. Takes another port when someone took this one first.
    /// </summary>
    public static (HttpListener Listener, Uri Url) Start(string address, string path)
    {
        for (var attempt = 0; ; attempt++)
        {
            var url = new Uri($"http://{address}:{FreePort.Next()}{path}");
            var listener = new HttpListener();
            listener.Prefixes.Add(url.GetLeftPart(UriPartial.Authority) + "/");
            try
            {
                listener.Start();
                return (listener, url);
            }
            catch (HttpListenerException) when (attempt < 5)
            {
                // Someone took the port between FreePort and Start: take another.
                listener.Close();
            }
        }
    }
}
