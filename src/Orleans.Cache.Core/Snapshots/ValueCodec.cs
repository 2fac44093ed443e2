namespace Orleans.Cache.Core;

/// <summary>Type tags of the snapshot format; never renumber (old snapshots must stay readable).</summary>
public enum SnapshotType : byte
{
    String = 0,
}

/// <summary>How each value type is written to and read from a snapshot.</summary>
internal static class ValueCodec
{
    public static SnapshotType TypeOf(object value) => value switch
    {
        byte[] => SnapshotType.String,
        _ => throw new InvalidOperationException($"no snapshot codec for {value.GetType().Name}"),
    };

    public static void Write(ref SnapshotWriter w, object value)
    {
        switch (value)
        {
            case byte[] s: w.Bytes(s); break;
            default: throw new InvalidOperationException($"no snapshot codec for {value.GetType().Name}");
        }
    }

    public static object Read(ref SnapshotReader r, SnapshotType type) => type switch
    {
        SnapshotType.String => r.Bytes(),
        _ => throw new SnapshotFormatException($"unknown value type {(byte)type} in snapshot"),
    };
}
