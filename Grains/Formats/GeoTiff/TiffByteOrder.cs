using System.Buffers.Binary;

namespace Pcrs.Grains.Formats.GeoTiff;

/// <summary>Integer and floating-point decoding in the byte order the TIFF header declares.</summary>
internal readonly struct TiffByteOrder(bool littleEndian)
{
    public bool IsLittleEndian { get; } = littleEndian;

    public ushort UInt16(ReadOnlySpan<byte> s) =>
        IsLittleEndian ? BinaryPrimitives.ReadUInt16LittleEndian(s) : BinaryPrimitives.ReadUInt16BigEndian(s);

    public uint UInt32(ReadOnlySpan<byte> s) =>
        IsLittleEndian ? BinaryPrimitives.ReadUInt32LittleEndian(s) : BinaryPrimitives.ReadUInt32BigEndian(s);

    public ulong UInt64(ReadOnlySpan<byte> s) =>
        IsLittleEndian ? BinaryPrimitives.ReadUInt64LittleEndian(s) : BinaryPrimitives.ReadUInt64BigEndian(s);

    public double Double(ReadOnlySpan<byte> s) =>
        IsLittleEndian ? BinaryPrimitives.ReadDoubleLittleEndian(s) : BinaryPrimitives.ReadDoubleBigEndian(s);

    public float Single(ReadOnlySpan<byte> s) =>
        IsLittleEndian ? BinaryPrimitives.ReadSingleLittleEndian(s) : BinaryPrimitives.ReadSingleBigEndian(s);
}
