namespace Pcrs.Grains.Formats;

/// <summary>
/// A file's bytes do not make a readable header. The message is one clear sentence meant for the operator
/// (it ends up in <see cref="TileMetadata.Error"/>), so it names what was wrong and where, never a stack detail.
/// </summary>
public sealed class FormatReadException : Exception
{
    public FormatReadException(string message)
        : base(message)
    {
    }

    public FormatReadException(string message, Exception innerException)
        : base(message, innerException)
    {
    }
}
