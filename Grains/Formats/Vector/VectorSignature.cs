using System.Buffers.Binary;
using System.Text;

namespace Pcrs.Grains.Formats.Vector;

/// <summary>Vector formats recognised from their first bytes.</summary>
public enum VectorFormat
{
    None,

    /// <summary>XML whose head names a GML namespace (PCRS exchange files are GML 3.2).</summary>
    Gml,

    /// <summary>SQLite database with the GeoPackage application id ("GPKG", or "GP10"/"GP11" of early versions).</summary>
    GeoPackage,

    /// <summary>AutoCAD DXF, ASCII ("0\nSECTION") or binary ("AutoCAD Binary DXF").</summary>
    Dxf,
}

/// <summary>
/// Recognises vector files by signature, from a head of a few hundred bytes: a GeoPackage is reported as format and size
/// only (reading its tables would need SQLite page access), a DXF likewise; GML goes on to <see cref="Gml.GmlReader"/>.
/// </summary>
public static class VectorSignature
{
    /// <summary>Bytes of head that settle the question.</summary>
    public const int HeadBytes = 1024;

    private static ReadOnlySpan<byte> SqliteMagic => "SQLite format 3\0"u8;
    private static ReadOnlySpan<byte> BinaryDxfMagic => "AutoCAD Binary DXF\r\n\u001a\0"u8;

    public static VectorFormat Recognise(ReadOnlySpan<byte> head)
    {
        if (head.StartsWith(SqliteMagic))
        {
            // application_id is the big-endian integer at offset 68 of the database header.
            if (head.Length < 72)
            {
                return VectorFormat.None;
            }

            uint applicationId = BinaryPrimitives.ReadUInt32BigEndian(head[68..]);
            return applicationId is 0x47504B47 or 0x47503130 or 0x47503131 ? VectorFormat.GeoPackage : VectorFormat.None;
        }

        if (head.StartsWith(BinaryDxfMagic))
        {
            return VectorFormat.Dxf;
        }

        string text = Encoding.UTF8.GetString(head[..Math.Min(head.Length, HeadBytes)]).TrimStart('\uFEFF');
        if (IsAsciiDxf(text))
        {
            return VectorFormat.Dxf;
        }

        string trimmed = text.TrimStart();
        if (trimmed.StartsWith('<')
            && (text.Contains("http://www.opengis.net/gml", StringComparison.Ordinal) || text.Contains("http://cnig.gouv.fr/pcrs", StringComparison.Ordinal)))
        {
            return VectorFormat.Gml;
        }

        return VectorFormat.None;
    }

    /// <summary>An ASCII DXF starts with group code 0 then SECTION (codes may be padded with spaces, lines end in CRLF or LF).</summary>
    private static bool IsAsciiDxf(string text)
    {
        using var lines = new StringReader(text);
        string? first = lines.ReadLine();
        while (first is not null && first.Trim().Length == 0)
        {
            first = lines.ReadLine();
        }

        string? second = lines.ReadLine();
        return first?.Trim() == "0" && second?.Trim() == "SECTION";
    }
}
