using System.Buffers;
using Orleans.Cache.Core;

namespace Orleans.Cache.Resp.Protocol;

/// <summary>What one call to <see cref="RespParser.TryRead"/> found.</summary>
internal enum ParseResult
{
    /// <summary>A complete command is in argv.</summary>
    Command,
    /// <summary>The buffer ends inside a command; read more and call again (progress so far is kept).</summary>
    Incomplete,
    /// <summary>The client broke the protocol: answer <see cref="RespParser.Error"/> and close the connection.</summary>
    ProtocolError,
}

/// <summary>
/// Incremental RESP request parser with Redis's rules (networking.c): multibulk requests (<c>*N</c> then N
/// <c>$len</c> bulks) and inline requests (a text line, as telnet sends). Works on the pipe's buffer through a
/// <see cref="SequenceReader{T}"/>; argument bytes are copied out once, into the argv handed to the executor, so
/// the pipe can be advanced. A multibulk cut by a buffer boundary keeps its finished arguments here, so big
/// requests that arrive in many reads are not parsed again from the start. One instance per connection.
/// </summary>
internal sealed class RespParser
{
    /// <summary>Redis's PROTO_INLINE_MAX_SIZE: longest inline request or count line.</summary>
    public const int InlineMaxSize = 64 * 1024;
    // Before AUTH, Redis accepts only small requests, so a stranger can't make it buffer much.
    private const int UnauthenticatedMaxArgs = 10;
    private const int UnauthenticatedMaxBulk = 16 * 1024;
    private const int InitialArgvCapacity = 1024;

    private byte[][]? _argv;     // partial multibulk; may be shorter than _argc until it fills
    private int _argc;           // arguments announced by *N; 0 when between requests
    private int _filled;         // arguments read so far
    private long _bulkLength = -1; // announced length of the bulk being read; -1 before its $ line
    private byte[]? _big;        // a big bulk being copied out as it arrives
    private int _bigFilled;      // its bytes copied so far
    private const int BigArg = 32 * 1024;

    /// <summary>The protocol error text (without the leading '-') after <see cref="ParseResult.ProtocolError"/>.</summary>
    public string? Error { get; private set; }

    /// <summary>Bytes already copied out of the pipe for the request in progress (counts against the query buffer limit).</summary>
    public long PendingBytes { get; private set; }

    /// <summary>Largest bulk accepted (proto-max-bulk-len).</summary>
    public long MaxBulkLength { get; set; } = 512L * 1024 * 1024;

    /// <summary>
    /// Reads the next command. On <see cref="ParseResult.Incomplete"/> the reader stands after the last part
    /// fully consumed; advance the pipe to there and call again with more data.
    /// </summary>
    public ParseResult TryRead(ref SequenceReader<byte> reader, bool authenticated, out byte[][]? argv)
    {
        argv = null;
        while (true)
        {
            if (_argc == 0)
            {
                if (!reader.TryPeek(out byte first)) return ParseResult.Incomplete;
                if (first != (byte)'*')
                {
                    var inline = TryReadInline(ref reader, out argv);
                    if (inline == ParseResult.Command && argv!.Length == 0) continue; // empty line: nothing to run
                    return inline;
                }
                var header = TryReadCount(ref reader, (byte)'*', out long count, "too big mbulk count string");
                if (header != ParseResult.Command) return header;
                if (count > int.MaxValue) return Fail("Protocol error: invalid multibulk length");
                if (!authenticated && count > UnauthenticatedMaxArgs) return Fail("Protocol error: unauthenticated multibulk length");
                if (count <= 0) continue; // *0 and *-1 are empty requests, skipped as Redis does
                _argc = (int)count;
                _filled = 0;
                _argv = new byte[Math.Min(_argc, InitialArgvCapacity)][];
                _bulkLength = -1;
            }

            while (_filled < _argc)
            {
                if (_bulkLength < 0)
                {
                    if (!reader.TryPeek(out byte type)) return ParseResult.Incomplete;
                    if (type != (byte)'$')
                    {
                        // Redis looks for the line end first, so a cut-off line is waited for before the type is judged.
                        if (!HasLine(reader)) return reader.Remaining > InlineMaxSize ? Fail("Protocol error: too big bulk count string") : ParseResult.Incomplete;
                        return Fail($"Protocol error: expected '$', got '{(char)type}'");
                    }
                    var line = TryReadCount(ref reader, (byte)'$', out long length, "too big bulk count string");
                    if (line != ParseResult.Command) return line;
                    if (length < 0 || length > MaxBulkLength) return Fail("Protocol error: invalid bulk length");
                    if (!authenticated && length > UnauthenticatedMaxBulk) return Fail("Protocol error: unauthenticated bulk length");
                    _bulkLength = length;
                }

                // The payload is taken when it is complete, with the two bytes after it, which Redis skips without
                // looking at them. A big one (Redis's PROTO_MBULK_BIG_ARG) is copied out as it arrives, so the pipe
                // never has to hold it whole and the socket's read buffer stays small (TCP back-pressure).
                byte[] arg;
                if (_big is not null || reader.Remaining < _bulkLength + 2 && _bulkLength >= BigArg)
                {
                    _big ??= new byte[_bulkLength];
                    int take = (int)Math.Min(reader.Remaining, _big.Length - _bigFilled);
                    if (take > 0)
                    {
                        reader.UnreadSequence.Slice(0, take).CopyTo(_big.AsSpan(_bigFilled));
                        reader.Advance(take);
                        _bigFilled += take;
                        PendingBytes += take;
                    }
                    if (_bigFilled < _big.Length || reader.Remaining < 2) return ParseResult.Incomplete;
                    reader.Advance(2);
                    arg = _big;
                    PendingBytes -= arg.Length;
                    _big = null;
                    _bigFilled = 0;
                }
                else
                {
                    if (reader.Remaining < _bulkLength + 2) return ParseResult.Incomplete;
                    arg = _bulkLength == 0 ? [] : new byte[_bulkLength];
                    reader.TryCopyTo(arg);
                    reader.Advance(_bulkLength + 2);
                }
                if (_filled == _argv!.Length) Array.Resize(ref _argv, (int)Math.Min(_argc, (long)_argv.Length * 2));
                _argv[_filled++] = arg;
                PendingBytes += arg.Length + IntPtr.Size;
                _bulkLength = -1;
            }

            argv = _argv!;
            _argv = null;
            _argc = 0;
            PendingBytes = 0;
            return ParseResult.Command;
        }
    }

    /// <summary>Forgets a partial request (RESET keeps the connection but not half a command; used after errors too).</summary>
    public void Clear()
    {
        _argv = null;
        _argc = 0;
        _filled = 0;
        _bulkLength = -1;
        _big = null;
        _bigFilled = 0;
        PendingBytes = 0;
        Error = null;
    }

    private ParseResult Fail(string error)
    {
        Clear();
        Error = "ERR " + error;
        return ParseResult.ProtocolError;
    }

    private static bool HasLine(SequenceReader<byte> reader) => reader.TryAdvanceTo((byte)'\r', advancePastDelimiter: true) && reader.Remaining > 0;

    /// <summary>Reads <c>&lt;prefix&gt;digits\r?</c> like Redis: up to the first CR, which must have one byte after it.</summary>
    private ParseResult TryReadCount(ref SequenceReader<byte> reader, byte prefix, out long value, string tooBig)
    {
        value = 0;
        var r = reader;
        if (!r.TryReadTo(out ReadOnlySequence<byte> line, (byte)'\r') || r.Remaining == 0)
            return reader.Remaining > InlineMaxSize ? Fail("Protocol error: " + tooBig) : ParseResult.Incomplete;
        r.Advance(1); // Redis skips the byte after CR without checking that it is LF
        line = line.Slice(1); // the prefix
        bool ok;
        if (line.Length > 24) ok = false;
        else if (line.IsSingleSegment) ok = Args.TryLong(line.FirstSpan, out value);
        else
        {
            Span<byte> digits = stackalloc byte[24];
            line.CopyTo(digits);
            ok = Args.TryLong(digits[..(int)line.Length], out value);
        }
        if (!ok)
            return Fail(prefix == (byte)'*' ? "Protocol error: invalid multibulk length" : "Protocol error: invalid bulk length");
        reader = r;
        return ParseResult.Command;
    }

    private ParseResult TryReadInline(ref SequenceReader<byte> reader, out byte[][]? argv)
    {
        argv = null;
        var r = reader;
        if (!r.TryReadTo(out ReadOnlySequence<byte> line, (byte)'\n'))
            return reader.Remaining > InlineMaxSize ? Fail("Protocol error: too big inline request") : ParseResult.Incomplete;
        if (line.Length > InlineMaxSize) return Fail("Protocol error: too big inline request");
        reader = r;
        // Inline requests come from people typing; copying the line is fine here.
        byte[] text = line.ToArray();
        int end = text.Length;
        if (end > 0 && text[end - 1] == (byte)'\r') end--;
        argv = InlineSplitter.Split(text.AsSpan(0, end));
        if (argv is null) return Fail("Protocol error: unbalanced quotes in request");
        return ParseResult.Command;
    }
}
