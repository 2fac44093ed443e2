using System.Globalization;
using System.Text;

namespace Orleans.Cache.Core;

/// <summary>How Redis writes a command into MONITOR's stream and the SLOWLOG: quoted arguments, truncated entries.</summary>
internal static class CommandLog
{
    /// <summary>SLOWLOG keeps at most this many arguments (the last one saying how many more there were).</summary>
    public const int MaxArgs = 32;

    /// <summary>SLOWLOG keeps at most this many bytes of an argument (followed by how many more there were).</summary>
    public const int MaxArgBytes = 128;

    /// <summary>The arguments as a slowlog entry keeps them (Redis's slowlogCreateEntry).</summary>
    public static byte[][] Truncate(byte[][] argv)
    {
        int kept = Math.Min(argv.Length, MaxArgs);
        var result = new byte[kept][];
        for (int i = 0; i < kept; i++)
        {
            if (kept != argv.Length && i == kept - 1)
                result[i] = Encoding.ASCII.GetBytes($"... ({argv.Length - kept + 1} more arguments)");
            else if (argv[i].Length > MaxArgBytes)
                result[i] = [.. argv[i].AsSpan(0, MaxArgBytes), .. Encoding.ASCII.GetBytes($"... ({argv[i].Length - MaxArgBytes} more bytes)")];
            else
                result[i] = argv[i];
        }
        return result;
    }

    /// <summary>
    /// One MONITOR line without its leading '+' and trailing CRLF: <c>1700000000.123456 [0 127.0.0.1:54321] "SET" "k" "v"</c>
    /// (Redis's replicationFeedMonitors).
    /// </summary>
    public static string MonitorLine(long unixMicroseconds, string client, byte[][] argv)
    {
        var line = new StringBuilder(64 + argv.Length * 8);
        line.Append((unixMicroseconds / 1_000_000).ToString(CultureInfo.InvariantCulture)).Append('.')
            .Append((unixMicroseconds % 1_000_000).ToString("D6", CultureInfo.InvariantCulture))
            .Append(" [0 ").Append(client).Append("] ");
        for (int i = 0; i < argv.Length; i++)
        {
            if (i > 0) line.Append(' ');
            AppendRepr(line, argv[i]);
        }
        return line.ToString();
    }

    /// <summary>Redis's sdscatrepr: the bytes in double quotes, with \n \r \t \a \b \" \\ escaped and other non-printables as \xHH.</summary>
    public static void AppendRepr(StringBuilder text, ReadOnlySpan<byte> bytes)
    {
        text.Append('"');
        foreach (byte b in bytes)
        {
            switch (b)
            {
                case (byte)'\\': text.Append("\\\\"); break;
                case (byte)'"': text.Append("\\\""); break;
                case (byte)'\n': text.Append("\\n"); break;
                case (byte)'\r': text.Append("\\r"); break;
                case (byte)'\t': text.Append("\\t"); break;
                case 7: text.Append("\\a"); break;
                case 8: text.Append("\\b"); break;
                default:
                    if (b >= 0x20 && b < 0x7f) text.Append((char)b);
                    else text.Append("\\x").Append(b.ToString("x2", CultureInfo.InvariantCulture));
                    break;
            }
        }
        text.Append('"');
    }
}
