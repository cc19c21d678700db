using System.Globalization;

namespace Pcrs.Grains.Formats.Crs;

/// <summary>
/// A node of a WKT CRS text (WKT1 or WKT2): KEYWORD[value, value, CHILD[...], ...]. Parsed with caps on length, depth and
/// node count because the text comes from untrusted sidecars.
/// </summary>
public sealed class WktNode
{
    public const int MaxLength = 64 * 1024;
    private const int MaxDepth = 24;
    private const int MaxNodes = 2048;

    public required string Keyword { get; init; }

    /// <summary>Quoted strings and numbers, in order (numbers kept as their text).</summary>
    public List<string> Values { get; } = [];

    public List<WktNode> Children { get; } = [];

    public WktNode? Child(string keyword) => Children.FirstOrDefault(c => c.Keyword.Equals(keyword, StringComparison.OrdinalIgnoreCase));

    public IEnumerable<WktNode> ChildrenNamed(string keyword) =>
        Children.Where(c => c.Keyword.Equals(keyword, StringComparison.OrdinalIgnoreCase));

    public string? Name => Values.Count > 0 ? Values[0] : null;

    public double? Number(int index) =>
        index < Values.Count && double.TryParse(Values[index], NumberStyles.Float, CultureInfo.InvariantCulture, out double v) ? v : null;

    /// <summary>Parses <paramref name="text"/>; null when it is not well-formed WKT or exceeds the caps.</summary>
    public static WktNode? TryParse(string? text)
    {
        if (string.IsNullOrWhiteSpace(text) || text.Length > MaxLength)
        {
            return null;
        }

        var parser = new Parser(text);
        try
        {
            WktNode? root = parser.ParseNode(0);
            parser.SkipSpaces();
            return root is not null && parser.AtEnd ? root : null;
        }
        catch (FormatException)
        {
            return null;
        }
    }

    private sealed class Parser(string text)
    {
        private int _position;
        private int _nodes;

        public bool AtEnd => _position >= text.Length;

        public void SkipSpaces()
        {
            while (_position < text.Length && char.IsWhiteSpace(text[_position]))
            {
                _position++;
            }
        }

        public WktNode? ParseNode(int depth)
        {
            if (depth > MaxDepth || ++_nodes > MaxNodes)
            {
                throw new FormatException("WKT too deep or too large.");
            }

            SkipSpaces();
            int start = _position;
            while (_position < text.Length && (char.IsLetterOrDigit(text[_position]) || text[_position] == '_'))
            {
                _position++;
            }

            if (_position == start)
            {
                return null;
            }

            var node = new WktNode { Keyword = text[start.._position] };
            SkipSpaces();
            if (_position >= text.Length || (text[_position] != '[' && text[_position] != '('))
            {
                // A bare keyword such as EAST or NORTH inside AXIS.
                return node;
            }

            char close = text[_position] == '[' ? ']' : ')';
            _position++;
            while (true)
            {
                SkipSpaces();
                if (_position >= text.Length)
                {
                    throw new FormatException("Unterminated WKT node.");
                }

                char c = text[_position];
                if (c == close)
                {
                    _position++;
                    return node;
                }

                if (c == ',')
                {
                    _position++;
                    continue;
                }

                if (c == '"')
                {
                    node.Values.Add(ReadQuoted());
                }
                else if (c is '-' or '+' or '.' || char.IsDigit(c))
                {
                    int numberStart = _position;
                    while (_position < text.Length && (char.IsDigit(text[_position]) || text[_position] is '-' or '+' or '.' or 'e' or 'E'))
                    {
                        _position++;
                    }

                    node.Values.Add(text[numberStart.._position]);
                }
                else
                {
                    WktNode child = ParseNode(depth + 1) ?? throw new FormatException("Unexpected character in WKT.");
                    if (child.Children.Count == 0 && child.Values.Count == 0 && node.Keyword.Equals("AXIS", StringComparison.OrdinalIgnoreCase))
                    {
                        node.Values.Add(child.Keyword);
                    }
                    else
                    {
                        node.Children.Add(child);
                    }
                }
            }
        }

        private string ReadQuoted()
        {
            // WKT escapes a quote by doubling it.
            _position++;
            var value = new System.Text.StringBuilder();
            while (_position < text.Length)
            {
                char c = text[_position++];
                if (c == '"')
                {
                    if (_position < text.Length && text[_position] == '"')
                    {
                        value.Append('"');
                        _position++;
                        continue;
                    }

                    return value.ToString();
                }

                value.Append(c);
            }

            throw new FormatException("Unterminated WKT string.");
        }
    }
}
