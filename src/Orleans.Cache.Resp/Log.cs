using Microsoft.Extensions.Logging;

namespace Orleans.Cache.Resp;

internal static partial class Log
{
    [LoggerMessage(1, LogLevel.Information, "RESP endpoint ready: accepting Redis connections on {EndPoint}{Tls}")]
    public static partial void Listening(ILogger logger, string endPoint, string tls);

    [LoggerMessage(2, LogLevel.Information, "RESP endpoint stopped on {EndPoint}")]
    public static partial void Stopped(ILogger logger, string endPoint);

    [LoggerMessage(3, LogLevel.Debug, "Client {Id} ({Address}) closed: {Error}")]
    public static partial void ProtocolError(ILogger logger, long id, string address, string error);

    [LoggerMessage(50, LogLevel.Warning, "Config file {Path}: directive '{Directive}' is not a configuration parameter here and was ignored")]
    public static partial void ConfigDirectiveIgnored(ILogger logger, string directive, string path);

    [LoggerMessage(51, LogLevel.Error, "Config file settings that act in partitions could not be pushed to the cluster; CONFIG SET pushes them again")]
    public static partial void ConfigPushFailed(ILogger logger, Exception exception);

    [LoggerMessage(4, LogLevel.Warning, "Client {Id} ({Address}) closed: query buffer limit exceeded ({Bytes} bytes pending)")]
    public static partial void QueryBufferLimit(ILogger logger, long id, string address, long bytes);

    [LoggerMessage(5, LogLevel.Warning, "Connection from {Address} refused: max number of clients reached")]
    public static partial void MaxClients(ILogger logger, string address);

    [LoggerMessage(6, LogLevel.Warning, "Possible SECURITY ATTACK detected: an HTTP request was sent to the RESP port from {Address}; connection closed")]
    public static partial void SecurityAttack(ILogger logger, string address);

    [LoggerMessage(7, LogLevel.Debug, "Client {Id} closed after {Seconds} s idle")]
    public static partial void IdleTimeout(ILogger logger, long id, long seconds);

    [LoggerMessage(8, LogLevel.Debug, "Client {Id} connection ended with an error")]
    public static partial void ConnectionFailed(ILogger logger, Exception exception, long id);

    [LoggerMessage(9, LogLevel.Error, "Command executor failed for client {Id}")]
    public static partial void ExecutorFailed(ILogger logger, Exception exception, long id);

    [LoggerMessage(10, LogLevel.Warning, "TLS handshake failed for a client from {Address}")]
    public static partial void TlsFailed(ILogger logger, Exception exception, string address);

    [LoggerMessage(11, LogLevel.Warning, "Client {Id} ({Address}) closed for overcoming of output buffer limits ({Bytes} bytes of pub/sub messages queued)")]
    public static partial void OutputBufferLimit(ILogger logger, long id, string address, long bytes);

    [LoggerMessage(12, LogLevel.Debug, "MONITOR lines or announcements could not reach another silo")]
    public static partial void MonitorForwardFailed(ILogger logger, Exception exception);

    [LoggerMessage(13, LogLevel.Debug, "INFO, SLOWLOG or LATENCY could not ask the other silos; answering for this one")]
    public static partial void ClusterStatsFailed(ILogger logger, Exception exception);

    [LoggerMessage(14, LogLevel.Warning, "Client {Id} ({Address}) closed for overcoming of output buffer limits ({Bytes} bytes of replies unsent, class {Class}, {Which} limit)")]
    public static partial void ReplyBufferLimit(ILogger logger, long id, string address, long bytes, string @class, string which);

    [LoggerMessage(40, LogLevel.Warning, "SHUTDOWN by client {Id} ({Address}): stopping this silo {How}")]
    public static partial void ShuttingDown(ILogger logger, long id, string address, string how);

    [LoggerMessage(41, LogLevel.Warning, "SHUTDOWN by client {Id} refused: {Reason}")]
    public static partial void ShutdownRefused(ILogger logger, long id, string reason);

    [LoggerMessage(43, LogLevel.Warning, "RESP endpoint {EndPoint} is reachable from other hosts and no password is set: protected mode is on, so only loopback clients are served until requirepass is set (or protected-mode is turned off)")]
    public static partial void ProtectedModeOn(ILogger logger, string endPoint);

    [LoggerMessage(44, LogLevel.Warning, "RESP endpoint {EndPoint} is reachable from other hosts with no password and protected mode off: anyone who can reach it can read and change every key")]
    public static partial void OpenToEveryone(ILogger logger, string endPoint);

    [LoggerMessage(45, LogLevel.Warning, "Could not listen for cluster-wide CLIENT PAUSE; a pause sent to another silo will not hold this silo's clients")]
    public static partial void PauseListenFailed(ILogger logger, Exception exception);

    [LoggerMessage(42, LogLevel.Debug, "Invalidation for tracking client {Id} failed")]
    public static partial void InvalidationFailed(ILogger logger, Exception exception, long id);

    [LoggerMessage(46, LogLevel.Error, "Could not load the cluster's ACL users; this silo enforces only its own default user until an ACL change reaches it")]
    public static partial void AclLoadFailed(ILogger logger, Exception exception);
}
