using System.Globalization;
using System.Security.Cryptography;
using System.Text;

namespace Pcrs.Grains.Catalogue.Database;

/// <summary>One versioned schema script from deploy/sql (file name "NNNN_what.sql").</summary>
public sealed record SqlMigration(int Version, string Name, string Sql)
{
    /// <summary>SHA-256 of the script text, recorded when applied, to notice a script edited after release.</summary>
    public string Checksum { get; } = Convert.ToHexStringLower(SHA256.HashData(Encoding.UTF8.GetBytes(Sql)));

    /// <summary>Reads the version from the leading digits of a script name such as "0001_orleans.sql".</summary>
    public static SqlMigration FromScript(string fileName, string sql)
    {
        int digits = 0;
        while (digits < fileName.Length && char.IsAsciiDigit(fileName[digits]))
        {
            digits++;
        }

        if (digits == 0 || digits > 9 || !int.TryParse(fileName.AsSpan(0, digits), NumberStyles.None, CultureInfo.InvariantCulture, out int version) || version <= 0)
        {
            throw new InvalidOperationException(
                $"Migration script '{fileName}' must start with a positive version number, e.g. 0001_name.sql.");
        }

        return new SqlMigration(version, Path.GetFileNameWithoutExtension(fileName), sql);
    }
}
