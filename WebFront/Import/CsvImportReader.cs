using System.Text;
using Pcrs.WebFront.Model;

namespace Pcrs.WebFront.Import;

/// <summary>
/// The CSV form of a bulk import: a header naming the columns, then one project with one deliverable and its storage per
/// record (RFC 4180: comma separated, fields in double quotes may hold commas, quotes doubled, line breaks). Column
/// names are the JSON fields' (see <see cref="Columns"/>); unknown columns refuse the whole file, naming them.
/// Lists inside a cell (perimeters, trust) are separated by ';' or spaces.
/// </summary>
public static class CsvImportReader
{
    /// <summary>Longest record read (characters): a record is one project, far below this.</summary>
    public const int MaxRecordLength = 64 * 1024;

    public static readonly IReadOnlyList<string> Columns =
    [
        "name", "regime", "nature", "budget", "perimeters",
        "deliverable", "deliverableNature", "licence", "diffusion", "diffusionUrl", "diffusionLayer", "deliveryDate",
        "type", "url", "host", "port", "path", "username", "password", "tls", "publicConnection", "downloadAllowed", "rescanDays", "trust",
    ];

    /// <summary>A record turned into an import line, or the reason it could not be (then <see cref="Line"/> is null).</summary>
    public sealed record Record(int LineNumber, ImportLine? Line, string? Field, string? Error);

    /// <summary>The records of <paramref name="reader"/> (text already in memory); throws <see cref="FormatException"/> for a header problem.</summary>
    public static IEnumerable<Record> Read(TextReader reader, int maxRecords)
    {
        int lineNumber = 1;
        var header = ReadRecord(reader);
        if (header is null)
            throw new FormatException("The CSV file is empty: a header line naming the columns is expected.");
        var columns = header.Value.Fields.Select(c => c.Trim()).ToList();
        var unknown = columns.Where(c => !Columns.Contains(c, StringComparer.Ordinal)).ToList();
        if (unknown.Count > 0)
            throw new FormatException($"Unknown column(s) {string.Join(", ", unknown.Select(u => $"'{u}'"))}; the columns are: {string.Join(", ", Columns)}.");
        if (columns.Distinct(StringComparer.Ordinal).Count() != columns.Count)
            throw new FormatException("A column is named twice in the header.");
        lineNumber += header.Value.Lines;
        int records = 0;
        while (ReadRecord(reader) is { } record)
        {
            int start = lineNumber;
            lineNumber += record.Lines;
            if (record.Fields.Count == 1 && record.Fields[0].Length == 0)
                continue;
            if (++records > maxRecords)
                throw new FormatException($"At most {maxRecords} lines per import; split the file.");
            if (record.Error is not null)
            {
                yield return new Record(start, null, "line", record.Error);
                continue;
            }
            if (record.Fields.Count != columns.Count)
            {
                yield return new Record(start, null, "line", $"{record.Fields.Count} fields where the header has {columns.Count}.");
                continue;
            }
            var cells = columns.Zip(record.Fields).ToDictionary(p => p.First, p => p.Second.Length == 0 ? null : p.Second, StringComparer.Ordinal);
            yield return ToLine(start, cells);
        }
    }

    private static Record ToLine(int lineNumber, Dictionary<string, string?> cells)
    {
        string? Cell(string name) => cells.GetValueOrDefault(name);
        string? badField = null;
        long? Long(string name)
        {
            if (Cell(name) is not { } text)
                return null;
            if (long.TryParse(text, System.Globalization.NumberStyles.Integer, System.Globalization.CultureInfo.InvariantCulture, out var value))
                return value;
            badField ??= name;
            return null;
        }
        bool? Bool(string name)
        {
            if (Cell(name) is not { } text)
                return null;
            if (bool.TryParse(text, out var value))
                return value;
            badField ??= name;
            return null;
        }
        static List<string?>? List(string? text) =>
            text?.Split([';', ' '], StringSplitOptions.RemoveEmptyEntries | StringSplitOptions.TrimEntries).Select(s => (string?)s).ToList();

        long? budget = Long("budget");
        long? port = Long("port");
        long? rescanDays = Long("rescanDays");
        bool? publicConnection = Bool("publicConnection");
        bool? downloadAllowed = Bool("downloadAllowed");
        if (badField is not null)
            return new Record(lineNumber, null, badField, badField is "publicConnection" or "downloadAllowed" ? "true or false is expected." : "A whole number is expected.");
        if (port is < int.MinValue or > int.MaxValue || rescanDays is < int.MinValue or > int.MaxValue)
            return new Record(lineNumber, null, port is < int.MinValue or > int.MaxValue ? "port" : "rescanDays", "The number is out of range.");

        var deliverable = new DeliverableRequest(null, Cell("deliverable"), Cell("deliverableNature"), Cell("licence"), Cell("diffusion"),
            Cell("diffusionUrl"), Cell("diffusionLayer"), Cell("deliveryDate"), null);
        var project = new ProjectRequest(Cell("name"), Cell("regime"), Cell("nature"), budget, List(Cell("perimeters")),
            null, null, null, null, [deliverable]);
        StorageRequest? storage = Cell("type") is null ? null : new StorageRequest(Cell("type"), Cell("url"), Cell("host"), (int?)port,
            Cell("path"), Cell("username"), Cell("password"), Cell("tls"), publicConnection, downloadAllowed, (int?)rescanDays,
            List(Cell("trust"))?.Select(t => t!).ToList());
        return new Record(lineNumber, new ImportLine(project, [storage]), null, null);
    }

    private readonly record struct RawRecord(List<string> Fields, int Lines, string? Error);

    /// <summary>One RFC 4180 record (null at the end of the input), bounded by <see cref="MaxRecordLength"/>.</summary>
    private static RawRecord? ReadRecord(TextReader reader)
    {
        var fields = new List<string>();
        var field = new StringBuilder();
        bool quoted = false, any = false;
        int lines = 1, length = 0;
        while (true)
        {
            int read = reader.Read();
            if (read < 0)
            {
                if (!any)
                    return null;
                fields.Add(field.ToString());
                return new RawRecord(fields, lines, quoted ? "A quoted field is not closed before the end of the file." : null);
            }
            any = true;
            char c = (char)read;
            if (++length > MaxRecordLength)
            {
                // Skip to the end of the physical line; the record is reported, not kept.
                _ = reader.ReadLine();
                return new RawRecord([], lines, $"A record longer than {MaxRecordLength} characters.");
            }
            if (quoted)
            {
                if (c == '"')
                {
                    if (reader.Peek() == '"')
                    {
                        _ = reader.Read();
                        field.Append('"');
                    }
                    else
                    {
                        quoted = false;
                    }
                }
                else
                {
                    if (c == '\n')
                        lines++;
                    field.Append(c);
                }
                continue;
            }
            switch (c)
            {
                case '"' when field.Length == 0:
                    quoted = true;
                    break;
                case ',':
                    fields.Add(field.ToString());
                    field.Clear();
                    break;
                case '\r':
                    break;
                case '\n':
                    fields.Add(field.ToString());
                    return new RawRecord(fields, lines, null);
                default:
                    field.Append(c);
                    break;
            }
        }
    }
}
