namespace Pcrs.Grains.Formats.Reading;

/// <summary>A reader asked for more bytes of one file than the per-file budget allows.</summary>
public sealed class ByteBudgetExceededException(long budget)
    : Exception($"Reading the header would need more than the {budget} bytes allowed per file.")
{
    public long Budget { get; } = budget;
}
