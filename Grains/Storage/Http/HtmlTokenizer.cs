namespace Pcrs.Grains.Storage.Http;

/// <summary>What <see cref="HtmlTokenizer"/> found next.</summary>
internal enum HtmlTokenKind
{
    StartTag,
    EndTag,
    Text,
}

/// <summary>
/// Reads the tags and texts of an HTML page from its bytes, one token at a time, keeping nothing of what it passed: a
/// listing page of 1,000,000 links is never turned into a document of nodes. Tag and attribute names are lower-cased;
/// attribute values and texts stay byte ranges of the page until asked for. Comments, doctypes, processing
/// instructions and the contents of script and style are skipped; the title's content is text (no tags in it). A text
/// comes in pieces of at most <see cref="MaxTextBytes"/> bytes, cut where no character or entity is split, so one
/// enormous text never becomes one enormous string. Markup that never closes (a quote or comment left open) runs to
/// the end of the page, as browsers read it.
/// </summary>
internal sealed class HtmlTokenizer(byte[] body, int length)
{
    /// <summary>Longest text piece handed out at once.</summary>
    internal const int MaxTextBytes = 8 * 1024;

    /// <summary>Attributes kept per tag; a listing's anchors need one or two, a hostile tag may have millions.</summary>
    private const int MaxAttributes = 32;

    private readonly List<(string Name, int Start, int Length)> _attributes = [];
    private int _position;
    private string? _rawTextEnd; // inside script, style or title: the end tag that closes it

    public HtmlTokenKind Kind { get; private set; }

    /// <summary>The tag's name, lower-cased (start and end tags).</summary>
    public string Name { get; private set; } = "";

    /// <summary>The text's byte range in the page (texts), undecoded: entities are still there.</summary>
    public int TextStart { get; private set; }

    public int TextLength { get; private set; }

    public bool SelfClosing { get; private set; }

    public ReadOnlySpan<byte> Bytes(int start, int count) => body.AsSpan(start, count);

    /// <summary>The attribute's raw value (entities still encoded), or null when the tag has none of that name.</summary>
    public (int Start, int Length)? Attribute(string name)
    {
        foreach (var attribute in _attributes)
        {
            if (attribute.Name == name)
                return (attribute.Start, attribute.Length);
        }
        return null;
    }

    /// <summary>Moves to the next token; false at the end of the page.</summary>
    public bool Next()
    {
        while (_position < length)
        {
            if (_rawTextEnd is not null)
            {
                if (ReadRawText())
                    return true;
                continue;
            }
            if (body[_position] != (byte)'<')
            {
                ReadText();
                return true;
            }
            int next = _position + 1 < length ? body[_position + 1] : -1;
            if (IsAsciiLetter(next))
            {
                ReadTag(_position + 1, end: false);
                return true;
            }
            if (next == '/' && _position + 2 < length && IsAsciiLetter(body[_position + 2]))
            {
                ReadTag(_position + 2, end: true);
                return true;
            }
            if (next == '!' && StartsWith(_position + 2, "--"u8))
            {
                int close = body.AsSpan(_position + 4, length - _position - 4).IndexOf("-->"u8);
                _position = close < 0 ? length : _position + 4 + close + 3;
                continue;
            }
            if (next is '!' or '?')
            {
                int close = body.AsSpan(_position, length - _position).IndexOf((byte)'>');
                _position = close < 0 ? length : _position + close + 1;
                continue;
            }
            ReadText(); // a '<' that opens nothing is text
            return true;
        }
        return false;
    }

    private void ReadText()
    {
        int start = _position;
        int end = body.AsSpan(start + 1, Math.Min(length - start - 1, MaxTextBytes)).IndexOf((byte)'<');
        end = end < 0 ? Math.Min(length, start + 1 + MaxTextBytes) : start + 1 + end;
        if (end < length && body[end] != '<')
            end = SafeCut(start, end);
        SetText(start, end);
    }

    /// <summary>Contents of script and style are skipped; the title's are one text.</summary>
    private bool ReadRawText()
    {
        string endTag = _rawTextEnd!;
        int start = _position;
        int end = start;
        while (end < length)
        {
            int at = body.AsSpan(end, length - end).IndexOf("</"u8);
            if (at < 0)
            {
                end = length;
                break;
            }
            end += at;
            if (MatchesName(end + 2, endTag))
                break;
            end += 2;
        }
        if (endTag != "title" || end == start)
        {
            _position = end;
            _rawTextEnd = null;
            return false;
        }
        if (end - start > MaxTextBytes)
            end = SafeCut(start, start + MaxTextBytes);
        else
            _rawTextEnd = null;
        SetText(start, end);
        return true;
    }

    private void SetText(int start, int end)
    {
        Kind = HtmlTokenKind.Text;
        TextStart = start;
        TextLength = end - start;
        _position = end;
    }

    /// <summary>Backs a cut off from the middle of a UTF-8 sequence or an entity (which is at most 32 bytes long).</summary>
    private int SafeCut(int start, int end)
    {
        int cut = end;
        while (cut > start + 1 && (body[cut] & 0xC0) == 0x80)
            cut--;
        int amp = body.AsSpan(Math.Max(start + 1, cut - 32), cut - Math.Max(start + 1, cut - 32)).LastIndexOf((byte)'&');
        if (amp >= 0)
        {
            int at = Math.Max(start + 1, cut - 32) + amp;
            if (body.AsSpan(at, cut - at).IndexOf((byte)';') < 0)
                cut = at;
        }
        return cut;
    }

    private void ReadTag(int nameStart, bool end)
    {
        int i = nameStart;
        while (i < length && !IsSpace(body[i]) && body[i] is not ((byte)'>' or (byte)'/'))
            i++;
        Name = TagNames.Of(body.AsSpan(nameStart, i - nameStart));
        Kind = end ? HtmlTokenKind.EndTag : HtmlTokenKind.StartTag;
        SelfClosing = false;
        _attributes.Clear();
        while (i < length && body[i] != '>')
        {
            byte b = body[i];
            if (IsSpace(b))
            {
                i++;
                continue;
            }
            if (b == '/')
            {
                SelfClosing = i + 1 < length && body[i + 1] == '>';
                i++;
                continue;
            }
            i = ReadAttribute(i, keep: !end);
        }
        _position = Math.Min(length, i + 1);
        if (!end && !SelfClosing && Name is "script" or "style" or "title")
            _rawTextEnd = Name;
    }

    private int ReadAttribute(int i, bool keep)
    {
        int nameStart = i;
        while (i < length && !IsSpace(body[i]) && body[i] is not ((byte)'=' or (byte)'>'))
            i++;
        var name = body.AsSpan(nameStart, i - nameStart);
        while (i < length && IsSpace(body[i]))
            i++;
        int valueStart = i, valueLength = 0;
        if (i < length && body[i] == '=')
        {
            i++;
            while (i < length && IsSpace(body[i]))
                i++;
            if (i < length && body[i] is (byte)'"' or (byte)'\'')
            {
                byte quote = body[i];
                int close = body.AsSpan(i + 1, length - i - 1).IndexOf(quote);
                valueStart = i + 1;
                valueLength = close < 0 ? length - valueStart : close;
                i = valueStart + valueLength + 1;
            }
            else
            {
                valueStart = i;
                while (i < length && !IsSpace(body[i]) && body[i] != '>')
                    i++;
                valueLength = i - valueStart;
            }
        }
        if (keep && _attributes.Count < MaxAttributes && name.Length > 0 && TagNames.Attribute(name) is { } known)
            _attributes.Add((known, valueStart, valueLength));
        return Math.Min(i, length);
    }

    private bool MatchesName(int at, string name)
    {
        if (at + name.Length > length)
            return false;
        for (int k = 0; k < name.Length; k++)
        {
            if ((body[at + k] | 0x20) != name[k])
                return false;
        }
        int after = at + name.Length;
        return after >= length || IsSpace(body[after]) || body[after] is (byte)'>' or (byte)'/';
    }

    private bool StartsWith(int at, ReadOnlySpan<byte> prefix) =>
        at + prefix.Length <= length && body.AsSpan(at, prefix.Length).SequenceEqual(prefix);

    private static bool IsAsciiLetter(int b) => b is (>= 'a' and <= 'z') or (>= 'A' and <= 'Z');

    private static bool IsSpace(byte b) => b is (byte)' ' or (byte)'\t' or (byte)'\n' or (byte)'\r' or (byte)'\f';
}

/// <summary>Tag and attribute names as shared strings: a page of a million anchors allocates no name per tag.</summary>
internal static class TagNames
{
    private static readonly string[] Tags =
    [
        "a", "br", "li", "tr", "td", "th", "p", "div", "pre", "table", "tbody", "thead", "tfoot", "time", "title", "h1", "h2",
        "img", "hr", "span", "b", "i", "em", "strong", "small", "ul", "ol", "html", "head", "body", "meta", "link", "script",
        "style", "input", "svg", "use", "address", "header", "main", "nav", "h3", "h4", "code", "tt", "font", "center",
    ];

    private static readonly string[] Attributes = ["href", "datetime", "summary"];

    public static string Of(ReadOnlySpan<byte> name)
    {
        foreach (string tag in Tags)
        {
            if (EqualsLower(name, tag))
                return tag;
        }
        Span<char> lower = stackalloc char[Math.Min(name.Length, 64)];
        for (int i = 0; i < lower.Length; i++)
            lower[i] = (char)(name[i] is >= (byte)'A' and <= (byte)'Z' ? name[i] | 0x20 : name[i]);
        return new string(lower);
    }

    /// <summary>The attributes the listing rules read; null for any other.</summary>
    public static string? Attribute(ReadOnlySpan<byte> name)
    {
        foreach (string attribute in Attributes)
        {
            if (EqualsLower(name, attribute))
                return attribute;
        }
        return null;
    }

    private static bool EqualsLower(ReadOnlySpan<byte> bytes, string lower)
    {
        if (bytes.Length != lower.Length)
            return false;
        for (int i = 0; i < bytes.Length; i++)
        {
            if ((bytes[i] is >= (byte)'A' and <= (byte)'Z' ? bytes[i] | 0x20 : bytes[i]) != lower[i])
                return false;
        }
        return true;
    }
}
