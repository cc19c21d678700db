using System.Globalization;
using System.Text;

namespace Pcrs.WebFront.Exports;

/// <summary>
/// RFC 4180 CSV: CRLF line ends, fields quoted when they hold the separator, a quote, CR or LF; quotes doubled. The
/// separator is a comma, or a semicolon for the variant French spreadsheet software opens as is.
/// </summary>
public sealed class CsvWriter(TextWriter writer, char separator = ',')
{
    public async Task WriteRowAsync(IEnumerable<object?> fields)
    {
        var line = new StringBuilder();
        bool first = true;
        foreach (var field in fields)
        {
            if (!first)
                line.Append(separator);
            first = false;
            line.Append(Escape(Format(field, separator == ';' ? CommaDecimals : CultureInfo.InvariantCulture), separator));
        }
        line.Append("\r\n");
        await writer.WriteAsync(line.ToString());
    }

    /// <summary>Decimal comma and no digit grouping: what a French-locale spreadsheet reads as a number in the ';' variant.</summary>
    private static readonly NumberFormatInfo CommaDecimals = new() { NumberDecimalSeparator = ",", NumberGroupSeparator = "" };

    private static string Format(object? value, IFormatProvider numbers) => value switch
    {
        null => "",
        bool b => b ? "true" : "false",
        DateOnly d => d.ToString("yyyy-MM-dd", CultureInfo.InvariantCulture),
        DateTimeOffset t => t.ToString("yyyy-MM-dd'T'HH:mm:ss'Z'", CultureInfo.InvariantCulture),
        IFormattable f => f.ToString(null, numbers),
        _ => value.ToString() ?? "",
    };

    private static string Escape(string value, char separator) =>
        value.AsSpan().IndexOfAny("\"\r\n") >= 0 || value.Contains(separator, StringComparison.Ordinal) ? "\"" + value.Replace("\"", "\"\"", StringComparison.Ordinal) + "\"" : value;
}
