namespace Pcrs.Grains.Storage.Ftp;

/// <summary>What the server listed in its FEAT reply (RFC 2389): one feature per line, name first.</summary>
internal sealed class FtpFeatures
{
    private readonly HashSet<string> _names;

    private FtpFeatures(HashSet<string> names) => _names = names;

    public static FtpFeatures None { get; } = new([]);

    public static FtpFeatures Parse(FtpReply reply)
    {
        var names = new HashSet<string>(StringComparer.OrdinalIgnoreCase);
        if (reply.Code == 211)
        {
            // The first and last lines are the "211-" header and "211 End"; feature lines start with a space.
            for (int i = 1; i < reply.Lines.Count - 1; i++)
            {
                var line = reply.Lines[i].Trim();
                int space = line.IndexOf(' ');
                if (line.Length > 0)
                    names.Add(space < 0 ? line : line[..space]);
            }
        }
        return new FtpFeatures(names);
    }

    public bool Has(string name) => _names.Contains(name);

    /// <summary>MLST in FEAT announces both MLST and MLSD (RFC 3659 §7.8).</summary>
    public bool MachineListing => Has("MLST") || Has("MLSD");

    public bool Utf8 => Has("UTF8");

    public override string ToString() => string.Join(",", _names.Order(StringComparer.Ordinal));
}
