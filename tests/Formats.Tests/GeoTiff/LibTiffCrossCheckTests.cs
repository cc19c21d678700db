using BitMiracle.LibTiff.Classic;
using TiffTag = BitMiracle.LibTiff.Classic.TiffTag;
using Pcrs.Grains.Formats.GeoTiff;
using Pcrs.TestSupport;

namespace Pcrs.Formats.Tests.GeoTiff;

/// <summary>
/// LibTiff.NET as an independent reader of the same well-formed fixtures: every field both can read must agree.
/// (LibTiff.NET is only used here, on trusted files: it reads every tag eagerly and caps no allocation.)
/// </summary>
public sealed class LibTiffCrossCheckTests
{
    static LibTiffCrossCheckTests() => Tiff.SetErrorHandler(new QuietHandler());

    [Theory]
    [MemberData(nameof(GeoTiffFixtures.All), MemberType = typeof(GeoTiffFixtures))]
    public async Task Our_walk_and_libtiff_agree(string name)
    {
        string path = GeoTiffFixtures.PathOf(name);
        GeoTiffInfo ours = await GeoTiffReader.ReadAsync(new FileRangeReader(path), null, TestContext.Current.CancellationToken);
        using Tiff? opened = Tiff.Open(path, "r");
        if (name == "bigendian_bigtiff_l93_rgb_tiled.tif")
        {
            // LibTiff.NET 2.4.660 cannot open big-endian BigTIFF (GDAL and our walk can): nothing to compare.
            Assert.Null(opened);
            Assert.True(ours.IsBigTiff && !ours.IsLittleEndian);
            return;
        }

        Tiff tif = opened ?? throw new InvalidOperationException($"LibTiff.NET could not open {name}");

        Assert.Equal(Int(tif, TiffTag.IMAGEWIDTH), ours.Width);
        Assert.Equal(Int(tif, TiffTag.IMAGELENGTH), ours.Height);
        Assert.Equal(Int(tif, TiffTag.SAMPLESPERPIXEL) ?? 1, ours.SamplesPerPixel);
        Assert.Equal(Int(tif, TiffTag.BITSPERSAMPLE) ?? 1, ours.BitsPerSample[0]);
        Assert.Equal(Int(tif, TiffTag.COMPRESSION) ?? 1, ours.Compression);
        Assert.Equal(Int(tif, TiffTag.PHOTOMETRIC), ours.Photometric);
        Assert.Equal(Int(tif, TiffTag.PLANARCONFIG) ?? 1, ours.PlanarConfig);
        Assert.Equal(tif.IsTiled(), ours.TileWidth is not null);
        if (tif.IsTiled())
        {
            Assert.Equal(Int(tif, TiffTag.TILEWIDTH), ours.TileWidth);
            Assert.Equal(Int(tif, TiffTag.TILELENGTH), ours.TileLength);
        }

        Assert.Equal(Int(tif, TiffTag.SAMPLEFORMAT) ?? 1, ours.SampleFormat);
        FieldValue[]? extra = tif.GetField(TiffTag.EXTRASAMPLES);
        int[] libExtra = extra is null ? [] : Array.ConvertAll(extra[1].ToShortArray(), s => (int)s);
        Assert.Equal(libExtra, ours.ExtraSamples);

        Assert.Equal(Doubles(tif, 33550), ours.ModelPixelScale);
        Assert.Equal(Doubles(tif, 33922)?.Take(6).ToArray(), ours.ModelTiepoint);
        Assert.Equal(Doubles(tif, 34264), ours.ModelTransformation);

        ushort[]? keys = Shorts(tif, 34735);
        if (keys is null)
        {
            Assert.Null(ours.GeoKeys);
        }
        else
        {
            GeoKeyDirectory dir = ours.GeoKeys!;
            Assert.Equal(keys[0], dir.Version);
            Assert.Equal(keys[3], dir.Keys.Count);
            for (int i = 0; i < dir.Keys.Count; i++)
            {
                Assert.Equal(keys[4 + (4 * i)], dir.Keys[i].Id);
                Assert.Equal(keys[7 + (4 * i)], dir.Keys[i].ValueOffset);
            }
        }

        Assert.Equal(tif.NumberOfDirectories(), ours.IfdCount);
    }

    private static int? Int(Tiff tif, TiffTag tag)
    {
        FieldValue[]? v = tif.GetField(tag);
        return v is null ? null : v[0].ToInt();
    }

    private static double[]? Doubles(Tiff tif, int tag)
    {
        FieldValue[]? v = tif.GetField((TiffTag)tag);
        return v?[^1].ToDoubleArray();
    }

    private static ushort[]? Shorts(Tiff tif, int tag)
    {
        FieldValue[]? v = tif.GetField((TiffTag)tag);
        return v is null ? null : Array.ConvertAll(v[^1].ToShortArray(), s => (ushort)s);
    }

    private sealed class QuietHandler : TiffErrorHandler
    {
        public override void WarningHandler(Tiff tif, string method, string format, params object[] args)
        {
        }

        public override void WarningHandlerExt(Tiff tif, object clientData, string method, string format, params object[] args)
        {
        }

        public override void ErrorHandler(Tiff tif, string method, string format, params object[] args)
        {
        }

        public override void ErrorHandlerExt(Tiff tif, object clientData, string method, string format, params object[] args)
        {
        }
    }
}
