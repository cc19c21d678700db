using System.Security.Cryptography;
using Pcrs.TestSupport;

namespace Pcrs.WebFront.Tests;

/// <summary>
/// The files the download tests serve, under the peers' data root (so vsftpd and sshd both see them at /webfront-downloads):
/// three real tiles in dalles/, and in big/ a 200 MB sparse file with known random blocks at its start, middle and end.
/// Created once and kept; written under a temporary name and renamed, so concurrent runs never see half a file.
/// </summary>
public static class DownloadFiles
{
    public const string Root = "/webfront-downloads";
    public const string TilesPath = Root + "/dalles";
    public const string BigPath = Root + "/big";
    public const string BigName = "big.bin";
    public const long BigSize = 200L * 1024 * 1024;
    public const int BlockSize = 1024 * 1024;

    public static readonly string[] TileNames = ["l93_rgb_geojp2_only.jp2", "l93_rgb_tiled_lzw.tif", "l93_rgb_lossless.jp2"];

    /// <summary>Two real tiles padded (sparse) to <see cref="HeavyTileSize"/>: an archive of them takes minutes to a slow reader.</summary>
    public const string HeavyTilesPath = Root + "/dalles-lourdes";
    public const long HeavyTileSize = 200L * 1024 * 1024;
    public static readonly string[] HeavyTileNames = ["lourde_1.tif", "lourde_2.tif"];

    /// <summary>Offsets of the random blocks of the big file; everything else is a hole (zeros).</summary>
    public static readonly long[] BigBlockOffsets = [0, 100L * 1024 * 1024, BigSize - BlockSize];

    public static string Local(string storagePath) => Path.Combine(Peers.DataDir, storagePath.TrimStart('/'));

    public static void Prepare()
    {
        var tiles = Local(TilesPath);
        Directory.CreateDirectory(tiles);
        foreach (var name in TileNames)
        {
            var target = Path.Combine(tiles, name);
            if (!File.Exists(target))
                PublishCopy(Path.Combine(Peers.FixturesDir, name), target);
        }
        var heavy = Local(HeavyTilesPath);
        Directory.CreateDirectory(heavy);
        foreach (var name in HeavyTileNames)
        {
            var target = Path.Combine(heavy, name);
            if (!File.Exists(target) || new FileInfo(target).Length != HeavyTileSize)
                PublishCopy(Path.Combine(Peers.FixturesDir, "l93_rgb_tiled_lzw.tif"), target, HeavyTileSize);
        }
        var big = Path.Combine(Local(BigPath), BigName);
        Directory.CreateDirectory(Local(BigPath));
        if (!File.Exists(big) || new FileInfo(big).Length != BigSize)
            WriteBigFile(big);
    }

    /// <summary>The bytes the big file holds at <paramref name="offset"/> (a block or a hole).</summary>
    public static byte[] BigBytes(long offset, int count)
    {
        var bytes = new byte[count];
        for (int b = 0; b < BigBlockOffsets.Length; b++)
        {
            long blockStart = BigBlockOffsets[b];
            long from = Math.Max(offset, blockStart);
            long to = Math.Min(offset + count, blockStart + BlockSize);
            if (from < to)
                Block(b).AsSpan((int)(from - blockStart), (int)(to - from)).CopyTo(bytes.AsSpan((int)(from - offset)));
        }
        return bytes;
    }

    public static string Sha256(string localFile)
    {
        using var stream = File.OpenRead(localFile);
        return Convert.ToHexString(SHA256.HashData(stream));
    }

    private static byte[] Block(int index)
    {
        var block = new byte[BlockSize];
        new Random(20261129 + index).NextBytes(block); // deterministic: every run writes the same file
        return block;
    }

    private static void WriteBigFile(string target)
    {
        var temporary = target + "." + Guid.NewGuid().ToString("N") + ".tmp";
        using (var file = new FileStream(temporary, FileMode.CreateNew, FileAccess.Write))
        {
            file.SetLength(BigSize); // sparse: the holes take no disk space
            for (int b = 0; b < BigBlockOffsets.Length; b++)
            {
                file.Position = BigBlockOffsets[b];
                file.Write(Block(b));
            }
        }
        File.Move(temporary, target, overwrite: true);
    }

    private static void PublishCopy(string source, string target, long? paddedLength = null)
    {
        var temporary = target + "." + Guid.NewGuid().ToString("N") + ".tmp";
        File.Copy(source, temporary);
        if (paddedLength is { } length)
        {
            // Zeros after the tile's own bytes (a hole: no disk space); its header, read by the scan, is unchanged.
            using var file = new FileStream(temporary, FileMode.Open, FileAccess.Write);
            file.SetLength(length);
        }
        File.Move(temporary, target, overwrite: true);
    }
}
