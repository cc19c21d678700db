using System.Text.Json.Serialization;

namespace Pcrs.WebFront.Problems;

/// <summary>
/// The stable code of an English error sentence the API sends, with the sentence's variable parts in order: a path, a
/// number, a server's own reply, or another coded sentence (a reason inside a reason). The pages turn it into French
/// with their label table (wwwroot/js/labels.js, table <c>error</c>); API clients may keep reading the English text.
/// </summary>
public sealed record CodedError(
    [property: JsonPropertyName("code")] string Code,
    [property: JsonPropertyName("args")] IReadOnlyList<object> Args);
