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

    public RawClient() { }

    /// <summary>A client connected at once (blocking connect on loopback), for tests that write <c>using var raw = new RawClient(endPoint)</c>.</summary>
    public RawClient(IPEndPoint endPoint) => _socket.Connect(endPoint);

    /// <summary>
    /// Sends one command as a RESP array and reads exactly one reply; a one-line reply comes back without its CRLF
    /// (<c>+OK</c>, <c>*-1</c>), a longer one as its raw text.
    /// </summary>
    public async Task<string> CommandAsync(params string[] args)
    {
        var request = new StringBuilder().Append('*').Append(args.Length).Append("\r\n");
        foreach (var a in args) request.Append('$').Append(Encoding.UTF8.GetByteCount(a)).Append("\r\n").Append(a).Append("\r\n");
        await SendAsync(request.ToString());
        var text = new StringBuilder();
        var buffer = new byte[64 * 1024];
        using var timeout = new CancellationTokenSource(10_000);
        while (true)
        {
            int n = await _socket.ReceiveAsync(buffer, SocketFlags.None, timeout.Token);
            if (n == 0) return text.Append("<closed>").ToString();
            text.Append(Encoding.UTF8.GetString(buffer, 0, n));
            int end = CompleteReplyLength(text.ToString(), 0);
            if (end < 0) continue;
            var reply = text.ToString(0, end);
            return reply.IndexOf("\r\n", StringComparison.Ordinal) == reply.Length - 2 ? reply[..^2] : reply;
        }
    }

    private readonly StringBuilder _unread = new();

    /// <summary>Sends one command as a RESP array without reading anything.</summary>
    public Task SendCommandAsync(params string[] args) => SendAsync(Encode(args));

    /// <summary>A command as a RESP array of bulk strings.</summary>
    public static string Encode(params string[] args)
    {
        var request = new StringBuilder().Append('*').Append(args.Length).Append("\r\n");
        foreach (var a in args) request.Append('$').Append(Encoding.UTF8.GetByteCount(a)).Append("\r\n").Append(a).Append("\r\n");
        return request.ToString();
    }

    /// <summary>
    /// Reads exactly one RESP value, as its raw text (CRLFs included), and keeps whatever arrived after it for the next
    /// read: a stream of replies and pushes can be checked value by value, with nothing skipped. "&lt;closed&gt;" when the
    /// server closed first; throws when nothing complete arrives within <paramref name="timeoutMs"/>.
    /// </summary>
    public async Task<string> ReadValueAsync(int timeoutMs = 10_000)
    {
        var buffer = new byte[64 * 1024];
        using var timeout = new CancellationTokenSource(timeoutMs);
        while (true)
        {
            if (_unread.Length > 0)
            {
                var text = _unread.ToString();
                int end = CompleteReplyLength(text, 0);
                if (end > 0)
                {
                    _unread.Remove(0, end);
                    return text[..end];
                }
            }
            int n;
            try { n = await _socket.ReceiveAsync(buffer, SocketFlags.None, timeout.Token); }
            catch (OperationCanceledException) { throw new TimeoutException($"no complete reply within {timeoutMs} ms; have: {_unread}"); }
            catch (SocketException) { return "<closed>"; }
            if (n == 0) return "<closed>";
            _unread.Append(Encoding.UTF8.GetString(buffer, 0, n));
        }
    }

    /// <summary>Sends one command and reads one value with <see cref="ReadValueAsync"/>.</summary>
    public async Task<string> CallAsync(params string[] args)
    {
        await SendCommandAsync(args);
        return await ReadValueAsync();
    }

    /// <summary>Where the RESP value starting at <paramref name="at"/> ends, or -1 when it is not complete yet.</summary>
    private static int CompleteReplyLength(string text, int at)
    {
        int eol = text.IndexOf("\r\n", at, StringComparison.Ordinal);
        if (eol < 0) return -1;
        char type = text[at];
        int after = eol + 2;
        if (type is '+' or '-' or ':' or '_' or ',' or '#' or '(') return after;
        long n = long.Parse(text.AsSpan(at + 1, eol - at - 1));
        if (type is '$' or '=' or '!')
        {
            if (n < 0) return after;
            // Bulk lengths are bytes; the tests use ASCII payloads.
            return text.Length >= after + n + 2 ? after + (int)n + 2 : -1;
        }
        if (n < 0) return after;
        long items = type is '%' or '|' ? n * 2 : n;
        for (long i = 0; i < items; i++)
        {
            if (after >= text.Length) return -1;
            after = CompleteReplyLength(text, after);
            if (after < 0) return -1;
        }
        return after;
    }

    public void Dispose() => _socket.Dispose();
}
