using System.Net;
using System.Net.Sockets;
using System.Text;

namespace Orleans.Cache.Tests.Resp;

/// <summary>A bare TCP client that sends exact bytes and reads what comes back, for malformed-frame tests.</summary>
public sealed class RawClient : IDisposable
{
    private readonly Socket _socket = new(AddressFamily.InterNetwork, SocketType.Stream, ProtocolType.Tcp);

    public static async Task<RawClient> ConnectAsync(IPEndPoint endPoint)
    {
        var client = new RawClient();
        await client._socket.ConnectAsync(endPoint);
        return client;
    }

    public Task SendAsync(string text) => SendAsync(Encoding.UTF8.GetBytes(text));

    public async Task SendAsync(byte[] bytes)
    {
        try { await _socket.SendAsync(bytes); }
        catch (SocketException) { } // the server may already have closed on us; the reply tells
    }

    /// <summary>
    /// Waits up to 5 s for a reply to start, then reads until the server closes or nothing more arrives for
    /// <paramref name="quietMs"/>; "&lt;closed&gt;" marks a close. With <paramref name="expectReply"/> false it only
    /// waits <paramref name="quietMs"/> for anything, for requests that must get no answer (yet).
    /// </summary>
    public async Task<string> ReceiveAsync(int quietMs = 500, bool expectReply = true)
    {
        var text = new StringBuilder();
        var buffer = new byte[64 * 1024];
        while (true)
        {
            using var quiet = new CancellationTokenSource(text.Length == 0 && expectReply ? 5000 : quietMs);
            int n;
            try { n = await _socket.ReceiveAsync(buffer, SocketFlags.None, quiet.Token); }
            catch (OperationCanceledException) { return text.ToString(); }
            catch (SocketException) { return text.Append("<closed>").ToString(); }
            if (n == 0) return text.Append("<closed>").ToString();
            text.Append(Encoding.UTF8.GetString(buffer, 0, n));
        }
    }

    /// <summary>Reads until <paramref name="until"/> arrived (or the server closes / goes quiet).</summary>
    public async Task<string> ReceiveAsync(string until, int timeoutMs = 5000)
    {
        var text = new StringBuilder();
        var buffer = new byte[64 * 1024];
        using var timeout = new CancellationTokenSource(timeoutMs);
        while (!text.ToString().Contains(until))
        {
            int n;
            try { n = await _socket.ReceiveAsync(buffer, SocketFlags.None, timeout.Token); }
            catch (OperationCanceledException) { break; }
            catch (SocketException) { return text.Append("<closed>").ToString(); }
            if (n == 0) return text.Append("<closed>").ToString();
            text.Append(Encoding.UTF8.GetString(buffer, 0, n));
        }
        return text.ToString();
    }

    public async Task<string> RoundTripAsync(string request, int quietMs = 500, bool expectReply = true)
    {
        await SendAsync(request);
        return await ReceiveAsync(quietMs, expectReply);
    }

    public void Dispose() => _socket.Dispose();
}
