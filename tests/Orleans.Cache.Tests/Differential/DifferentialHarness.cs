using System.Net;
using System.Text;
using Xunit.Sdk;

namespace Orleans.Cache.Tests.Differential;

/// <summary>A server to compare: a display name and where each named connection ("A", "B" …) goes.</summary>
public sealed record DiffServer(string Name, Func<string, IPEndPoint> EndPointOf);

/// <summary>
/// Runs the same commands against a reference server (a real redis-server) and a target, step by step over one raw
/// connection per scenario connection name on each side, and fails at the first reply whose bytes differ, showing the
/// command, both replies escaped, and the transcript up to there.
/// </summary>
public sealed class DifferentialHarness(DiffServer reference, DiffServer target)
{
    private const int ReplyTimeoutMs = 10_000;

    /// <summary>Runs <paramref name="scenario"/> in RESP <paramref name="protocol"/> and returns the transcript.</summary>
    public Task<string> RunAsync(Scenario scenario, int protocol) =>
        RunAsync($"scenario {scenario.Name}", scenario.Steps, protocol, scenario.Normalizations);

    /// <summary>Runs <paramref name="steps"/> ("@" replaced by a fresh hash-tagged prefix) and returns the transcript.</summary>
    public async Task<string> RunAsync(string title, IEnumerable<Step> steps, int protocol,
        IReadOnlyList<(System.Text.RegularExpressions.Regex Pattern, string Replacement)>? normalizations = null)
    {
        string prefix = "{d" + Guid.NewGuid().ToString("N")[..8] + "}";
        var left = new Dictionary<string, RespConnection>();
        var right = new Dictionary<string, RespConnection>();
        var transcript = new StringBuilder();
        try
        {
            int n = 0;
            foreach (var template in steps)
            {
                n++;
                var step = template with { Argv = template.Argv.Select(a => a.Replace("@", prefix)).ToArray() };
                var expected = await CallAsync(reference, left, step, protocol);
                var actual = await CallAsync(target, right, step, protocol);
                if (expected is null)
                    throw new XunitException($"{title}: {reference.Name} did not answer step {n} ({step}) within {ReplyTimeoutMs} ms; " +
                                             $"the scenario is broken.\n{transcript}");
                var e = Normalized(expected, normalizations);
                var a = actual is null ? $"<no reply within {ReplyTimeoutMs} ms>" : Normalized(actual, normalizations);
                if (e != a)
                    throw new XunitException(
                        $"{title} (RESP{protocol}): replies differ at step {n}\n" +
                        $"  command:        {step}\n" +
                        $"  {reference.Name,-14}: {e}\n" +
                        $"  {target.Name,-14}: {a}\n" +
                        $"transcript before it ({reference.Name}):\n{transcript}");
                transcript.Append("  ").Append(step).Append("\n      ").Append(e).Append('\n');
            }
            return transcript.ToString();
        }
        finally
        {
            foreach (var c in left.Values.Concat(right.Values)) c.Dispose();
        }
    }

    private static string Normalized(byte[] reply,
        IReadOnlyList<(System.Text.RegularExpressions.Regex Pattern, string Replacement)>? normalizations)
    {
        var text = RespConnection.Escape(reply);
        foreach (var (pattern, replacement) in normalizations ?? []) text = pattern.Replace(text, replacement);
        return text;
    }

    /// <summary>The reply to <paramref name="step"/>, or null when the server sent none in time.</summary>
    private static async Task<byte[]?> CallAsync(DiffServer server, Dictionary<string, RespConnection> connections, Step step, int protocol)
    {
        if (!connections.TryGetValue(step.Conn, out var connection))
        {
            connection = await RespConnection.ConnectAsync(server.EndPointOf(step.Conn));
            connections[step.Conn] = connection;
            if (protocol == 3)
            {
                // HELLO's map names the server, its version and the connection id, which differ by design: only its
                // shape is checked.
                var hello = await connection.CallAsync(["HELLO", "3"]);
                if (hello.Length == 0 || hello[0] != '%')
                    throw new XunitException($"{server.Name} refused HELLO 3: {RespConnection.Escape(hello)}");
            }
        }
        try { return await connection.CallAsync(step.Argv, ReplyTimeoutMs); }
        catch (TimeoutException) { return null; }
        catch (Exception e) when (e is IOException or System.Net.Sockets.SocketException)
        {
            return Encoding.UTF8.GetBytes($"<connection lost: {e.Message}>");
        }
    }
}
