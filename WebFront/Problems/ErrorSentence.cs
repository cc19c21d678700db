using System.Text;
using System.Text.RegularExpressions;

namespace Pcrs.WebFront.Problems;

/// <summary>
/// One English sentence the server writes, with its code. The template is the sentence with its variable parts as
/// {0}, {1}… (as the code that writes it fills them in); a sentence whose wording varies (plurals) gives its own pattern.
/// </summary>
public sealed class ErrorSentence
{
    // The engine without backtracking matches in time linear in the text, whatever the holes: a template with several
    // (.+?) holes would backtrack polynomially in the backtracking engines. No wall-clock timeout is needed (one that
    // fired on a loaded machine broke the project page), so none is set.
    private const RegexOptions Options = RegexOptions.Singleline | RegexOptions.CultureInvariant | RegexOptions.NonBacktracking;

    /// <summary>A template's literal pieces in order (before the first hole, between holes, after the last).</summary>
    private readonly string[] _literals;

    private ErrorSentence(string code, string english, Regex pattern, int literalLength, string[]? literals = null)
    {
        Code = code;
        English = english;
        Pattern = pattern;
        LiteralLength = literalLength;
        _literals = literals ?? [""];
    }

    public string Code { get; }

    /// <summary>The English template ({0}, {1}… for the variable parts) or pattern, for tests and the API reference.</summary>
    public string English { get; }

    /// <summary>How many variable parts the French sentence receives.</summary>
    public int Arity => Pattern.GetGroupNumbers().Length - 1;

    /// <summary>The anchored pattern, matched without backtracking (tests check the engine).</summary>
    public Regex Pattern { get; }

    /// <summary>Characters that are not variable: the more, the more specific (tried first).</summary>
    internal int LiteralLength { get; }

    /// <summary>A sentence from its template: literal text with {0}, {1}… holes, each matching one or more characters.</summary>
    public static ErrorSentence Template(string code, string template)
    {
        var pattern = new StringBuilder("^");
        var literals = new List<string>();
        int start = 0;
        foreach (Match hole in Regex.Matches(template, @"\{\d+\}", RegexOptions.NonBacktracking, Regex.InfiniteMatchTimeout))
        {
            literals.Add(template[start..hole.Index]);
            pattern.Append(Regex.Escape(literals[^1])).Append("(.+?)");
            start = hole.Index + hole.Length;
        }
        literals.Add(template[start..]);
        pattern.Append(Regex.Escape(literals[^1])).Append('$');
        return new ErrorSentence(code, template, new Regex(pattern.ToString(), Options, Regex.InfiniteMatchTimeout),
            literals.Sum(l => l.Length), [.. literals]);
    }

    /// <summary>A sentence from an anchored pattern whose groups are the variable parts (plurals, alternatives).</summary>
    public static ErrorSentence Varying(string code, string pattern, int literalLength) =>
        new(code, pattern, new Regex(pattern, Options, Regex.InfiniteMatchTimeout), literalLength);

    /// <summary>The variable parts of <paramref name="text"/> when it is this sentence; null otherwise.</summary>
    public string[]? Match(string text)
    {
        // Ordinal checks of the literal pieces first: they turn away almost every one of the ~400 sentences tried on a
        // text without running its pattern (a page of 1,000 file errors cost about 1 ms of matching per error before).
        if (!CouldBe(text))
            return null;
        var match = Pattern.Match(text);
        return match.Success ? [.. match.Groups.Cast<Group>().Skip(1).Select(g => g.Value)] : null;
    }

    private bool CouldBe(string text)
    {
        if (!text.StartsWith(_literals[0], StringComparison.Ordinal) || !text.EndsWith(_literals[^1], StringComparison.Ordinal))
            return false;
        foreach (var literal in _literals.AsSpan(1, Math.Max(0, _literals.Length - 2)))
        {
            if (!text.Contains(literal, StringComparison.Ordinal))
                return false;
        }
        return true;
    }
}
