namespace Pcrs.Grains.Interfaces.Scanning;

/// <summary>One file of a batch sent to a storage's file shard: its path in the storage and what its listing said.</summary>
[GenerateSerializer, Immutable, Alias("pcrs.FileBatchItem")]
public sealed record FileBatchItem(
    [property: Id(0)] string Path,
    [property: Id(1)] FileAnalysisOrder Order);
