using System.Diagnostics;
using System.Globalization;
using System.Net;
using System.Net.Sockets;
using System.Text;

namespace Orleans.Cache.Benchmarks;

/// <summary>
/// A load client for what redis-benchmark cannot send: MULTI/EXEC transactions. Each client owns one raw socket and
/// sends <c>MULTI; INCR {k}:a; SET {k}:b v; GET {k}:b; EXEC</c> pipelined in one write (k random of 100,000), waits for
/// the five replies, and repeats. Prints transactions (EXECs) per second, latency percentiles, and errors with the
/// first error text, then one JSON line for scripts (tests/bench/compare-scripts.py).
/// <code>dotnet run -c Release --project tests/Orleans.Cache.Benchmarks -- resp-tx --port 6379 --clients 50 --seconds 10</code>
/// </summary>
public static class RespTxBenchmark
{
    private const int KeySpace = 100_000;

    public static async Task RunAsync(string[] args)
    {
        string host = Option(args, "--host", "127.0.0.1");
        int port = int.Parse(Option(args, "--port", "6379"), CultureInfo.InvariantCulture);
        int clients = int.Parse(Option(args, "--clients", "50"), CultureInfo.InvariantCulture);
        double seconds = double.Parse(Option(args, "--seconds", "10"), CultureInfo.InvariantCulture);
        double warmup = double.Parse(Option(args, "--warmup", "1"), CultureInfo.InvariantCulture);
        var endPoint = new IPEndPoint(IPAddress.Parse(host), port);

        var workers = new Worker[clients];
        for (int i = 0; i < clients; i++) workers[i] = await Worker.ConnectAsync(endPoint, seed: i);

        // Warm-up (JIT, partition activation), then the measured run; every loop ends on its deadline.
        await Task.WhenAll(workers.Select(w => w.RunAsync(TimeSpan.FromSeconds(warmup), record: false)));
        var clock = Stopwatch.StartNew();
        await Task.WhenAll(workers.Select(w => w.RunAsync(TimeSpan.FromSeconds(seconds), record: true)));
        double elapsed = clock.Elapsed.TotalSeconds;
        foreach (var w in workers) w.Dispose();

        var latencies = workers.SelectMany(w => w.Latencies).Order().ToArray();
        long execs = latencies.Length;
        long errors = workers.Sum(w => w.Errors);
        string? firstError = workers.Select(w => w.FirstError).FirstOrDefault(e => e is not null);
        double Percentile(double p) => latencies.Length == 0 ? 0
            : latencies[Math.Min(latencies.Length - 1, (int)(p * latencies.Length))] * 1000.0 / Stopwatch.Frequency;

        double rps = execs / elapsed;
        Console.WriteLine($"resp-tx {host}:{port}, {clients} clients, {elapsed:F1} s: {rps:N0} transactions/s, " +
                          $"p50 {Percentile(0.50):F2} ms, p99 {Percentile(0.99):F2} ms, {errors:N0} error replies");
        if (firstError is not null) Console.WriteLine($"first error: {firstError}");
        Console.WriteLine(
            $"{{\"rps\": {rps.ToString("F1", CultureInfo.InvariantCulture)}, " +
            $"\"p50_ms\": {Percentile(0.50).ToString("F3", CultureInfo.InvariantCulture)}, " +
            $"\"p99_ms\": {Percentile(0.99).ToString("F3", CultureInfo.InvariantCulture)}, " +
            $"\"transactions\": {execs}, \"errors\": {errors}, " +
            $"\"first_error\": {(firstError is null ? "null" : "\"" + firstError.Replace("\\", "\\\\").Replace("\"", "\\\"") + "\"")}}}");
    }

    private static string Option(string[] args, string name, string fallback)
    {
        int i = Array.IndexOf(args, name);
        return i >= 0 && i + 1 < args.Length ? args[i + 1] : fallback;
    }

    /// <summary>One connection sending one transaction at a time.</summary>
    private sealed class Worker : IDisposable
    {
        private readonly Socket _socket = new(AddressFamily.InterNetwork, SocketType.Stream, ProtocolType.Tcp) { NoDelay = true };
        private readonly byte[] _buffer = new byte[16 * 1024];
        private int _start, _end;
        private readonly Random _random;

        public List<long> Latencies { get; } = [];
        public long Errors { get; private set; }
        public string? FirstError { get; private set; }

        private Worker(int seed) => _random = new Random(seed);

        public static async Task<Worker> ConnectAsync(IPEndPoint endPoint, int seed)
        {
            var worker = new Worker(seed);
            await worker._socket.ConnectAsync(endPoint);
            return worker;
        }

        public async Task RunAsync(TimeSpan duration, bool record)
        {
            var deadline = Stopwatch.GetTimestamp() + (long)(duration.TotalSeconds * Stopwatch.Frequency);
            while (Stopwatch.GetTimestamp() < deadline)
            {
                string k = $"{{tx:{_random.Next(KeySpace)}}}";
                var request = Encoding.ASCII.GetBytes(
                    $"*1\r\n$5\r\nMULTI\r\n" +
                    $"*2\r\n$4\r\nINCR\r\n${k.Length + 2}\r\n{k}:a\r\n" +
                    $"*3\r\n$3\r\nSET\r\n${k.Length + 2}\r\n{k}:b\r\n$1\r\nv\r\n" +
                    $"*2\r\n$3\r\nGET\r\n${k.Length + 2}\r\n{k}:b\r\n" +
                    $"*1\r\n$4\r\nEXEC\r\n");
                long start = Stopwatch.GetTimestamp();
                await _socket.SendAsync(request);
                for (int reply = 0; reply < 5; reply++) await SkipFrameAsync();
                if (record) Latencies.Add(Stopwatch.GetTimestamp() - start);
            }
        }

        /// <summary>Reads past one reply frame, counting error replies (at any depth) and keeping the first one's text.</summary>
        private async Task SkipFrameAsync()
        {
            var line = await ReadLineAsync();
            switch (line[0])
            {
                case '-' or '!':
                    Errors++;
                    FirstError ??= line[1..];
                    if (line[0] == '!') await SkipBytesAsync(int.Parse(line.AsSpan(1), CultureInfo.InvariantCulture) + 2);
                    break;
                case '$' or '=' when line != "$-1":
                    await SkipBytesAsync(int.Parse(line.AsSpan(1), CultureInfo.InvariantCulture) + 2);
                    break;
                case '*' or '~' or '%' when line != "*-1":
                    int n = int.Parse(line.AsSpan(1), CultureInfo.InvariantCulture) * (line[0] == '%' ? 2 : 1);
                    for (int i = 0; i < n; i++) await SkipFrameAsync();
                    break;
            }
        }

        private async Task<string> ReadLineAsync()
        {
            var line = new StringBuilder();
            while (true)
            {
                if (_start == _end) await FillAsync();
                int newline = Array.IndexOf(_buffer, (byte)'\n', _start, _end - _start);
                int stop = newline < 0 ? _end : newline;
                line.Append(Encoding.ASCII.GetString(_buffer, _start, stop - _start));
                _start = newline < 0 ? _end : newline + 1;
                if (newline >= 0) return line.ToString().TrimEnd('\r');
            }
        }

        private async Task SkipBytesAsync(int count)
        {
            while (count > 0)
            {
                if (_start == _end) await FillAsync();
                int take = Math.Min(count, _end - _start);
                _start += take;
                count -= take;
            }
        }

        private async Task FillAsync()
        {
            _start = 0;
            using var timeout = new CancellationTokenSource(TimeSpan.FromSeconds(10));
            _end = await _socket.ReceiveAsync(_buffer, SocketFlags.None, timeout.Token);
            if (_end == 0) throw new IOException("the server closed the connection");
        }

        public void Dispose() => _socket.Dispose();
    }
}
