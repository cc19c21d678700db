using System.Buffers;
using System.Globalization;
using System.Text;

namespace Pcrs.WebFront.Exports;

/// <summary>
/// RFC 4180 CSV: CRLF line ends, fields quoted when they hold the separator, a quote, CR or LF; quotes doubled. The
/// separator is a comma, or a semicolon for the variant French spreadsheet software opens as is. Text that a
/// spreadsheet would read as a formula (first character <c>=</c>, <c>+</c>, <c>-</c>, <c>@</c>, tab or CR) gets a leading
/// single quote (the OWASP "CSV injection" rule): project and deliverable names are typed by editors, so an export opened
/// in a spreadsheet must never run them. Numbers and dates written by the API itself are data and stay as they are.
/// </summary>
public sealed class CsvWriter(TextWriter writer, char separator = ',')
{
    private static readonly SearchValues<char> FormulaStarts = SearchValues.Create("=+-@\t\r");

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
        Enum e => e.ToString(),
        IFormattable f => f.ToString(null, numbers),
        _ => Neutralise(value.ToString() ?? ""),
    };

    /// <summary>Text starting like a formula gets a leading quote, which spreadsheets show as text and do not evaluate.</summary>
    public static string Neutralise(string text) =>
        text.Length > 0 && FormulaStarts.Contains(text[0]) ? "'" + text : text;

    private static string Escape(string value, char separator) =>
        value.AsSpan().IndexOfAny("\"\r\n") >= 0 || value.Contains(separator, StringComparison.Ordinal) ? "\"" + value.Replace("\"", "\"\"", StringComparison.Ordinal) + "\"" : value;
}
