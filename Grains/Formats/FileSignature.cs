using System.Text;

namespace Pcrs.Grains.Formats;

/// <summary>What the first bytes of a file say it is, whatever its name claims.</summary>
public enum FileKind
{
    Empty,
    Unknown,
    Tiff,
    Jp2,
    J2kCodestream,
    PcrsGml,
    OtherGml,
    Xml,
    Html,
    GeoPackage,
    Sqlite,
    Dxf,
}

/// <summary>Recognises data files by their leading bytes (magic numbers, XML root and namespaces).</summary>
public static class FileSignature
{
    public const string PcrsNamespace = "http://cnig.gouv.fr/pcrs";

    private static ReadOnlySpan<byte> Jp2Signature => [0x00, 0x00, 0x00, 0x0C, 0x6A, 0x50, 0x20, 0x20, 0x0D, 0x0A, 0x87, 0x0A];
    private static ReadOnlySpan<byte> J2kStart => [0xFF, 0x4F, 0xFF, 0x51];
    private static ReadOnlySpan<byte> SqliteStart => "SQLite format 3\0"u8;
    private static ReadOnlySpan<byte> BinaryDxfStart => "AutoCAD Binary DXF\r\n"u8;

    public static FileKind Detect(ReadOnlySpan<byte> head)
    {
        if (head.IsEmpty)
        {
            return FileKind.Empty;
        }

        if (head.Length >= 4
            && ((head[0] == 'I' && head[1] == 'I' && head[2] is 42 or 43 && head[3] == 0)
                || (head[0] == 'M' && head[1] == 'M' && head[2] == 0 && head[3] is 42 or 43)))
        {
            return FileKind.Tiff;
        }

        if (head.StartsWith(Jp2Signature) || (head.Length >= 8 && head[4..8].SequenceEqual("jP  "u8)))
        {
            return FileKind.Jp2;
        }

        if (head.StartsWith(J2kStart))
        {
            return FileKind.J2kCodestream;
        }

        if (head.StartsWith(SqliteStart))
        {
            // GeoPackage sets the SQLite application_id (offset 68) to "GPKG"; 1.0/1.1 files used "GP10"/"GP11".
            return head.Length >= 72 && head[68] == 'G' && head[69] == 'P' ? FileKind.GeoPackage : FileKind.Sqlite;
        }

        if (head.StartsWith(BinaryDxfStart))
        {
            return FileKind.Dxf;
        }

        return DetectText(head);
    }

    private static FileKind DetectText(ReadOnlySpan<byte> head)
    {
        // Text formats: decode leniently (Latin-1 keeps every byte) and look at the start and at namespaces.
        ReadOnlySpan<byte> sample = head.Length > 8192 ? head[..8192] : head;
        if (sample.StartsWith((ReadOnlySpan<byte>)[0xEF, 0xBB, 0xBF]))
        {
            sample = sample[3..];
        }

        string text = Encoding.Latin1.GetString(sample);
        string trimmed = text.TrimStart();
        if (trimmed.StartsWith('<'))
        {
            if (trimmed.StartsWith("<!DOCTYPE html", StringComparison.OrdinalIgnoreCase)
                || trimmed.StartsWith("<html", StringComparison.OrdinalIgnoreCase)
                || (trimmed.Contains("<html", StringComparison.OrdinalIgnoreCase) && !trimmed.StartsWith("<?xml", StringComparison.Ordinal)))
            {
                return FileKind.Html;
            }

            if (text.Contains(PcrsNamespace, StringComparison.Ordinal))
            {
                return FileKind.PcrsGml;
            }

            if (text.Contains("http://www.opengis.net/gml", StringComparison.Ordinal))
            {
                return FileKind.OtherGml;
            }

            return FileKind.Xml;
        }

        if (LooksLikeAsciiDxf(trimmed))
        {
            return FileKind.Dxf;
        }

        return FileKind.Unknown;
    }

    private static bool LooksLikeAsciiDxf(string text)
    {
        // ASCII DXF: group code 0 then SECTION (optionally after a 999 comment group), one value per line.
        string[] lines = text.Split('\n', 6);
        for (int i = 0; i + 1 < lines.Length; i += 2)
        {
            string code = lines[i].Trim();
            string value = lines[i + 1].Trim();
            if (code == "999")
            {
                continue;
            }

            return code == "0" && value == "SECTION";
        }

        return false;
    }
}
