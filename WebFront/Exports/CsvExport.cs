using System.Collections.Concurrent;
using System.Text;

namespace Pcrs.WebFront.Exports;

/// <summary>
/// Writes a CSV export: RFC 4180 with commas by default, or, with <c>?separator=semicolon</c>, the variant French
/// spreadsheet software opens as is (UTF-8 byte order mark, ';' separator, decimal comma). Bodies are kept per ETag
/// (see <see cref="ExportVersions"/>): one computation per scan or project change, whatever the number of requests.
/// </summary>
public sealed class CsvExport
{
    public const string ContentType = "text/csv; charset=utf-8";

    /// <summary>Bodies kept at most; the project-side files are small (one row per project, deliverable or actor).</summary>
    private const int MaxEntries = 64;

    private readonly ConcurrentDictionary<string, Lazy<Task<byte[]>>> _bodies = new(StringComparer.Ordinal);

    /// <summary>The separator the request asks for; null (and a 400 for the caller) for an unknown value.</summary>
    public static char? Separator(HttpRequest request) => request.Query["separator"].ToString() switch
    {
        "" or "comma" => ',',
        "semicolon" => ';',
        _ => null,
    };

    public async Task<IResult> WriteAsync(HttpContext http, Func<CsvWriter, CancellationToken, Task> write)
    {
        if (Separator(http.Request) is not { } separator)
        {
            return TypedResults.ValidationProblem(new Dictionary<string, string[]>(StringComparer.Ordinal)
            {
                ["separator"] = ["Use \"comma\" (RFC 4180) or \"semicolon\" (French spreadsheets: BOM, ';', decimal comma)."],
            });
        }
        var key = http.Items[typeof(ExportVersion)] as string;
        byte[] body;
        if (key is null)
        {
            body = await RenderAsync(separator, write, http.RequestAborted);
        }
        else
        {
            if (_bodies.Count >= MaxEntries)
                _bodies.Clear();
            // Rendered without the request's token: the body is shared with every request of this version.
            var lazy = _bodies.GetOrAdd(key, _ => new Lazy<Task<byte[]>>(() => RenderAsync(separator, write, CancellationToken.None)));
            try
            {
                body = await lazy.Value.WaitAsync(http.RequestAborted);
            }
            catch when (lazy.Value.IsFaulted)
            {
                _bodies.TryRemove(new KeyValuePair<string, Lazy<Task<byte[]>>>(key, lazy));
                throw;
            }
        }
        return TypedResults.Bytes(body, ContentType);
    }

    private static async Task<byte[]> RenderAsync(char separator, Func<CsvWriter, CancellationToken, Task> write, CancellationToken cancellationToken)
    {
        using var buffer = new MemoryStream();
        await using (var text = new StreamWriter(buffer, new UTF8Encoding(encoderShouldEmitUTF8Identifier: separator == ';'), 16 * 1024, leaveOpen: true))
        {
            await write(new CsvWriter(text, separator), cancellationToken);
        }
        return buffer.ToArray();
    }
}
