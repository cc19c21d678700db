namespace Pcrs.Grains.Formats.GeoTiff;

/// <summary>
/// One IFD entry as stored: tag, type, count, and the raw value field (4 bytes in classic TIFF, 8 in BigTIFF) that
/// holds the value itself when it fits, or the file offset of the value otherwise.
/// </summary>
public readonly record struct TiffEntry(ushort Tag, ushort Type, ulong Count, ulong ValueField, bool ValueIsInline)
{
    public int ValueSize => TiffFieldType.SizeOf(Type);
}
