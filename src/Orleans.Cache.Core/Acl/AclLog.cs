namespace Orleans.Cache.Core.Acl;

/// <summary>
/// ACL LOG (Redis's ACLLog): the latest denied commands, keys, channels and failed AUTHs, newest first. A failure like
/// one logged less than 60 s before (same reason, context, object and user) counts on that entry and moves it to the
/// front, as in Redis. Thread-safe; one per silo.
/// </summary>
internal sealed class AclLog
{
    private const long GroupWindowMs = 60_000;

    private sealed class Entry
    {
        public long Count;
        public required string Reason, Context, Object, Username;
        public string ClientInfo = "";
        public long Id, CreatedMs, UpdatedMs;
    }

    private readonly LinkedList<Entry> _entries = new();
    private long _nextId;

    /// <summary>Records a failure. <paramref name="reason"/>: command, key, channel or auth; <paramref name="context"/>: toplevel, multi, lua.</summary>
    public void Add(string reason, string context, string obj, string username, string clientInfo, long nowMs, long maxLength)
    {
        lock (_entries)
        {
            for (var node = _entries.First; node is not null; node = node.Next)
            {
                var e = node.Value;
                if (e.Reason != reason || e.Context != context || e.Object != obj || e.Username != username) continue;
                if (nowMs - e.UpdatedMs >= GroupWindowMs) continue;
                e.Count++;
                e.UpdatedMs = nowMs;
                e.ClientInfo = clientInfo;
                _entries.Remove(node);
                _entries.AddFirst(node);
                return;
            }
            _entries.AddFirst(new Entry
            {
                Count = 1, Reason = reason, Context = context, Object = obj, Username = username, ClientInfo = clientInfo,
                Id = _nextId++, CreatedMs = nowMs, UpdatedMs = nowMs,
            });
            while (_entries.Count > Math.Max(0, maxLength)) _entries.RemoveLast();
        }
    }

    public void Reset()
    {
        lock (_entries) _entries.Clear();
    }

    public int Count
    {
        get { lock (_entries) return _entries.Count; }
    }

    /// <summary>ACL LOG [count]: the newest <paramref name="count"/> entries as Redis 7.2 shows them (a map each).</summary>
    public Reply Entries(long count, long nowMs)
    {
        var list = new List<Reply>();
        lock (_entries)
        {
            foreach (var e in _entries)
            {
                if (list.Count >= count) break;
                list.Add(Reply.Map([
                    Reply.Bulk("count"), Reply.Int(e.Count),
                    Reply.Bulk("reason"), Reply.Bulk(e.Reason),
                    Reply.Bulk("context"), Reply.Bulk(e.Context),
                    Reply.Bulk("object"), Reply.Bulk(e.Object),
                    Reply.Bulk("username"), Reply.Bulk(e.Username),
                    Reply.Bulk("age-seconds"), Reply.Dbl((nowMs - e.UpdatedMs) / 1000.0),
                    Reply.Bulk("client-info"), Reply.Bulk(e.ClientInfo),
                    Reply.Bulk("entry-id"), Reply.Int(e.Id),
                    Reply.Bulk("timestamp-created"), Reply.Int(e.CreatedMs),
                    Reply.Bulk("timestamp-last-updated"), Reply.Int(e.UpdatedMs),
                ]));
            }
        }
        return Reply.Array([.. list]);
    }

    /// <summary>What ACL LOG calls a denial's reason.</summary>
    public static string ReasonOf(AclDenial denial) => denial switch
    {
        AclDenial.Command => "command",
        AclDenial.Key => "key",
        AclDenial.Channel => "channel",
        _ => "auth",
    };
}
