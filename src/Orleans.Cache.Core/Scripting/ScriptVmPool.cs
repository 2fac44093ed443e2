using System.Collections.Concurrent;

namespace Orleans.Cache.Core.Scripting;

/// <summary>
/// The Lua VMs a silo's partitions run EVAL-family scripts on: about one per core, lent to one partition at a time for
/// one run (under the partition's lock), instead of one VM per partition. A core that serves many partitions then keeps
/// one VM's compiled scripts, tables and strings in its caches rather than interleaving eight (measured: EVALSHA -P16
/// 8-20% faster). A VM keeps nothing of a partition between runs: a script reaches its keyspace only through the host
/// of its run, and KEYS/ARGV are refilled each time. Function libraries stay on each partition's own VM
/// (<see cref="Keyspace.Scripts"/>): FUNCTION LOAD, DUMP and snapshots are per partition.
/// </summary>
internal sealed class ScriptVmPool(TimeProvider? time = null) : IDisposable
{
    private readonly TimeProvider _time = time ?? TimeProvider.System;
    // Idle VMs; a thread starts looking at its own slot, so it tends to get the VM it used last (still in its cache).
    private readonly ScriptEngine?[] _idle = new ScriptEngine?[Math.Max(2, Environment.ProcessorCount * 2)];
    // Every body a VM compiled, by sha: an EVALSHA that reaches a VM which has not compiled it yet (a partition called
    // without the front door, which sends EVALSHA as the EVAL of its body) compiles it from here.
    private readonly ConcurrentDictionary<string, byte[]> _bodies = new(StringComparer.Ordinal);
    private bool _disposed;

    /// <summary>How many VMs were made (one per script running at the same time, at most, plus replaced ones).</summary>
    internal int Created;

    /// <summary>EVAL / EVALSHA (by <paramref name="bySha"/>) of <paramref name="db"/>'s script on a VM lent for this run.</summary>
    public Reply Run(Keyspace db, byte[] bodyOrSha, bool bySha, byte[][] keys, byte[][] args, ScriptOptions options)
    {
        var vm = Rent();
        db.LentScripts = vm;
        try
        {
            int compiled = vm.Compilations;
            if (!bySha)
            {
                var reply = vm.Eval(bodyOrSha, keys, args, db.ScriptHost, options);
                if (vm.Compilations != compiled) _bodies.TryAdd(ScriptEngine.Sha1Hex(bodyOrSha), bodyOrSha);
                return reply;
            }
            var result = vm.EvalSha(bodyOrSha, keys, args, db.ScriptHost, options);
            if (ReferenceEquals(result, ScriptErrors.NoScript) && _bodies.TryGetValue(Args.Text(bodyOrSha).ToLowerInvariant(), out var body))
                result = vm.Eval(body, keys, args, db.ScriptHost, options);
            return result;
        }
        finally
        {
            db.LentScripts = null;
            Return(vm);
        }
    }

    private ScriptEngine Rent()
    {
        var idle = _idle;
        int start = Environment.CurrentManagedThreadId % idle.Length;
        for (int i = 0; i < idle.Length; i++)
        {
            int slot = (start + i) % idle.Length;
            if (Volatile.Read(ref idle[slot]) is not null && Interlocked.Exchange(ref idle[slot], null) is { } vm) return vm;
        }
        Interlocked.Increment(ref Created);
        return new ScriptEngine(_time);
    }

    private void Return(ScriptEngine vm)
    {
        var idle = _idle;
        int start = Environment.CurrentManagedThreadId % idle.Length;
        if (!Volatile.Read(ref _disposed))
        {
            for (int i = 0; i < idle.Length; i++)
                if (Interlocked.CompareExchange(ref idle[(start + i) % idle.Length], vm, null) is null) return;
        }
        vm.Dispose(); // more scripts ran at once than there are slots: this one is not kept
    }

    /// <summary>Closes the idle VMs (a VM still lent is closed when it comes back).</summary>
    public void Dispose()
    {
        Volatile.Write(ref _disposed, true);
        for (int i = 0; i < _idle.Length; i++) Interlocked.Exchange(ref _idle[i], null)?.Dispose();
    }
}
