namespace Orleans.Cache.Resp;

/// <summary>CLIENT REPLY's modes.</summary>
internal enum ReplyMode
{
    On,
    Off,
}

/// <summary>
/// A client's CLIENT TRACKING ON settings: where invalidations go (itself over RESP3, or the client it redirects to),
/// broadcast mode with its prefixes, and OPTIN / OPTOUT / NOLOOP.
/// </summary>
internal sealed class ClientTrackingMode
{
    /// <summary>The client id invalidations are redirected to; 0 when the client receives them itself.</summary>
    public long Redirect { get; init; }
    public bool Broadcast { get; init; }
    /// <summary>BCAST's prefixes (empty: every key).</summary>
    public IReadOnlyList<byte[]> Prefixes { get; init; } = [];
    public bool OptIn { get; init; }
    public bool OptOut { get; init; }
    public bool NoLoop { get; init; }
    /// <summary>The redirect client went away (flag R, and TRACKINGINFO's broken_redirect).</summary>
    public bool BrokenRedirect { get; set; }
}
