using System.Globalization;

namespace Orleans.Cache.Core.Config;

/// <summary>How a parameter's value is written and checked, as Redis's config.c types it.</summary>
internal enum ConfigKind
{
    /// <summary>yes / no.</summary>
    Bool,
    /// <summary>A whole number in [Min, Max] (Redis's INTEGER_CONFIG).</summary>
    Integer,
    /// <summary>A byte count with an optional unit: 1k, 1kb, 1m, 1mb, 1g, 1gb (Redis's MEMORY_CONFIG).</summary>
    Memory,
    /// <summary>One of a fixed set of words (or, with <see cref="ConfigFlags.FlagSet"/>, several of them).</summary>
    Enum,
    /// <summary>Any text.</summary>
    String,
    /// <summary>A value with its own syntax (save, client-output-buffer-limit, notify-keyspace-events …).</summary>
    Special,
}

[Flags]
internal enum ConfigFlags
{
    None = 0,
    /// <summary>Set only at start (redis.conf or options): CONFIG SET answers "can't set immutable config".</summary>
    Immutable = 1,
    /// <summary>Redis's PROTECTED_CONFIG with enable-protected-configs no: CONFIG SET answers "can't set protected config".</summary>
    Protected = 2,
    /// <summary>Not listed by glob patterns (a test-only knob); its exact name still works.</summary>
    Hidden = 4,
    /// <summary>A memory value that may also be a percentage ("10%").</summary>
    Percent = 8,
    /// <summary>An enum whose value is a set of words ("nosave now").</summary>
    FlagSet = 16,
    /// <summary>Shown in octal (unixsocketperm).</summary>
    Octal = 32,
}

/// <summary>
/// One row of the configuration table: a parameter of Redis 7.2's redis.conf, its alias (the 6.x name such as
/// hash-max-ziplist-entries or slaveof), its type and range, its default, and whether CONFIG SET may change it.
/// <see cref="Normalize"/> checks a value with Redis's error texts and gives the form CONFIG GET shows.
/// </summary>
internal sealed class ConfigParam
{
    public required string Name { get; init; }
    public string? Alias { get; init; }
    public required ConfigKind Kind { get; init; }
    public ConfigFlags Flags { get; init; }
    public long Min { get; init; }
    public ulong Max { get; init; }
    /// <summary>The default, as CONFIG GET shows it.</summary>
    public required string Default { get; init; }
    /// <summary>An enum's words with their values; words sharing a value are synonyms (the first is the one shown).</summary>
    public (string Word, int Value)[] Choices { get; init; } = [];
    /// <summary>A <see cref="ConfigKind.Special"/> parameter's check of a value against the current one: the shown form, or an error text.</summary>
    public Func<string, string, (string? Value, string? Error)>? Parse { get; init; }
    /// <summary>A further check after the type's own (Redis's isValid… callbacks): an error text, or null.</summary>
    public Func<string, string?>? Check { get; init; }

    public bool IsImmutable => (Flags & ConfigFlags.Immutable) != 0;
    public bool IsProtected => (Flags & ConfigFlags.Protected) != 0;
    public bool IsHidden => (Flags & ConfigFlags.Hidden) != 0;

    /// <summary>The value as CONFIG GET shows it (1gb → 1073741824, YES → yes), or the text Redis answers after " - ".</summary>
    public (string? Value, string? Error) Normalize(string value, string current = "")
    {
        var (shown, error) = Kind switch
        {
            ConfigKind.Bool => NormalizeBool(value),
            ConfigKind.Integer => NormalizeInteger(value),
            ConfigKind.Memory => NormalizeMemory(value),
            ConfigKind.Enum => NormalizeEnum(value),
            ConfigKind.String => (value, null),
            _ => Parse!(value, current),
        };
        if (error is null && Check?.Invoke(shown!) is { } why) return (null, why);
        return (shown, error);
    }

    private static (string?, string?) NormalizeBool(string value) =>
        value.Equals("yes", StringComparison.OrdinalIgnoreCase) ? ("yes", null)
        : value.Equals("no", StringComparison.OrdinalIgnoreCase) ? ("no", null)
        : (null, "argument must be 'yes' or 'no'");

    private (string?, string?) NormalizeInteger(string value)
    {
        if (!TryInteger(value, out long n)) return (null, "argument couldn't be parsed into an integer");
        return InRange(n) ? (n.ToString(CultureInfo.InvariantCulture), null) : (null, RangeError);
    }

    private (string?, string?) NormalizeMemory(string value)
    {
        if ((Flags & ConfigFlags.Percent) != 0 && value.EndsWith('%'))
        {
            if (!TryInteger(value[..^1], out long percent) || percent < 0) return (null, "argument must be a memory or percent value");
            if (percent > 100) return (null, "percentage argument must be less or equal to 100");
            return (percent.ToString(CultureInfo.InvariantCulture) + "%", null);
        }
        if (!TryMemory(value, out ulong bytes))
            return (null, (Flags & ConfigFlags.Percent) != 0 ? "argument must be a memory or percent value" : "argument must be a memory value");
        if (bytes > (ulong)long.MaxValue) return Max > long.MaxValue ? (bytes.ToString(CultureInfo.InvariantCulture), null) : (null, RangeError);
        return InRange((long)bytes) ? (bytes.ToString(CultureInfo.InvariantCulture), null) : (null, RangeError);
    }

    private (string?, string?) NormalizeEnum(string value)
    {
        if ((Flags & ConfigFlags.FlagSet) == 0)
        {
            foreach (var (word, v) in Choices)
                if (word.Equals(value, StringComparison.OrdinalIgnoreCase)) return (ShownWord(v), null);
            return (null, EnumError);
        }
        int bits = 0;
        foreach (var part in value.Split(' '))
        {
            int i = Array.FindIndex(Choices, c => c.Word.Equals(part, StringComparison.OrdinalIgnoreCase));
            if (i < 0) return (null, EnumError);
            bits |= Choices[i].Value;
        }
        if (bits == 0) return (Choices[0].Word, null);
        var words = Choices.Where(c => c.Value != 0 && (bits & c.Value) == c.Value).Select(c => c.Word);
        return (string.Join(' ', words), null);
    }

    private string ShownWord(int value) => Array.Find(Choices, c => c.Value == value).Word;

    private string EnumError => "argument(s) must be one of the following: " + string.Join(", ", Choices.Select(c => c.Word));

    private bool InRange(long n) => n >= Min && (ulong)Math.Max(n, 0) <= Max;

    private string RangeError => string.Create(CultureInfo.InvariantCulture, $"argument must be between {Min} and {Max} inclusive");

    /// <summary>Redis's string2ll: an optional '-', no '+', no leading zeros, no spaces, within a 64-bit integer.</summary>
    public static bool TryInteger(string text, out long value)
    {
        value = 0;
        if (text.Length == 0 || text.Length > 20) return false;
        int i = text[0] == '-' ? 1 : 0;
        if (i == text.Length) return false;
        if (text[i] == '0') return text.Length == 1 && long.TryParse(text, NumberStyles.None, CultureInfo.InvariantCulture, out value);
        for (int j = i; j < text.Length; j++) if (text[j] is < '0' or > '9') return false;
        return long.TryParse(text, NumberStyles.AllowLeadingSign, CultureInfo.InvariantCulture, out value);
    }

    /// <summary>Redis's memtoull: digits with an optional, case-insensitive b / k / kb / m / mb / g / gb unit.</summary>
    public static bool TryMemory(string text, out ulong bytes)
    {
        bytes = 0;
        int digits = 0;
        while (digits < text.Length && text[digits] is >= '0' and <= '9') digits++;
        if (digits == 0) return false;
        ulong unit = text[digits..].ToLowerInvariant() switch
        {
            "" or "b" => 1UL,
            "k" => 1000UL,
            "kb" => 1024UL,
            "m" => 1000UL * 1000,
            "mb" => 1024UL * 1024,
            "g" => 1000UL * 1000 * 1000,
            "gb" => 1024UL * 1024 * 1024,
            _ => 0UL,
        };
        if (unit == 0 || !ulong.TryParse(text.AsSpan(0, digits), NumberStyles.None, CultureInfo.InvariantCulture, out ulong n)) return false;
        try { bytes = checked(n * unit); }
        catch (OverflowException) { return false; }
        return true;
    }

    /// <summary>A byte count as CONFIG REWRITE writes it: the largest of gb / mb / kb that divides it exactly.</summary>
    public static string FormatMemory(ulong bytes) =>
        bytes == 0 ? "0"
        : bytes % (1024UL * 1024 * 1024) == 0 ? $"{bytes / (1024UL * 1024 * 1024)}gb"
        : bytes % (1024UL * 1024) == 0 ? $"{bytes / (1024UL * 1024)}mb"
        : bytes % 1024 == 0 ? $"{bytes / 1024}kb"
        : bytes.ToString(CultureInfo.InvariantCulture);

    public override string ToString() => Name;
}
