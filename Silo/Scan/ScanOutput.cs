using System.Globalization;
using System.Text;
using System.Text.Encodings.Web;
using System.Text.Json;
using Pcrs.Grains.Catalogue;
using Pcrs.Grains.Interfaces.Scanning;

namespace Pcrs.Silo.Scan;

/// <summary>Writes the scan verb's results: JSON Lines (one per data file, then a summary) or a human summary.</summary>
internal static class ScanOutput
{
    private static readonly JsonWriterOptions WriterOptions = new() { Encoder = JavaScriptEncoder.UnsafeRelaxedJsonEscaping };

    /// <summary>One "file" line. <paramref name="relativePath"/> is relative to the URL's path, starting with '/'.</summary>
    public static string FileLine(TileRow tile, string relativePath)
    {
        using var buffer = new MemoryStream();
        using (var json = new Utf8JsonWriter(buffer, WriterOptions))
        {
            json.WriteStartObject();
            json.WriteString("kind", "file");
            json.WriteString("path", relativePath);
            WriteNumber(json, "size", tile.Size);
            json.WriteString("format", tile.Format);
            WriteNumber(json, "width", tile.Width);
            WriteNumber(json, "height", tile.Height);
            WriteNumber(json, "bands", tile.Bands);
            json.WriteStartArray("bandNames");
            foreach (var name in tile.BandNames)
                json.WriteStringValue(name);
            json.WriteEndArray();
            WriteNumber(json, "bitsPerSample", tile.BitsPerSample);
            WriteNumber(json, "epsg", tile.Epsg);
            if (tile.GeoTransform is { } transform)
            {
                json.WriteStartArray("geoTransform");
                foreach (double value in transform)
                    json.WriteNumberValue(value);
                json.WriteEndArray();
            }
            else
            {
                json.WriteNull("geoTransform");
            }
            if (tile.Resolution is { } resolution)
                json.WriteNumber("resolution", resolution);
            else
                json.WriteNull("resolution");
            json.WritePropertyName("footprint");
            if (tile.FootprintGeoJson is { } footprint)
                json.WriteRawValue(footprint);
            else
                json.WriteNullValue();
            json.WriteNumber("bytesRead", tile.BytesRead);
            json.WriteString("error", tile.Error);
            json.WriteEndObject();
        }
        return Encoding.UTF8.GetString(buffer.ToArray());
    }

    /// <param name="directoriesListed">
    /// Directories listed: the start folder and every folder below it (the catalogue counts only those below); zero
    /// when the URL names one file.
    /// </param>
    public static string SummaryLine(CatalogueSummary summary, long directoriesListed, IReadOnlyList<TileRow> tiles, double elapsedSeconds)
    {
        using var buffer = new MemoryStream();
        using (var json = new Utf8JsonWriter(buffer, WriterOptions))
        {
            json.WriteStartObject();
            json.WriteString("kind", "summary");
            json.WriteNumber("files", summary.Files);
            json.WriteNumber("directories", directoriesListed);
            json.WriteNumber("dataFiles", tiles.Count);
            json.WriteNumber("errors", tiles.Count(t => t.Error is not null));
            json.WriteNumber("totalBytes", tiles.Sum(t => t.Size ?? 0));
            json.WriteNumber("bytesRead", tiles.Sum(t => t.BytesRead));
            json.WriteStartArray("formats");
            foreach (var format in tiles.Select(t => t.Format).OfType<string>().Distinct(StringComparer.Ordinal).Order(StringComparer.Ordinal))
                json.WriteStringValue(format);
            json.WriteEndArray();
            json.WriteStartArray("epsg");
            foreach (int epsg in tiles.Select(t => t.Epsg).OfType<int>().Distinct().Order())
                json.WriteNumberValue(epsg);
            json.WriteEndArray();
            json.WriteNumber("elapsedSeconds", Math.Round(elapsedSeconds, 3));
            json.WriteEndObject();
        }
        return Encoding.UTF8.GetString(buffer.ToArray());
    }

    /// <summary>The summary in the terms the platform's users know (nature, format, tiles, projection, weight, bands…).</summary>
    public static string Human(string storage, ScanSummary summary, long directoriesListed, IReadOnlyList<TileRow> tiles, double elapsedSeconds, Func<string, string> relative)
    {
        var text = new StringBuilder();
        void Line(string label, string value) => text.Append(CultureInfo.InvariantCulture, $"{label,-15}{value}\n");
        Line("Storage", storage);
        Line("Nature", summary.Nature);
        Line("Format", summary.Format ?? "-");
        Line("Tiles", summary.Tiles.ToString(CultureInfo.InvariantCulture));
        Line("Projection", summary.Projection is null
            ? summary.Epsg is null ? "unknown" : $"EPSG:{summary.Epsg}"
            : $"{summary.Projection} (EPSG:{summary.Epsg})");
        Line("Total weight", $"{Weight(summary.TotalBytes)} ({summary.TotalBytes.ToString(CultureInfo.InvariantCulture)} bytes)");
        Line("Bands", summary.Bands.Length == 0 ? "-" : string.Join(", ", summary.Bands));
        Line("Files scanned", $"{summary.FilesScanned.ToString(CultureInfo.InvariantCulture)} in {directoriesListed.ToString(CultureInfo.InvariantCulture)} director{(directoriesListed == 1 ? "y" : "ies")}");
        Line("Errors", summary.Errors.ToString(CultureInfo.InvariantCulture));
        foreach (var tile in tiles.Where(t => t.Error is not null).Take(20))
            text.Append(CultureInfo.InvariantCulture, $"  {relative(tile.Path)}: {tile.Error}\n");
        Line("Bytes read", Weight(tiles.Sum(t => t.BytesRead)));
        Line("Elapsed", $"{elapsedSeconds.ToString("0.0", CultureInfo.InvariantCulture)} s");
        return text.ToString();
    }

    private static string Weight(long bytes)
    {
        string[] units = ["bytes", "KB", "MB", "GB", "TB"];
        double value = bytes;
        int unit = 0;
        while (value >= 1000 && unit < units.Length - 1)
        {
            value /= 1000;
            unit++;
        }
        return unit == 0 ? $"{bytes} bytes" : value.ToString("0.##", CultureInfo.InvariantCulture) + " " + units[unit];
    }

    private static void WriteNumber(Utf8JsonWriter json, string name, long? value)
    {
        if (value is { } v)
            json.WriteNumber(name, v);
        else
            json.WriteNull(name);
    }
}
