using System.Globalization;

namespace Pcrs.Grains.Formats.WorldFile;

/// <summary>
/// ESRI world files (.j2w, .jgw, .tfw, .tifw, .wld…): six numbers A, D, B, E, C, F where C/F is the CENTRE of the top-left
/// pixel. GDAL's geotransform names the CORNER, so half a pixel is taken off, as GDALReadWorldFile does.
/// </summary>
public static class WorldFileParser
{
    /// <summary>A world file is six short lines; anything longer than this is not one.</summary>
    public const int MaxBytes = 4096;

    /// <summary>The GDAL geotransform, or null when the text is not a usable world file.</summary>
    public static double[]? Parse(string text)
    {
        if (text.Length > MaxBytes)
        {
            return null;
        }

        // GDAL reads the first six non-empty lines; commas as decimal separators are not accepted there either.
        string[] lines = text.Split(['\n', '\r'], StringSplitOptions.RemoveEmptyEntries | StringSplitOptions.TrimEntries);
        if (lines.Length < 6)
        {
            return null;
        }

        var v = new double[6];
        for (int i = 0; i < 6; i++)
        {
            if (!double.TryParse(lines[i], NumberStyles.Float, CultureInfo.InvariantCulture, out v[i]) || !double.IsFinite(v[i]))
            {
                return null;
            }
        }

        double a = v[0], d = v[1], b = v[2], e = v[3], c = v[4], f = v[5];
        if (a == 0 && b == 0 || d == 0 && e == 0)
        {
            // A degenerate grid (GDAL refuses zero pixel sizes).
            return null;
        }

        return [c - a / 2 - b / 2, a, b, f - d / 2 - e / 2, d, e];
    }

    /// <summary>
    /// World file names GDAL tries for a data file, in its order: first and last letters of the extension + "w"
    /// (x.j2w for x.jp2, x.tfw for x.tif), the extension + "w" (x.jp2w, x.tifw), then x.wld.
    /// </summary>
    public static IReadOnlyList<string> CandidateNames(string dataFileName)
    {
        string extension = Path.GetExtension(dataFileName);
        string stem = Path.GetFileNameWithoutExtension(dataFileName);
        if (extension.Length < 2)
        {
            return [stem + ".wld"];
        }

        string ext = extension[1..];
        return [$"{stem}.{ext[0]}{ext[^1]}w", $"{stem}.{ext}w", $"{stem}.wld"];
    }
}
