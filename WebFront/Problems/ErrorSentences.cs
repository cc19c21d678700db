namespace Pcrs.WebFront.Problems;

/// <summary>
/// Every English error sentence that can reach a page, with its code: validation messages and problem details of the
/// API, and the scan's errors (storage access, file formats, crawl bounds, declarations), stored as English text in
/// the catalogue. <see cref="Identify"/> finds the code of a text after the fact, so stored errors of earlier scans
/// get one too, and the places that write the sentences stay as they are. Variable parts that are themselves a known
/// sentence (a reason inside a reason) are coded in turn. tests/WebFront.Tests/ErrorSentencesTests reads the sources
/// to check that each sentence they write has a code here, and LabelsBrowserTests that each code has its French.
/// </summary>
public static partial class ErrorSentences
{
    /// <summary>How deep a reason inside a reason is coded.</summary>
    private const int MaxDepth = 4;

    /// <summary>Texts longer than this are not matched (a server's whole page quoted): they stay as they are.</summary>
    private const int MaxLength = 4000;

    /// <summary>Every sentence, most specific first.</summary>
    public static IReadOnlyList<ErrorSentence> All { get; } =
        [.. Requests().Concat(Storage()).Concat(Formats()).Concat(Scanning()).OrderByDescending(s => s.LiteralLength)];

    /// <summary>Sentences joined by a space ("…. First: …"), each coded on its own.</summary>
    public const string Joined = "sentences";

    /// <summary>The code and parts of an error text, or null when no sentence of the catalogue is it.</summary>
    public static CodedError? Identify(string? text) => text is null || text.Length > MaxLength ? null : IdentifyAt(text.Trim(), 0);

    private static CodedError? IdentifyAt(string text, int depth)
    {
        foreach (var sentence in All)
        {
            if (sentence.Match(text) is { } parts)
                return new CodedError(sentence.Code, [.. parts.Select(p => Part(p, depth))]);
        }
        // Several sentences one after the other: each must be known.
        var pieces = SplitSentences(text);
        if (pieces.Length < 2 || depth >= MaxDepth)
            return null;
        var coded = new List<object>(pieces.Length);
        foreach (var piece in pieces)
        {
            if (IdentifyAt(piece, depth + 1) is not { } code)
                return null;
            coded.Add(code);
        }
        return new CodedError(Joined, coded);
    }

    // A reason quoted inside another sentence may have lost its full stop ("Reading x failed: <reason>.").
    private static object Part(string part, int depth) =>
        depth >= MaxDepth || part.Length <= 3 ? part
        : IdentifyAt(part, depth + 1) ?? (part.EndsWith('.') ? null : IdentifyAt(part + ".", depth + 1)) ?? (object)part;

    /// <summary>The codes of each message per field of a validation problem (null where a message has none).</summary>
    public static Dictionary<string, CodedError?[]> IdentifyAll(IDictionary<string, string[]> errors) =>
        errors.ToDictionary(e => e.Key, e => e.Value.Select(m => Identify(m)).ToArray(), StringComparer.Ordinal);

    /// <summary>
    /// The text cut at each space between a sentence's end (full stop, exclamation mark, closing parenthesis) and the
    /// next sentence's start (an ASCII capital or digit): one pass, no pattern, no timeout.
    /// </summary>
    public static string[] SplitSentences(string text)
    {
        var pieces = new List<string>();
        var start = 0;
        for (var i = 1; i < text.Length - 1; i++)
        {
            if (text[i] == ' ' && text[i - 1] is '.' or '!' or ')' && (char.IsAsciiLetterUpper(text[i + 1]) || char.IsAsciiDigit(text[i + 1])))
            {
                pieces.Add(text[start..i]);
                start = i + 1;
            }
        }
        pieces.Add(text[start..]);
        return [.. pieces];
    }

    private static ErrorSentence S(string code, string template) => ErrorSentence.Template(code, template);
}
