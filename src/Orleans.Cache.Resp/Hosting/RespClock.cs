namespace Orleans.Cache.Resp;

/// <summary>
/// The RESP endpoint's clock (idle timeout, output-limit seconds, CLIENT PAUSE, CLIENT LIST ages) when it must differ
/// from the host's <see cref="TimeProvider"/>: in a silo that one is Orleans's, which a test cannot stop without
/// stopping Orleans. Without it the endpoint uses the host's <see cref="TimeProvider"/>, or the system clock.
/// </summary>
internal sealed class RespClock(TimeProvider time)
{
    public TimeProvider Time { get; } = time;
}
