using System.Buffers;
using System.IO.Hashing;

namespace Orleans.Cache.Core;

/// <summary>
/// A serialized snapshot as a list of segments (no single buffer past 2 GB, whatever the partition's size). The snapshot
/// writer fills every segment but the last; loaded ones are the stored chunks as they came.
/// </summary>
internal sealed class SnapshotData
{
    /// <summary>The writer's default segment size: 64 MB.</summary>
    public const int DefaultSegmentBytes = 64 * 1024 * 1024;

    public SnapshotData(IReadOnlyList<ReadOnlyMemory<byte>> segments)
    {
        Segments = segments;
        foreach (var s in segments) Length += s.Length;
    }

    public IReadOnlyList<ReadOnlyMemory<byte>> Segments { get; }

    /// <summary>Total bytes.</summary>
    public long Length { get; }

    public static SnapshotData From(byte[] data) => new([data]);

    /// <summary>The segments as one sequence, to read across their boundaries.</summary>
    public ReadOnlySequence<byte> AsSequence()
    {
        if (Segments.Count == 0) return ReadOnlySequence<byte>.Empty;
        if (Segments.Count == 1) return new ReadOnlySequence<byte>(Segments[0]);
        Segment first = new(Segments[0], 0), last = first;
        for (int i = 1; i < Segments.Count; i++) last = last.Append(Segments[i]);
        return new ReadOnlySequence<byte>(first, 0, last, last.Memory.Length);
    }

    /// <summary>All in one array (small snapshots and tests); past 2 GB this throws.</summary>
    public byte[] ToArray()
    {
        if (Length > Array.MaxLength) throw new InvalidOperationException($"a {Length}-byte snapshot does not fit in one array");
        return AsSequence().ToArray();
    }

    /// <summary>xxHash64 of <paramref name="data"/>, segment by segment.</summary>
    internal static ulong Hash(ReadOnlySequence<byte> data)
    {
        var hash = new XxHash64();
        foreach (var segment in data) hash.Append(segment.Span);
        return hash.GetCurrentHashAsUInt64();
    }

    private sealed class Segment : ReadOnlySequenceSegment<byte>
    {
        public Segment(ReadOnlyMemory<byte> memory, long runningIndex)
        {
            Memory = memory;
            RunningIndex = runningIndex;
        }

        public Segment Append(ReadOnlyMemory<byte> memory)
        {
            var next = new Segment(memory, RunningIndex + Memory.Length);
            Next = next;
            return next;
        }
    }
}
