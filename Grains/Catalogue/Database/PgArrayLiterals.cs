using System.Globalization;
using System.Text;

namespace Pcrs.Grains.Catalogue.Database;

/// <summary>
/// PostgreSQL array literals (<c>{"a","b"}</c>, <c>{1.5,2}</c>) for per-row array columns of a multi-row statement:
/// <c>unnest</c> flattens a two-dimensional array, so each row's array travels as one text element and is cast back
/// (<c>u.band_names::text[]</c>) inside the statement.
/// </summary>
public static class PgArrayLiterals
{
    /// <summary>Every element double-quoted, with backslash and double quote escaped as array input expects.</summary>
    public static string Text(IReadOnlyList<string> values)
    {
        if (values.Count == 0)
            return "{}";
        var literal = new StringBuilder("{");
        for (int i = 0; i < values.Count; i++)
        {
            if (i > 0)
                literal.Append(',');
            literal.Append('"');
            foreach (char c in values[i])
            {
                if (c is '"' or '\\')
                    literal.Append('\\');
                literal.Append(c);
            }
            literal.Append('"');
        }
        return literal.Append('}').ToString();
    }

    /// <summary>Round-trip precision; NaN and infinities print as "NaN", "Infinity", "-Infinity", which float8 input reads.</summary>
    public static string? Doubles(IReadOnlyList<double>? values)
    {
        if (values is null)
            return null;
        var literal = new StringBuilder("{");
        for (int i = 0; i < values.Count; i++)
        {
            if (i > 0)
                literal.Append(',');
            literal.Append(values[i].ToString("R", CultureInfo.InvariantCulture));
        }
        return literal.Append('}').ToString();
    }
}
