// The Orleans.Cache silo: one process that hosts partition grains and the RESP endpoint for Redis clients.
// Configuration, in increasing precedence: appsettings.json, environment variables (Cache__Partitions=32),
// the command line (--Cache:Partitions 32), and redis-server style flags (--port 6380, --bind 0.0.0.0).
// As with redis-server, a first argument that is not a flag names a redis.conf-format file (same as --config-file):
// read at start, written back by CONFIG REWRITE.
//
// Two flags act on the PostgreSQL database at Silo:ConnectionString before anything else:
//   --init-db        create or upgrade the schema (sql/postgresql.sql, idempotent), then run the silo;
//   --init-db-only   create or upgrade the schema, then exit (a deployment's one-off migration step).
using Orleans.Cache.Resp;
using Orleans.Cache.Silo;

var initDb = args.Contains("--init-db") || args.Contains("--init-db-only");
var initDbOnly = args.Contains("--init-db-only");
args = [.. args.Where(a => a is not ("--init-db" or "--init-db-only"))];
if (args.Length > 0 && !args[0].StartsWith('-')) args = ["--config-file", args[0], .. args[1..]];

// appsettings.json is read from beside the silo, whatever the working directory.
var builder = Host.CreateApplicationBuilder(new HostApplicationBuilderSettings { Args = args, ContentRootPath = AppContext.BaseDirectory });
builder.Configuration.AddCommandLine(args, SiloSettings.RedisStyleFlags);

var settings = builder.Configuration.GetSection(SiloSettings.Section).Get<SiloSettings>() ?? new SiloSettings();
var telemetry = builder.Configuration.GetSection(TelemetrySettings.Section).Get<TelemetrySettings>() ?? new TelemetrySettings();

builder.UseOrleans(silo =>
{
    // Clustering: Localhost (default) is a single-machine cluster that needs no set-up;
    // AdoNet keeps membership in PostgreSQL, so silo processes on any number of machines form one cluster.
    silo.UseCacheClustering(settings);
    silo.Configure<Orleans.Configuration.ClusterOptions>(o => { o.ClusterId = settings.ClusterId; o.ServiceId = settings.ServiceId; });
    // Inside Kubernetes: pod name/IP and cluster ids come from the pod, and dead pods leave the cluster fast.
    if (Environment.GetEnvironmentVariable("KUBERNETES_SERVICE_HOST") is not null) silo.UseKubernetesHosting();
    // Grain storage: snapshots in PostgreSQL when Snapshots:Storage = AdoNet (local files by default);
    // stream subscriptions (PubSubStore) in PostgreSQL with AdoNet clustering, in memory otherwise.
    silo.AddCacheGrainStorage(settings, builder.Configuration);
    // Partitions, the executor and pub/sub (what the RESP endpoint sits on), then the typed client for co-hosted code.
    silo.AddOrleansCache(builder.Configuration);
    silo.Services.AddOrleansCacheClient();
    // Metrics to Prometheus and/or OTLP, traces to OTLP: off unless the "Telemetry" section turns them on.
    builder.AddCacheTelemetry(silo, settings, telemetry);
});

// Redis clients (redis-cli, StackExchange.Redis, redis-benchmark …) connect here.
builder.Services.AddRespEndpoint(builder.Configuration.GetSection("Resp"));
// Kubernetes's probes and Prometheus's scrapes: /health/live, /health/ready (RESP answers PING and this silo's partitions
// are loaded) and /metrics on Silo:HttpPort, when set.
builder.Services.AddSingleton(settings);
builder.Services.AddSingleton(telemetry);
builder.Services.AddHostedService<HttpEndpoint>();

var host = builder.Build();
var log = host.Services.GetRequiredService<ILoggerFactory>().CreateLogger("Orleans.Cache.Silo");

if (initDb)
{
    await DatabaseSchema.ApplyAsync(settings.RequireConnectionString("--init-db"));
    SiloLog.SchemaApplied(log);
    if (initDbOnly) { host.Dispose(); return; } // Dispose flushes the log.
}

host.Services.GetRequiredService<IHostApplicationLifetime>().ApplicationStarted.Register(() =>
    SiloLog.Ready(log, settings.ClusterId, settings.SiloPort, host.Services.GetRequiredService<Microsoft.Extensions.Options.IOptions<Orleans.Cache.CacheOptions>>().Value.Partitions));
await host.RunAsync();
