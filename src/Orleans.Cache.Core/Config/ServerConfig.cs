using System.Text;

namespace Orleans.Cache.Core.Config;

/// <summary>
/// The current value of every <see cref="ConfigTable"/> parameter, behind CONFIG GET and CONFIG SET: glob patterns (several
/// at once, each parameter listed once), and sets of several parameters that are checked in full before any is applied,
/// as Redis's configSetCommand does — an unknown, immutable, protected or repeated name first, then each value — so one
/// bad pair changes nothing. Thread-safe.
/// </summary>
internal sealed class ServerConfig
{
    private readonly Lock _lock = new();
    private readonly Dictionary<ConfigParam, string> _values = [];

    public ServerConfig()
    {
        foreach (var p in ConfigTable.All) _values[p] = p.Default;
    }

    /// <summary>Parameters Redis can change at runtime but this server cannot (port, bind …): CONFIG SET answers them as immutable.</summary>
    public HashSet<string> FixedHere { get; } = new(StringComparer.OrdinalIgnoreCase);

    /// <summary>The value CONFIG GET shows for a name or alias, or null when no parameter has that name.</summary>
    public string? Get(string name)
    {
        if (ConfigTable.Find(name) is not { } p) return null;
        lock (_lock) return _values[p];
    }

    /// <summary>The value of a parameter.</summary>
    public string Get(ConfigParam p)
    {
        lock (_lock) return _values[p];
    }

    /// <summary>
    /// CONFIG GET's pairs: a pattern without glob characters names one parameter (listed under the name as given); a glob
    /// pattern lists every name and alias it matches, case-insensitively, hidden parameters aside. Each name once.
    /// </summary>
    public List<(string Name, string Value)> Match(IEnumerable<string> patterns)
    {
        var seen = new HashSet<string>(StringComparer.OrdinalIgnoreCase);
        var pairs = new List<(string, string)>();
        lock (_lock)
        {
            foreach (var pattern in patterns)
            {
                if (pattern.IndexOfAny(['*', '?', '[']) < 0)
                {
                    if (ConfigTable.Find(pattern) is { } exact && seen.Add(pattern)) pairs.Add((pattern, _values[exact]));
                    continue;
                }
                var lowered = Encoding.UTF8.GetBytes(pattern.ToLowerInvariant());
                foreach (var (name, p) in ConfigTable.ListedNames())
                    if (!seen.Contains(name) && Glob.IsMatch(lowered, Encoding.ASCII.GetBytes(name)) && seen.Add(name)) pairs.Add((name, _values[p]));
            }
        }
        return pairs;
    }

    /// <summary>
    /// CONFIG SET's pairs, all or nothing: Redis's error reply (null when applied) and the parameters set (changed or not:
    /// a setting that acts cluster-wide is pushed again even when this server already had the value).
    /// </summary>
    public (string? Error, List<ConfigParam> Applied) Set(IReadOnlyList<(string Name, string Value)> pairs)
    {
        var found = new ConfigParam[pairs.Count];
        var names = new HashSet<string>(StringComparer.OrdinalIgnoreCase);
        for (int i = 0; i < pairs.Count; i++)
        {
            string name = pairs[i].Name;
            if (ConfigTable.Find(name) is not { } p) return ($"ERR Unknown option or number of arguments for CONFIG SET - '{name}'", []);
            if (p.IsImmutable || FixedHere.Contains(p.Name)) return (Failed(name, "can't set immutable config"), []);
            if (p.IsProtected) return (Failed(name, "can't set protected config"), []);
            if (!names.Add(name)) return (Failed(name, "duplicate parameter"), []);
            found[i] = p;
        }
        lock (_lock)
        {
            var next = new Dictionary<ConfigParam, string>();
            for (int i = 0; i < pairs.Count; i++)
            {
                var p = found[i];
                var (value, error) = p.Normalize(pairs[i].Value, next.TryGetValue(p, out var pending) ? pending : _values[p]);
                if (error is not null) return (Failed(pairs[i].Name, error), []);
                next[p] = Adjust(p, value!);
            }
            foreach (var (p, value) in next) _values[p] = value;
            return (null, [.. next.Keys]);
        }
    }

    /// <summary>
    /// Sets a value at start (options, the config file), immutable parameters included; false with Redis's reason when
    /// the name is unknown or the value invalid.
    /// </summary>
    public bool TryInit(string name, string value, out string? error)
    {
        error = null;
        if (ConfigTable.Find(name) is not { } p)
        {
            error = "Bad directive or wrong number of arguments";
            return false;
        }
        lock (_lock)
        {
            var (shown, why) = p.Normalize(value, _values[p]);
            if (why is not null)
            {
                error = why;
                return false;
            }
            _values[p] = Adjust(p, shown!);
        }
        return true;
    }

    /// <summary>Sets a value at start that must be valid (it comes from typed options).</summary>
    public void Init(string name, string value)
    {
        if (!TryInit(name, value, out var error)) throw new ArgumentException($"{name} {value}: {error}", nameof(value));
    }

    /// <summary>Every parameter's value now (for CONFIG REWRITE).</summary>
    public Dictionary<ConfigParam, string> Snapshot()
    {
        lock (_lock) return new Dictionary<ConfigParam, string>(_values);
    }

    /// <summary>What Redis keeps of an accepted value: hz is held between 1 and 500 (CONFIG_MIN_HZ, CONFIG_MAX_HZ).</summary>
    private static string Adjust(ConfigParam p, string value) => p.Name switch
    {
        "hz" => Math.Clamp(long.Parse(value, System.Globalization.CultureInfo.InvariantCulture), 1, 500).ToString(System.Globalization.CultureInfo.InvariantCulture),
        _ => value,
    };

    /// <summary>Redis's reply to a CONFIG SET that failed on <paramref name="name"/>.</summary>
    public static string Failed(string name, string why) => $"ERR CONFIG SET failed (possibly related to argument '{name}') - {why}";
}
