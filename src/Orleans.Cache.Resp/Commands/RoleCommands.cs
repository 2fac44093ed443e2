using Orleans.Cache.Core;

namespace Orleans.Cache.Resp.Commands;

// ROLE, LOLWUT and SWAPDB: what a standalone Redis 7.2 primary with one database answers.
public sealed partial class ServerCommands
{
    /// <summary>ROLE: a primary at replication offset 0 with no replicas (partition replicas are not Redis replicas).</summary>
    private static readonly Reply PrimaryRole = Reply.Array([Reply.Bulk("master"), Reply.Int(0), Reply.EmptyArray]);

    /// <summary>
    /// LOLWUT [VERSION v]: the version line, as Redis answers for a version without art of its own; VERSION 5 and 6 (Redis's
    /// art) answer it too, after checking their numeric arguments as Redis does.
    /// </summary>
    private static Reply Lolwut(byte[][] argv)
    {
        if (argv.Length >= 3 && Args.Is(argv[1], "VERSION"))
        {
            if (!Args.TryLong(argv[2], out long version)) return Errors.NotInteger;
            int parameters = version switch { 5 => 3, 6 => 2, _ => 0 };
            for (int i = 3; i < argv.Length && i < 3 + parameters; i++)
                if (!Args.TryLong(argv[i], out _)) return Errors.NotInteger;
        }
        return Reply.Verbatim($"Redis ver. {RedisVersion}\n");
    }
}
