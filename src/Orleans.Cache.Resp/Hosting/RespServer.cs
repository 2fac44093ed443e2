using System.Net;
using System.Net.Security;
using System.Security.Cryptography.X509Certificates;
using Microsoft.AspNetCore.Connections;
using Microsoft.AspNetCore.Server.Kestrel.Transport.Sockets;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Hosting;
using Microsoft.Extensions.Logging;
using Microsoft.Extensions.Options;
using Orleans.Cache.Execution;
using Orleans.Cache.Resp.Commands;
using Orleans.Cache.Resp.Hosting;

namespace Orleans.Cache.Resp;

/// <summary>
/// The RESP listener as a hosted service: Kestrel's socket transport (bind → accept loop → one
/// <see cref="RespConnection"/> per connection over <see cref="ConnectionContext.Transport"/>), the way Kestrel's
/// own connection handlers are built, but without an HTTP server, so it runs in any generic host, including
/// TestingHost silos. Optional TLS listener on its own port; maxclients and the idle timeout are enforced here.
/// </summary>
internal sealed class RespServer(IOptions<RespOptions> options, IServiceProvider services, ILoggerFactory loggerFactory) : IHostedService, IAsyncDisposable
{
    private readonly RespOptions _options = options.Value;
    private readonly ILogger _logger = loggerFactory.CreateLogger<RespServer>();
    private readonly List<(IConnectionListener Listener, bool Tls)> _listeners = [];
    private readonly List<Task> _loops = [];
    private readonly CancellationTokenSource _stopping = new();
    private X509Certificate2? _certificate;
    private ServerCommands? _commands;
    private RespMetrics? _metrics;

    /// <summary>Node state (settings, clients, counters); available once started.</summary>
    public RespNode Node { get; private set; } = null!;

    /// <summary>Where the plain listeners are bound, with the real port when the configured one was 0.</summary>
    public IReadOnlyList<IPEndPoint> EndPoints { get; private set; } = [];

    /// <summary>Where the TLS listener is bound, if TLS is configured.</summary>
    public IPEndPoint? TlsEndPoint { get; private set; }

    public async Task StartAsync(CancellationToken cancellationToken)
    {
        var executor = services.GetRequiredService<ICommandExecutor>();
        var time = services.GetService<RespClock>()?.Time ?? services.GetService<TimeProvider>() ?? TimeProvider.System;
        Node = new RespNode(_options, executor, time, services.GetService<PubSub.IPubSubBroker>());
        if (Node.Broker is { } broker)
        {
            Node.Config.InitKeyspaceEvents(services.GetService<IOptions<PubSub.PubSubOptions>>()?.Value.NotifyKeyspaceEvents ?? "");
            Node.Config.KeyspaceEventsChanged = broker.SetKeyspaceEventsAsync;
        }
        if (services.GetService<IClusterSettings>() is { } cluster) Node.Config.PartitionSettingsChanged = cluster.SetPartitionSettingsAsync;
        if (services.GetService<IOptions<CacheOptions>>()?.Value is { } cache)
            Node.Config.Init("busy-reply-threshold", ((long)cache.BusyReplyThreshold.TotalMilliseconds).ToString(System.Globalization.CultureInfo.InvariantCulture));
        if (!string.IsNullOrEmpty(_options.ConfigFile))
        {
            foreach (var directive in Node.Config.LoadFile(_options.ConfigFile, _options)) Log.ConfigDirectiveIgnored(_logger, directive, _options.ConfigFile);
            // Settings that act in partitions take effect cluster-wide, as a CONFIG SET of them would, once the silo runs.
            services.GetService<IHostApplicationLifetime>()?.ApplicationStarted.Register(() => _ = PushFileSettingsAsync());
        }
        if (Node.Broker is not null)
            services.GetService<IHostApplicationLifetime>()?.ApplicationStarted.Register(() => _ = ListenForPausesAsync());
        Node.Silo = services.GetService<SiloShutdown>();
        Node.Cluster = services.GetService<Observability.IClusterNodes>();
        // The ACL users: the cluster's (stored in its ACL grain), or this node's own where no Orleans runs here.
        var grains = services.GetService<IGrainFactory>();
        Node.Acl = new AclStore(grains, Node.Config.RequirePass)
        {
            Announce = Node.Cluster is { } clusterNodes ? clusterNodes.AnnounceAclAsync : null,
        };
        Node.RefreshSettings();
        if (grains is not null && services.GetService<IHostApplicationLifetime>() is { } started)
        {
            _aclFromCluster = true;
            started.ApplicationStarted.Register(() => _ = LoadAclAsync());
        }
        else Node.AclReady.TrySetResult();
        if (services.GetService<Observability.ServerNodes>() is { } nodes) nodes.Local = Node; // the silo's node grain reads it
        Node.StopHost = services.GetService<IHostApplicationLifetime>() is { } lifetime ? lifetime.StopApplication : null;
        Node.Logger = _logger;
        _metrics = new RespMetrics(Node, services.GetService<System.Diagnostics.Metrics.IMeterFactory>());
        _commands = new ServerCommands(Node);

        var transport = new SocketTransportFactory(Options.Create(new SocketTransportOptions
        {
            NoDelay = true,
            UnsafePreferInlineScheduling = _options.UnsafePreferInlineScheduling,
            // TCP back-pressure: past this many unread bytes the transport stops reading the socket until the loop
            // catches up, so a client pipelining gigabytes is served at its own pace with bounded memory. The parser
            // copies big bulks out as they arrive, so no request needs the buffer to hold it whole;
            // client-query-buffer-limit is enforced on the request in progress by the loop.
            MaxReadBufferSize = _options.MaxReadBufferSize,
        }), loggerFactory);

        var bound = new List<IPEndPoint>();
        int port = int.Parse(Node.Config.Get("port")!, System.Globalization.CultureInfo.InvariantCulture);
        foreach (var (address, optional) in Addresses(Node.Config.Get("bind")!))
        {
            IConnectionListener listener;
            try { listener = await transport.BindAsync(new IPEndPoint(address, port), cancellationToken); }
            catch (Exception) when (optional) { continue; } // redis.conf's "-addr": skip an address that cannot be bound

            var endPoint = (IPEndPoint)listener.EndPoint;
            port = endPoint.Port; // with Port 0, every address gets the port the first one picked
            bound.Add(endPoint);
            _listeners.Add((listener, false));
        }
        EndPoints = bound;
        Node.Port = port;
        foreach (var endPoint in bound)
        {
            if (RespConfig.IsLoopback(endPoint) || Node.Config.AuthRequired || Node.Acl.Current.AnyPassword) continue;
            if (Node.Config.Get("protected-mode") == "yes") Log.ProtectedModeOn(_logger, endPoint.ToString());
            else Log.OpenToEveryone(_logger, endPoint.ToString());
        }
        Node.Config.SetBoundPort("port", port);

        if (_options.Tls.Enabled)
        {
            _certificate = X509CertificateLoader.LoadPkcs12FromFile(_options.Tls.CertificatePath!, _options.Tls.CertificatePassword);
            var address = bound.Count > 0 ? bound[0].Address : IPAddress.Loopback;
            var listener = await transport.BindAsync(new IPEndPoint(address, Math.Max(_options.Tls.Port, 0)), cancellationToken);
            TlsEndPoint = (IPEndPoint)listener.EndPoint;
            Node.Config.SetBoundPort("tls-port", TlsEndPoint.Port);
            _listeners.Add((listener, true));
        }

        foreach (var (listener, tls) in _listeners)
        {
            _loops.Add(AcceptLoopAsync(listener, tls));
            Log.Listening(_logger, listener.EndPoint.ToString() ?? "", tls ? " (TLS)" : "");
        }
        _loops.Add(IdleLoopAsync());
        _loops.Add(MetricsLoopAsync());
    }

    public async Task StopAsync(CancellationToken cancellationToken)
    {
        if (_stopping.IsCancellationRequested) return;
        _stopping.Cancel();
        foreach (var (listener, _) in _listeners) await listener.UnbindAsync(cancellationToken);
        foreach (var client in Node?.Clients.Values ?? []) client.Kill();
        try
        {
            await Task.WhenAll(_loops).WaitAsync(cancellationToken);
            while (Node is not null && !Node.Clients.IsEmpty && !cancellationToken.IsCancellationRequested)
                await Task.Delay(10, cancellationToken);
        }
        catch (OperationCanceledException) { }
        foreach (var (listener, _) in _listeners)
        {
            await listener.DisposeAsync();
            Log.Stopped(_logger, listener.EndPoint.ToString() ?? "");
        }
        _listeners.Clear();
    }

    public async ValueTask DisposeAsync()
    {
        await StopAsync(CancellationToken.None);
        _metrics?.Dispose();
        _certificate?.Dispose();
        _stopping.Dispose();
    }

    /// <summary>Every silo's clients follow CLIENT PAUSE sent to any silo.</summary>
    private async Task ListenForPausesAsync()
    {
        try { await Node.ClusterPause.StartAsync(); }
        catch (Exception e) { Log.PauseListenFailed(_logger, e); }
    }

    /// <summary>
    /// The cluster's stored users, then requirepass as the default user's password (as redis-server applies it at start);
    /// connections wait for this.
    /// </summary>
    private async Task LoadAclAsync()
    {
        try
        {
            await Node.Acl.LoadAsync();
            var password = Node.Config.RequirePass;
            var current = Node.Acl.Current.Default;
            bool same = !current.NoPass && current.Passwords is [var hash]
                && hash == Core.Acl.AclUser.Hash(System.Text.Encoding.UTF8.GetBytes(password));
            if (password.Length > 0 && !same) await Node.Acl.SetDefaultPasswordAsync(password);
        }
        catch (Exception e)
        {
            Log.AclLoadFailed(_logger, e);
        }
        finally
        {
            Node.AclReady.TrySetResult();
        }
    }

    /// <summary>Pushes the config file's partition settings and keyspace events to every partition of the cluster.</summary>
    private async Task PushFileSettingsAsync()
    {
        try
        {
            if (Node.Config.PartitionSettingsChanged is { } push) await push(Node.Config.PartitionSettings);
            if (Node.Config.KeyspaceEventsChanged is { } events && Node.Config.Get("notify-keyspace-events") is { Length: > 0 })
                await events(Node.Config.KeyspaceEventFlags);
        }
        catch (Exception e)
        {
            Log.ConfigPushFailed(_logger, e);
        }
    }

    private static IEnumerable<(IPAddress Address, bool Optional)> Addresses(string bind)
    {
        foreach (var part in bind.Split([' ', ','], StringSplitOptions.RemoveEmptyEntries))
        {
            var text = part.TrimStart('-'); // redis.conf allows "-::1" for "optional"
            yield return (text switch
            {
                "*" => IPAddress.Any,
                "::*" => IPAddress.IPv6Any,
                "localhost" => IPAddress.Loopback,
                _ => IPAddress.Parse(text),
            }, part.StartsWith('-'));
        }
    }

    private async Task AcceptLoopAsync(IConnectionListener listener, bool tls)
    {
        while (true)
        {
            ConnectionContext? connection;
            try
            {
                connection = await listener.AcceptAsync(_stopping.Token);
            }
            catch (Exception e) when (e is OperationCanceledException or ObjectDisposedException)
            {
                return;
            }
            if (connection is null) return;
            _ = ServeAsync(connection, tls);
        }
    }

    private async Task ServeAsync(ConnectionContext connection, bool tls)
    {
        await Task.Yield(); // off the accept loop
        var client = new RespSession(connection, Node.NowMs) { Tls = tls };
        Node.CountConnection();
        SslStream? ssl = null;
        try
        {
            if (Node.Clients.Count >= Node.Config.MaxClients)
            {
                Node.CountRejected();
                Log.MaxClients(_logger, client.Address);
                await connection.Transport.Output.WriteAsync("-ERR max number of clients reached\r\n"u8.ToArray());
                return;
            }
            Node.Clients[client.Id] = client;
            var pipe = connection.Transport;
            if (tls)
            {
                ssl = new SslStream(new TransportStream(connection.Transport), leaveInnerStreamOpen: false);
                using var handshake = CancellationTokenSource.CreateLinkedTokenSource(_stopping.Token);
                handshake.CancelAfter(TimeSpan.FromSeconds(10));
                try
                {
                    await ssl.AuthenticateAsServerAsync(new SslServerAuthenticationOptions { ServerCertificate = _certificate }, handshake.Token);
                }
                catch (Exception e)
                {
                    Log.TlsFailed(_logger, e, client.Address);
                    return;
                }
                pipe = new StreamPipe(ssl);
            }
            if (Node.Config.DeniedByProtectedMode(connection.RemoteEndPoint))
            {
                Node.CountRejected();
                await pipe.Output.WriteAsync(RespConfig.ProtectedModeDenied);
                return;
            }
            // Cancelled when the client goes away, so a blocked BLPOP leaves its queue at once.
            using var closed = CancellationTokenSource.CreateLinkedTokenSource(_stopping.Token, connection.ConnectionClosed);
            await new RespConnection(Node, _commands!, client, pipe, _logger).RunAsync(closed.Token);
        }
        catch (Exception e) when (e is ConnectionResetException or ConnectionAbortedException or IOException or OperationCanceledException)
        {
            // The client went away or was killed.
        }
        catch (Exception e)
        {
            Log.ConnectionFailed(_logger, e, client.Id);
        }
        finally
        {
            Node.Clients.TryRemove(client.Id, out _);
            if (ssl is not null) await ssl.DisposeAsync();
            await connection.DisposeAsync();
        }
    }

    private bool _aclFromCluster;

    private async Task RefreshAclAsync()
    {
        try { await Node.Acl.LoadAsync(); }
        catch (Exception e) { Log.AclLoadFailed(_logger, e); }
    }

    /// <summary>Samples INFO's instantaneous metrics every 100 ms (as Redis's serverCron) and re-reads cached settings every second.</summary>
    private async Task MetricsLoopAsync()
    {
        using var timer = new PeriodicTimer(TimeSpan.FromMilliseconds(100));
        try
        {
            for (int tick = 0; await timer.WaitForNextTickAsync(_stopping.Token); tick++)
            {
                Node.SampleMetrics();
                if (tick % 10 == 0) Node.RefreshSettings();
                // A silo that missed an ACL announcement (unreachable for a moment) catches up within 30 s.
                if (tick % 300 == 299 && _aclFromCluster && Node.AclReady.Task.IsCompleted) _ = RefreshAclAsync();
            }
        }
        catch (OperationCanceledException) { }
    }

    /// <summary>
    /// Redis's clientsCron, for one job: close clients idle longer than <c>timeout</c> seconds. As in Redis
    /// (clientsCronHandleTimeout), a subscriber, a MONITOR client and a client blocked in BLPOP &amp; co. are never
    /// closed for idleness.
    /// </summary>
    private async Task IdleLoopAsync()
    {
        using var timer = new PeriodicTimer(TimeSpan.FromSeconds(1), Node.Time);
        try
        {
            while (await timer.WaitForNextTickAsync(_stopping.Token))
            {
                int timeout = Node.Config.Timeout;
                if (timeout <= 0) continue;
                long now = Node.NowMs;
                foreach (var client in Node.Clients.Values)
                {
                    if (client.Blocked || client.Subscriber is { IsSubscribed: true } || client.Monitor is not null) continue;
                    long idle = now - client.LastInteraction;
                    if (idle <= timeout * 1000L) continue;
                    Log.IdleTimeout(_logger, client.Id, idle / 1000);
                    client.Kill();
                }
            }
        }
        catch (OperationCanceledException) { }
    }
}
