namespace Orleans.Cache.Resp;

/// <summary>Settings of the RESP endpoint, bound from configuration (section "Resp" by convention); names follow redis.conf.</summary>
public sealed class RespOptions
{
    /// <summary>TCP port (redis.conf <c>port</c>); 0 picks a free port, which <see cref="RespServer.EndPoints"/> then reports.</summary>
    public int Port { get; set; } = 6379;

    /// <summary>Addresses to listen on, separated by spaces or commas (redis.conf <c>bind</c>).</summary>
    public string Bind { get; set; } = "127.0.0.1";

    /// <summary>Password of the <c>default</c> user; null or empty means no AUTH needed (redis.conf <c>requirepass</c>).</summary>
    public string? RequirePass { get; set; }

    /// <summary>Connections beyond this get <c>-ERR max number of clients reached</c> (redis.conf <c>maxclients</c>).</summary>
    public int MaxClients { get; set; } = 10000;

    /// <summary>Seconds of idleness after which a client is closed; 0 never (redis.conf <c>timeout</c>).</summary>
    public int Timeout { get; set; }

    /// <summary>Largest bulk string a client may send (redis.conf <c>proto-max-bulk-len</c>).</summary>
    public long ProtoMaxBulkLen { get; set; } = 512L * 1024 * 1024;

    /// <summary>Most bytes one client may have buffered in a not yet complete request (redis.conf <c>client-query-buffer-limit</c>).</summary>
    public long ClientQueryBufferLimit { get; set; } = 1024L * 1024 * 1024;

    /// <summary>
    /// Most unread bytes buffered per connection before the socket is no longer read (TCP back-pressure on input).
    /// Not a limit on request size: big bulks are copied out as they arrive (see client-query-buffer-limit).
    /// </summary>
    public long MaxReadBufferSize { get; set; } = 1024 * 1024;

    /// <summary>Most commands of one pipeline read that are run as one batch; the rest wait for the next round.</summary>
    public int MaxBatch { get; set; } = 4096;

    /// <summary>
    /// Kestrel's <c>UnsafePreferInlineScheduling</c>: run connection code on the socket's I/O thread. Faster on
    /// few cores (see DESIGN.md, "The hot path"), with higher tail latency when a handler blocks.
    /// </summary>
    public bool UnsafePreferInlineScheduling { get; set; }

    /// <summary>
    /// Present the endpoint as a Redis Cluster node that owns all 16,384 slots (CLUSTER SLOTS/SHARDS/NODES answer,
    /// INFO says <c>redis_mode:cluster</c>), for clients that only speak cluster. Off by default: clients then see a
    /// standalone server, which is what every endpoint is to them — it serves every key and fans out multi-key
    /// commands across slots, which cluster-aware clients would refuse to send. CLUSTER KEYSLOT/INFO/MYID answer either way.
    /// </summary>
    public bool ClusterMode { get; set; }

    /// <summary>
    /// Whether DEBUG may be used (redis.conf <c>enable-debug-command</c>): <c>no</c> (the default: DEBUG answers Redis's
    /// "not allowed" error), <c>yes</c>, or <c>local</c> (only from loopback connections).
    /// </summary>
    public string EnableDebugCommand { get; set; } = "no";

    /// <summary>
    /// redis.conf <c>protected-mode</c>: <c>yes</c> (the default, as Redis) refuses connections from non-loopback addresses
    /// with Redis's <c>-DENIED</c> text while the default user has no password; <c>no</c> accepts them.
    /// </summary>
    public string ProtectedMode { get; set; } = "yes";

    /// <summary>
    /// A redis.conf-format file read at start (after these options, so its values win, port and bind included); CONFIG
    /// REWRITE writes changed values back to it. Null: no file, and CONFIG REWRITE answers Redis's error.
    /// </summary>
    public string? ConfigFile { get; set; }

    /// <summary>
    /// maxmemory as a percentage (1–100) of the memory this process may use: the container's memory limit where there
    /// is one, else the machine's (what the .NET GC sees as available). 0 (the default) leaves maxmemory as the config
    /// file or CONFIG SET says; a maxmemory in the config file wins over this.
    /// </summary>
    public int MaxMemoryPercent { get; set; }

    /// <summary>Optional TLS listener.</summary>
    public RespTlsOptions Tls { get; set; } = new();
}

/// <summary>TLS on its own port (redis.conf <c>tls-port</c>), with a PKCS#12 certificate from a file.</summary>
public sealed class RespTlsOptions
{
    /// <summary>Port of the TLS listener; 0 means no TLS listener. Use -1 to pick a free port (tests).</summary>
    public int Port { get; set; }

    /// <summary>Path of the server certificate (.pfx / .p12) with its private key.</summary>
    public string? CertificatePath { get; set; }

    /// <summary>Password of the certificate file, if it has one.</summary>
    public string? CertificatePassword { get; set; }

    /// <summary>Whether a TLS listener starts: a port and a certificate are both set.</summary>
    public bool Enabled => Port != 0 && !string.IsNullOrEmpty(CertificatePath);
}
