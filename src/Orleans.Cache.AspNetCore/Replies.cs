using Orleans.Cache.Client;
using Orleans.Cache.Core;

namespace Orleans.Cache.AspNetCore;

/// <summary>What every interface here does with a script's reply and a duration.</summary>
internal static class Replies
{
    /// <summary>The reply, or a <see cref="CacheException"/> with Redis's text when it is an error.</summary>
    public static Reply Checked(this Reply reply) => reply.IsError ? throw new CacheException(reply.Text ?? "ERR") : reply;

    /// <summary>A duration in whole milliseconds, rounded up and at least 1 (PX / PEXPIRE refuse 0).</summary>
    public static long Milliseconds(TimeSpan span) => Math.Max(1, (long)Math.Ceiling(span.TotalMilliseconds));
}
