using System.Globalization;
using System.Text;

namespace Pcrs.WebFront.Exports;

/// <summary>RFC 4180 CSV: CRLF line ends, fields quoted when they hold a comma, a quote, CR or LF; quotes doubled.</summary>
public sealed class CsvWriter(TextWriter writer)
{
    public async Task WriteRowAsync(IEnumerable<object?> fields)
    {
        var line = new StringBuilder();
        bool first = true;
        foreach (var field in fields)
        {
            if (!first)
                line.Append(',');
            first = false;
            line.Append(Escape(Format(field)));
        }
        line.Append("\r\n");
        await writer.WriteAsync(line.ToString());
    }

    private static string Format(object? value) => value switch
    {
        null => "",
        bool b => b ? "true" : "false",
        DateOnly d => d.ToString("yyyy-MM-dd", CultureInfo.InvariantCulture),
        DateTimeOffset t => t.ToString("yyyy-MM-dd'T'HH:mm:ss'Z'", CultureInfo.InvariantCulture),
        IFormattable f => f.ToString(null, CultureInfo.InvariantCulture),
        _ => value.ToString() ?? "",
    };

    private static string Escape(string value) =>
        value.AsSpan().IndexOfAny(",\"\r\n") >= 0 ? "\"" + value.Replace("\"", "\"\"", StringComparison.Ordinal) + "\"" : value;
}
