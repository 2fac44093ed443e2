using System.Buffers;
using System.IO.Pipelines;
using Microsoft.Extensions.Logging;
using Orleans.Cache.Core;
using Orleans.Cache.Resp.Commands;
using Orleans.Cache.Resp.Protocol;

namespace Orleans.Cache.Resp;

/// <summary>
/// One client connection. Each round: read everything available, parse every complete request, answer server
/// commands in place and collect the data commands, run all of those with one executor call (the executor
/// groups them per partition), then write every reply in request order and flush once.
/// </summary>
internal sealed class RespConnection(RespNode node, ServerCommands commands, RespClient client, IDuplexPipe transport, ILogger logger)
{
    private readonly RespParser _parser = new();
    private readonly List<byte[][]> _pipeline = [];
    private Slot[] _slots = new Slot[16];
    private int _count;

    /// <summary>One request's place in the reply order.</summary>
    private struct Slot
    {
        public Reply? Reply;
        public byte[][]? Deferred;  // INFO, answered after the data commands
        public int Pipeline;        // index in _pipeline, or -1
        public byte Protocol;       // the protocol in force when the request was read (HELLO may change it mid-pipeline)
    }

    public async Task RunAsync(CancellationToken cancellationToken)
    {
        var input = transport.Input;
        var output = transport.Output;
        client.Authenticated = !node.Config.AuthRequired;
        bool close = false;
        while (!close)
        {
            var result = await input.ReadAsync(cancellationToken);
            var buffer = result.Buffer;
            node.CountInput(buffer.Length); // counts bytes seen, including bytes re-seen after a partial frame

            close = Parse(buffer, out var consumed, out bool full);
            long pending = buffer.Slice(consumed).Length + _parser.PendingBytes;
            input.AdvanceTo(consumed, full ? consumed : buffer.End);

            if (!close && pending > node.Config.ClientQueryBufferLimit)
            {
                Log.QueryBufferLimit(logger, client.Id, client.Address, pending);
                close = true;
                _count = 0; // Redis closes such a client without replying to the rest
            }
            if (_count > 0)
            {
                client.LastInteraction = Environment.TickCount64;
                node.CountCommands(_count);
                await RunDataCommandsAsync(cancellationToken);
                long written = WriteReplies(output);
                node.CountOutput(written);
                var flush = await output.FlushAsync(cancellationToken);
                if (flush.IsCompleted || flush.IsCanceled) break;
            }
            if (result.IsCompleted || result.IsCanceled)
            {
                if (!full) break;
            }
        }
    }

    /// <summary>
    /// Parses complete requests from <paramref name="buffer"/> and dispatches them (synchronously: spans and the
    /// reader don't survive an await). Returns true when the connection must close after the replies.
    /// </summary>
    private bool Parse(ReadOnlySequence<byte> buffer, out SequencePosition consumed, out bool full)
    {
        var reader = new SequenceReader<byte>(buffer);
        _count = 0;
        full = false;
        _parser.MaxBulkLength = node.Config.ProtoMaxBulkLen;
        int max = node.Options.MaxBatch;
        try
        {
            while (true)
            {
                if (_count >= max) { full = true; return false; }
                var status = _parser.TryRead(ref reader, client.Authenticated || !node.Config.AuthRequired, out var argv);
                if (status == ParseResult.Incomplete) return false;
                if (status == ParseResult.ProtocolError)
                {
                    Log.ProtocolError(logger, client.Id, client.Address, _parser.Error!);
                    Add(Reply.Error(_parser.Error!));
                    return true;
                }
                if (Dispatch(argv!)) return true;
            }
        }
        finally
        {
            consumed = reader.Position;
        }
    }

    /// <summary>Looks the request up in the command table and answers or queues it. True means close after replying.</summary>
    private bool Dispatch(byte[][] argv)
    {
        var command = CommandTable.Find(argv[0]);
        if (command is null)
        {
            if (IsHttp(argv[0]))
            {
                // Someone is talking HTTP to us (a browser, or a cross-protocol attack): drop it, as Redis does.
                Log.SecurityAttack(logger, client.Address);
                _count = 0;
                return true;
            }
            Add(Errors.UnknownCommand(Args.Text(argv[0]), ArgsForError(argv)));
            return false;
        }
        client.LastCommand = command.Name;
        if (!command.AcceptsArgCount(argv.Length))
        {
            Add(Errors.WrongArity(command.Name));
            return false;
        }
        if (!client.Authenticated && (command.Flags & CommandFlags.NoAuth) == 0)
        {
            Add(ServerCommands.NoAuth);
            return false;
        }
        if (command.Routing != Routing.Server)
        {
            ref var slot = ref Next();
            slot.Pipeline = _pipeline.Count;
            _pipeline.Add(argv);
            return false;
        }

        var after = AfterReply.None;
        var reply = commands.Execute(client, command, argv, ref after);
        ref var s = ref Next(); // after Execute: HELLO's reply already speaks the protocol it chose
        s.Reply = reply;
        if (after == AfterReply.Deferred) s.Deferred = argv;
        return after == AfterReply.Close;
    }

    private static IEnumerable<string> ArgsForError(byte[][] argv)
    {
        for (int i = 1; i < argv.Length; i++)
            yield return Args.Text(argv[i].Length > 128 ? argv[i][..128] : argv[i]);
    }

    private static bool IsHttp(byte[] name) => Args.Is(name, "POST") || Args.Is(name, "HOST:");

    private void Add(Reply reply) => Next().Reply = reply;

    private ref Slot Next()
    {
        if (_count == _slots.Length) Array.Resize(ref _slots, _slots.Length * 2);
        ref var slot = ref _slots[_count++];
        slot = default;
        slot.Pipeline = -1;
        slot.Protocol = (byte)client.Protocol;
        return ref slot;
    }

    private async ValueTask RunDataCommandsAsync(CancellationToken cancellationToken)
    {
        if (_pipeline.Count > 0)
        {
            try
            {
                if (_pipeline.Count == 1)
                {
                    var reply = await node.Executor.ExecuteAsync(_pipeline[0], cancellationToken);
                    for (int i = 0; i < _count; i++) if (_slots[i].Pipeline == 0) _slots[i].Reply = reply;
                }
                else
                {
                    var replies = await node.Executor.ExecuteAsync(_pipeline, cancellationToken);
                    for (int i = 0; i < _count; i++)
                        if (_slots[i].Pipeline >= 0) _slots[i].Reply = replies[_slots[i].Pipeline];
                }
            }
            catch (Exception e) when (e is not OperationCanceledException)
            {
                Log.ExecutorFailed(logger, e, client.Id);
                var error = Reply.Error("ERR " + e.Message);
                for (int i = 0; i < _count; i++) if (_slots[i].Pipeline >= 0) _slots[i].Reply = error;
            }
            finally
            {
                _pipeline.Clear();
            }
        }
        for (int i = 0; i < _count; i++)
        {
            if (_slots[i].Deferred is { } argv)
                _slots[i].Reply = await commands.InfoAsync(client, argv);
        }
    }

    private long WriteReplies(PipeWriter output)
    {
        long before = output.UnflushedBytes;
        for (int i = 0; i < _count; i++)
        {
            ref var slot = ref _slots[i];
            RespWriter.Write(output, slot.Reply ?? Reply.Nil, slot.Protocol);
            slot = default; // drop references to replies and argv
        }
        _count = 0;
        return output.CanGetUnflushedBytes ? output.UnflushedBytes - before : 0;
    }
}
