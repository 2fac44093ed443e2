using System.Net;
using System.Net.Sockets;
using System.Text;

namespace Orleans.Cache.Tests.Differential;

/// <summary>
/// One RESP connection that sends a command as a multibulk and reads back exactly one reply frame (RESP2 or RESP3,
/// attributes included), as the raw bytes the server sent, so two servers' replies can be compared byte for byte.
/// </summary>
public sealed class RespConnection : IDisposable
{
    private readonly Socket _socket = new(AddressFamily.InterNetwork, SocketType.Stream, ProtocolType.Tcp) { NoDelay = true };
    private readonly byte[] _buffer = new byte[64 * 1024];
    private int _start, _end;

    public static async Task<RespConnection> ConnectAsync(IPEndPoint endPoint)
    {
        var connection = new RespConnection();
        try { await connection._socket.ConnectAsync(endPoint); }
        catch { connection.Dispose(); throw; }
        return connection;
    }

    /// <summary>Encodes <paramref name="argv"/> as a RESP multibulk.</summary>
    public static byte[] Encode(IReadOnlyList<string> argv)
    {
        var text = new StringBuilder().Append('*').Append(argv.Count).Append("\r\n");
        foreach (var arg in argv) text.Append('$').Append(Encoding.UTF8.GetByteCount(arg)).Append("\r\n").Append(arg).Append("\r\n");
        return Encoding.UTF8.GetBytes(text.ToString());
    }

    /// <summary>Sends one command and returns its reply's bytes; <see cref="TimeoutException"/> when none came in time.</summary>
    public async Task<byte[]> CallAsync(IReadOnlyList<string> argv, int timeoutMs = 10_000)
    {
        await _socket.SendAsync(Encode(argv));
        return await ReadReplyAsync(timeoutMs);
    }

    /// <summary>Reads one complete reply frame.</summary>
    public async Task<byte[]> ReadReplyAsync(int timeoutMs = 10_000)
    {
        using var timeout = new CancellationTokenSource(timeoutMs);
        var frame = new MemoryStream();
        try { await ReadFrameAsync(frame, timeout.Token); }
        catch (OperationCanceledException) { throw new TimeoutException($"no complete reply within {timeoutMs} ms; got {Escape(frame.ToArray())}"); }
        return frame.ToArray();
    }

    private async Task ReadFrameAsync(MemoryStream frame, CancellationToken cancel)
    {
        var line = await ReadLineAsync(frame, cancel);
        char type = line[0];
        long n = type is '+' or '-' or ':' or '_' or ',' or '#' or '(' ? 0 : long.Parse(line.AsSpan(1), System.Globalization.CultureInfo.InvariantCulture);
        switch (type)
        {
            case '$' or '!' or '=' when n >= 0:
                await CopyAsync(frame, (int)n + 2, cancel);
                break;
            case '*' or '~' or '>':
                for (long i = 0; i < n; i++) await ReadFrameAsync(frame, cancel);
                break;
            case '%':
                for (long i = 0; i < 2 * n; i++) await ReadFrameAsync(frame, cancel);
                break;
            case '|':
                // An attribute map precedes the reply it annotates: both are one frame.
                for (long i = 0; i < 2 * n; i++) await ReadFrameAsync(frame, cancel);
                await ReadFrameAsync(frame, cancel);
                break;
        }
    }

    private async Task<string> ReadLineAsync(MemoryStream frame, CancellationToken cancel)
    {
        var line = new MemoryStream();
        while (true)
        {
            if (_start == _end) await FillAsync(cancel);
            int newline = Array.IndexOf(_buffer, (byte)'\n', _start, _end - _start);
            int stop = newline < 0 ? _end : newline + 1;
            line.Write(_buffer, _start, stop - _start);
            frame.Write(_buffer, _start, stop - _start);
            _start = stop;
            if (newline >= 0) return Encoding.UTF8.GetString(line.GetBuffer(), 0, (int)line.Length).TrimEnd('\r', '\n');
        }
    }

    private async Task CopyAsync(MemoryStream frame, int count, CancellationToken cancel)
    {
        while (count > 0)
        {
            if (_start == _end) await FillAsync(cancel);
            int take = Math.Min(count, _end - _start);
            frame.Write(_buffer, _start, take);
            _start += take;
            count -= take;
        }
    }

    private async Task FillAsync(CancellationToken cancel)
    {
        _start = 0;
        _end = await _socket.ReceiveAsync(_buffer, SocketFlags.None, cancel);
        if (_end == 0) throw new IOException("the server closed the connection");
    }

    /// <summary>Reply bytes as one readable line: CR, LF, backslash and non-printable bytes escaped.</summary>
    public static string Escape(byte[] bytes)
    {
        var text = new StringBuilder();
        foreach (var b in bytes)
            text.Append(b switch
            {
                (byte)'\r' => "\\r",
                (byte)'\n' => "\\n",
                (byte)'\\' => "\\\\",
                >= 0x20 and < 0x7f => ((char)b).ToString(),
                _ => $"\\x{b:x2}",
            });
        return text.ToString();
    }

    public void Dispose() => _socket.Dispose();
}
