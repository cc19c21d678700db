using System.Text.Json;
using Microsoft.AspNetCore.Diagnostics;

namespace Pcrs.WebFront;

/// <summary>
/// A body that is not valid JSON, or holds a value of the wrong type, becomes a 400 ProblemDetails naming the field
/// (from the JSON path, "$.steps[0].startDate" → "steps[0].startDate") instead of a bare 400.
/// </summary>
public sealed class JsonBodyExceptionHandler(IProblemDetailsService problems) : IExceptionHandler
{
    public async ValueTask<bool> TryHandleAsync(HttpContext httpContext, Exception exception, CancellationToken cancellationToken)
    {
        if (exception is not BadHttpRequestException bad)
            return false;
        string field = "body";
        string message = "The request body could not be read.";
        if (bad.InnerException is JsonException json)
        {
            field = json.Path is { Length: > 1 } path ? path.TrimStart('$').TrimStart('.') : "body";
            if (field.Length == 0)
                field = "body";
            message = IsUnknownField(json)
                ? "Unknown field: this request body has no such field (check its spelling)."
                : "This value is not valid here (wrong JSON type or malformed JSON).";
        }
        else if (bad.StatusCode == StatusCodes.Status415UnsupportedMediaType)
        {
            message = "Send the body as application/json.";
        }
        httpContext.Response.StatusCode = bad.StatusCode;
        return await problems.TryWriteAsync(new ProblemDetailsContext
        {
            HttpContext = httpContext,
            ProblemDetails = new HttpValidationProblemDetails(new Dictionary<string, string[]>(StringComparer.Ordinal) { [field] = [message] })
            {
                Status = bad.StatusCode,
                Title = "One or more validation errors occurred.",
            },
            Exception = exception,
        });
    }

    // System.Text.Json reports a field no property takes (UnmappedMemberHandling.Disallow) only through its message.
    private static bool IsUnknownField(JsonException json) =>
        json.Message.Contains("could not be mapped to any .NET member", StringComparison.Ordinal);
}
