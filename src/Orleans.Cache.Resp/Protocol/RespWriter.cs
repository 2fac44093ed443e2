using System.Buffers;
using System.Buffers.Text;
using System.Globalization;
using Orleans.Cache.Core;

namespace Orleans.Cache.Resp.Protocol;

/// <summary>
/// Writes <see cref="Reply"/> values straight into the connection's output buffer, encoded for RESP2 or RESP3
/// (chosen per connection by HELLO). RESP2 has no maps, sets, doubles, booleans or a single null, so those are
/// written the way Redis writes them to RESP2 clients.
/// </summary>
internal static class RespWriter
{
    private static ReadOnlySpan<byte> Crlf => "\r\n"u8;

    public static void Write(IBufferWriter<byte> output, Reply reply, int protocol)
    {
        switch (reply.Kind)
        {
            case ReplyKind.SimpleString:
                WriteLine(output, (byte)'+', reply.Bytes);
                break;
            case ReplyKind.Error:
                WriteLine(output, (byte)'-', reply.Bytes);
                break;
            case ReplyKind.Integer:
                WriteNumber(output, (byte)':', reply.Integer);
                break;
            case ReplyKind.Bulk:
                WriteBulk(output, reply.Bytes ?? []);
                break;
            case ReplyKind.Verbatim:
                if (protocol < 3) WriteBulk(output, reply.Bytes ?? []);
                else WriteVerbatim(output, reply.Bytes ?? []);
                break;
            case ReplyKind.Null:
                WriteRaw(output, protocol >= 3 ? "_\r\n"u8 : "$-1\r\n"u8);
                break;
            case ReplyKind.NullArray:
                WriteRaw(output, protocol >= 3 ? "_\r\n"u8 : "*-1\r\n"u8);
                break;
            case ReplyKind.Double:
                WriteDouble(output, reply.Double, protocol);
                break;
            case ReplyKind.Boolean:
                if (protocol >= 3) WriteRaw(output, reply.Integer != 0 ? "#t\r\n"u8 : "#f\r\n"u8);
                else WriteNumber(output, (byte)':', reply.Integer != 0 ? 1 : 0);
                break;
            case ReplyKind.Map:
                var pairs = reply.Items ?? [];
                if (protocol >= 3) WriteNumber(output, (byte)'%', pairs.Length / 2);
                else WriteNumber(output, (byte)'*', pairs.Length);
                WriteItems(output, pairs, protocol);
                break;
            case ReplyKind.Pairs:
                // WITHSCORES / WITHVALUES: flat in RESP2, [element, value] arrays in RESP3, as Redis 7 does.
                var flat = reply.Items ?? [];
                if (protocol < 3)
                {
                    WriteNumber(output, (byte)'*', flat.Length);
                    WriteItems(output, flat, protocol);
                    break;
                }
                WriteNumber(output, (byte)'*', flat.Length / 2);
                for (int i = 0; i + 1 < flat.Length; i += 2)
                {
                    WriteNumber(output, (byte)'*', 2);
                    Write(output, flat[i], protocol);
                    Write(output, flat[i + 1], protocol);
                }
                break;
            case ReplyKind.Set:
                var members = reply.Items ?? [];
                WriteNumber(output, protocol >= 3 ? (byte)'~' : (byte)'*', members.Length);
                WriteItems(output, members, protocol);
                break;
            case ReplyKind.Push:
                var pushed = reply.Items ?? [];
                WriteNumber(output, protocol >= 3 ? (byte)'>' : (byte)'*', pushed.Length);
                WriteItems(output, pushed, protocol);
                break;
            default: // Array
                var items = reply.Items ?? [];
                WriteNumber(output, (byte)'*', items.Length);
                WriteItems(output, items, protocol);
                break;
        }
    }

    private static void WriteItems(IBufferWriter<byte> output, Reply[] items, int protocol)
    {
        foreach (var item in items) Write(output, item, protocol);
    }

    /// <summary>A simple string or error line; CR and LF inside become spaces, as Redis does, so the reply stays one line.</summary>
    private static void WriteLine(IBufferWriter<byte> output, byte type, byte[]? text)
    {
        var source = text ?? [];
        var span = output.GetSpan(source.Length + 3);
        span[0] = type;
        for (int i = 0; i < source.Length; i++)
        {
            byte b = source[i];
            span[i + 1] = b is (byte)'\r' or (byte)'\n' ? (byte)' ' : b;
        }
        span[source.Length + 1] = (byte)'\r';
        span[source.Length + 2] = (byte)'\n';
        output.Advance(source.Length + 3);
    }

    /// <summary>A type byte, a decimal number and CRLF: integers and the headers of bulks and aggregates.</summary>
    public static void WriteNumber(IBufferWriter<byte> output, byte type, long value)
    {
        var span = output.GetSpan(24);
        span[0] = type;
        Utf8Formatter.TryFormat(value, span[1..], out int written);
        span[written + 1] = (byte)'\r';
        span[written + 2] = (byte)'\n';
        output.Advance(written + 3);
    }

    public static void WriteBulk(IBufferWriter<byte> output, ReadOnlySpan<byte> value)
    {
        if (value.Length <= 4096)
        {
            var span = output.GetSpan(value.Length + 24);
            span[0] = (byte)'$';
            Utf8Formatter.TryFormat(value.Length, span[1..], out int written);
            int at = written + 1;
            span[at++] = (byte)'\r';
            span[at++] = (byte)'\n';
            value.CopyTo(span[at..]);
            at += value.Length;
            span[at++] = (byte)'\r';
            span[at++] = (byte)'\n';
            output.Advance(at);
            return;
        }
        WriteNumber(output, (byte)'$', value.Length);
        WriteRaw(output, value);
        WriteRaw(output, Crlf);
    }

    /// <summary>RESP3's verbatim string: <c>=</c>, the length with the <c>txt:</c> prefix, the prefix and the text.</summary>
    private static void WriteVerbatim(IBufferWriter<byte> output, ReadOnlySpan<byte> text)
    {
        WriteNumber(output, (byte)'=', text.Length + 4);
        WriteRaw(output, "txt:"u8);
        WriteRaw(output, text);
        WriteRaw(output, Crlf);
    }

    /// <summary>Copies bytes in pieces the buffer can take, so big values don't need one big contiguous span.</summary>
    public static void WriteRaw(IBufferWriter<byte> output, ReadOnlySpan<byte> bytes)
    {
        while (bytes.Length > 0)
        {
            var span = output.GetSpan(Math.Min(bytes.Length, 64 * 1024));
            int n = Math.Min(span.Length, bytes.Length);
            bytes[..n].CopyTo(span);
            output.Advance(n);
            bytes = bytes[n..];
        }
    }

    private static void WriteDouble(IBufferWriter<byte> output, double value, int protocol)
    {
        if (protocol < 3)
        {
            WriteBulk(output, System.Text.Encoding.ASCII.GetBytes(Args.FormatScore(value)));
            return;
        }
        string text = Args.FormatScore(value);
        var span = output.GetSpan(text.Length + 3);
        span[0] = (byte)',';
        for (int i = 0; i < text.Length; i++) span[i + 1] = (byte)text[i];
        span[text.Length + 1] = (byte)'\r';
        span[text.Length + 2] = (byte)'\n';
        output.Advance(text.Length + 3);
    }
}
