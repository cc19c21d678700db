using System.Net;
using System.Text;

namespace Pcrs.Grains.Storage.Http;

/// <summary>
/// Walks a listing page token by token (<see cref="HtmlTokenizer"/>) and hands out its entries as soon as their context
/// is known, holding only the open elements, the anchors still waiting for the text after them or for the end of their
/// table row, and the collector's small window (<see cref="ListingCollector"/>). What an anchor's context is follows
/// the document's tree as a parser would build it: the text before an anchor runs back to the previous sibling that is
/// a link, a line break, a list item, a row, a paragraph or a division, or to a newline; the text after it runs to the
/// next such sibling, a newline, the end of its parent or <see cref="HtmlListingParser.MaxContextChars"/>; an anchor
/// whose four nearest ancestors include a table row is read from the row's other cells when the row ends. The rules
/// that read names, dates and sizes out of these texts are <see cref="HtmlListingParser"/>'s.
/// </summary>
internal sealed class HtmlListingReader
{
    /// <summary>Open elements kept; deeper ones are read as if they had no content of their own (a hostile page may nest without end).</summary>
    private const int MaxDepth = 256;

    /// <summary>Anchors waiting for their context; past this the oldest is settled with what it has (a row or a line that never ends).</summary>
    private const int MaxPending = 1024;

    /// <summary>Cells read per table row.</summary>
    private const int MaxCells = 64;

    /// <summary>Characters kept of a cell, a heading or the text before an anchor.</summary>
    private const int MaxKeptChars = 2 * HtmlListingParser.MaxContextChars;

    private static readonly string[] ClosesA = ["a"], ClosesTr = ["tr"], ClosesCell = ["td", "th"], ClosesLi = ["li"];
    private static readonly string[] NoBoundary = [], TableBoundary = ["table"], RowBoundary = ["tr", "table"], ListBoundary = ["ul", "ol"];

    private static readonly HashSet<string> Void = ["br", "img", "hr", "input", "meta", "link", "area", "base", "col", "embed", "param", "source", "track", "wbr"];

    private readonly ListingPage _page;
    private readonly HtmlTokenizer _tokens;
    private readonly bool _declaredUtf8;
    private readonly List<string> _directory;
    private readonly ListingCollector _collector;
    private readonly List<Level> _levels = [];
    private readonly Queue<Anchor> _pending = new();
    private readonly List<Anchor> _collecting = [];
    private readonly StringBuilder[] _headings = [new(), new(), new()]; // the first title, h1 and h2
    private readonly bool[] _headingSeen = new bool[3];
    private int _depth;
    private bool _preSeen;
    private string _preTail = "";

    public HtmlListingReader(ListingPage page, int maxEntries, List<string> directory)
    {
        _page = page;
        _tokens = new HtmlTokenizer(page.Body, page.Length);
        string charset = page.CharSet?.Trim('"', ' ').ToLowerInvariant() ?? "";
        _declaredUtf8 = charset is "" or "utf-8" or "utf8";
        _directory = directory;
        _collector = new ListingCollector(maxEntries, page.DirectoryPath);
        Push("#document");
    }

    public bool LinksToParent { get; private set; }

    public bool DirectoryListingTable { get; private set; }

    public bool ParentDirectoryInPre { get; private set; }

    public string Heading => string.Join(" ", _headings.Select(h => h.ToString()));

    public string Title => _headings[0].ToString();

    public ListingCollector Collector => _collector;

    /// <summary>Reads one token; false at the end of the page, every anchor then settled.</summary>
    public bool Step()
    {
        if (!_tokens.Next())
        {
            while (_depth > 1)
                Pop();
            while (_pending.Count > 0)
                Emit(_pending.Dequeue(), force: true);
            return false;
        }
        switch (_tokens.Kind)
        {
            case HtmlTokenKind.Text:
                OnText(DecodeText(_tokens.TextStart, _tokens.TextLength));
                break;
            case HtmlTokenKind.StartTag:
                OnStart(_tokens.Name);
                break;
            default:
                OnEnd(_tokens.Name);
                break;
        }
        while (_pending.Count > 0 && (_pending.Peek().Settled || _pending.Count > MaxPending))
            Emit(_pending.Dequeue(), force: true);
        return true;
    }

    private void OnText(string text)
    {
        var top = _levels[_depth - 1];
        top.Before.Append(text);
        top.Inner.Append(text);
        for (int i = _collecting.Count - 1; i >= 0; i--)
        {
            var anchor = _collecting[i];
            int newline = text.IndexOf('\n');
            anchor.After!.Append(newline < 0 ? text : text[..newline]);
            if (newline >= 0 || anchor.After.Length >= HtmlListingParser.MaxContextChars)
                StopCollecting(i);
        }
        for (int i = 1; i < _depth; i++)
        {
            var level = _levels[i];
            if (level.Cell is { } cell && cell.Text.Length < MaxKeptChars)
                cell.Text.Append(text);
            if (level.Heading >= 0 && _headings[level.Heading].Length < MaxKeptChars)
                _headings[level.Heading].Append(text);
            if (level.FirstPre && !ParentDirectoryInPre)
            {
                string window = _preTail + text;
                ParentDirectoryInPre = window.Contains("[To Parent Directory]", StringComparison.OrdinalIgnoreCase);
                _preTail = window.Length > 32 ? window[^32..] : window;
            }
        }
    }

    private void OnStart(string name)
    {
        CloseImplied(name);
        int parent = _depth - 1;
        if (HtmlListingParser.IsStopper(name))
        {
            for (int i = _collecting.Count - 1; i >= 0; i--)
            {
                if (_collecting[i].Level == parent)
                    StopCollecting(i);
            }
        }
        Anchor? anchor = name == "a" ? StartAnchor() : null;
        if (name == "table" && Attribute("summary") == "Directory Listing")
            DirectoryListingTable = true;
        if (name == "time" && EnclosingCell() is { SawTime: false } cell)
        {
            cell.SawTime = true;
            cell.MachineDate = Attribute("datetime");
        }
        if (Void.Contains(name) || _tokens.SelfClosing || _depth >= MaxDepth)
        {
            if (HtmlListingParser.IsStopper(name))
                _levels[parent].Before.Clear();
            if (anchor is not null)
                Collect(anchor, parent);
            return;
        }
        var level = Push(name);
        level.Anchor = anchor;
        if (name == "tr")
            level.Row = new Row();
        else if (name is "td" or "th" && _levels[parent].Row is { } row && row.Cells.Count < MaxCells)
            row.Cells.Add(level.Cell = new Cell());
        int heading = name switch { "title" => 0, "h1" => 1, "h2" => 2, _ => -1 };
        if (heading >= 0 && !_headingSeen[heading])
        {
            _headingSeen[heading] = true;
            level.Heading = heading;
        }
        if (name == "pre" && !_preSeen)
            _preSeen = level.FirstPre = true;
    }

    /// <summary>An anchor naming a child of the directory waits for its context; any other only tells whether the page links to its parent.</summary>
    private Anchor? StartAnchor()
    {
        string? href = Attribute("href", out bool rawBytes);
        if (href is null)
            return null;
        if (!HtmlListingParser.TryChildName(href, _page.BaseUri, _directory, rawBytes, out string name, out bool isDirectory))
        {
            LinksToParent |= href.Trim() is ".." or "../";
            return null;
        }
        var anchor = new Anchor(name, isDirectory);
        // The row among the anchor's four nearest ancestors, and the cell of that row holding the anchor.
        for (int i = _depth - 1; i >= Math.Max(1, _depth - 4); i--)
        {
            if (_levels[i].Name != "tr")
                continue;
            anchor.Row = _levels[i].Row;
            anchor.Cell = i + 1 < _depth ? _levels[i + 1].Cell : null;
            anchor.Row!.Anchors.Add(anchor);
            break;
        }
        if (anchor.Row is null)
            anchor.Before = _levels[_depth - 1].Before.ToString();
        _pending.Enqueue(anchor);
        return anchor;
    }

    private void OnEnd(string name)
    {
        for (int i = _depth - 1; i >= Math.Max(1, _depth - MaxDepth); i--)
        {
            if (_levels[i].Name != name)
                continue;
            while (_depth > i)
                Pop();
            return;
        }
    }

    /// <summary>Ends elements a new start tag closes without their end tag: a link in a link, a row or cell in a row, an item in a list.</summary>
    private void CloseImplied(string name)
    {
        (string[] closes, string[] within) = name switch
        {
            "a" => (ClosesA, NoBoundary),
            "tr" => (ClosesTr, TableBoundary),
            "td" or "th" => (ClosesCell, RowBoundary),
            "li" => (ClosesLi, ListBoundary),
            _ => (NoBoundary, NoBoundary),
        };
        if (closes.Length == 0)
            return;
        for (int i = _depth - 1; i >= 1; i--)
        {
            if (within.Contains(_levels[i].Name))
                return;
            if (!closes.Contains(_levels[i].Name))
                continue;
            while (_depth > i)
                Pop();
            return;
        }
    }

    private Level Push(string name)
    {
        if (_levels.Count == _depth)
            _levels.Add(new Level());
        var level = _levels[_depth++];
        level.Reset(name);
        return level;
    }

    private void Pop()
    {
        int index = _depth - 1;
        var level = _levels[index];
        for (int i = _collecting.Count - 1; i >= 0; i--)
        {
            if (_collecting[i].Level == index)
                StopCollecting(i); // the anchor's parent ends
        }
        _depth--;
        var parent = _levels[_depth - 1];
        if (level.Anchor is { } anchor)
            Collect(anchor, _depth - 1);
        if (level.Row is { } row)
        {
            foreach (var inRow in row.Anchors)
                inRow.Settled = true;
        }
        parent.Inner.Append(level.Inner);
        if (HtmlListingParser.IsStopper(level.Name))
            parent.Before.Clear();
        else
            parent.Before.Append(level.Inner);
    }

    /// <summary>An anchor outside a row starts reading the text after it once it ends (its own text is not its context).</summary>
    private void Collect(Anchor anchor, int parentLevel)
    {
        if (anchor.Row is not null)
            return;
        anchor.After = new StringBuilder();
        anchor.Level = parentLevel;
        _collecting.Add(anchor);
    }

    private void StopCollecting(int index)
    {
        _collecting[index].Settled = true;
        _collecting.RemoveAt(index);
    }

    private void Emit(Anchor anchor, bool force)
    {
        if (!anchor.Settled && !force)
            return;
        _collecting.Remove(anchor);
        var (modified, size, exact) = anchor.Row is { } row
            ? HtmlListingParser.ReadRow(row.Cells.Where(c => !ReferenceEquals(c, anchor.Cell)).Select(c => (c.Text.ToString(), c.MachineDate)))
            : HtmlListingParser.ReadContext(anchor.After?.ToString() ?? "", anchor.Before ?? "");
        _collector.Add(anchor.IsDirectory
            ? new StorageEntry(anchor.Name, StorageEntryKind.Directory, null, modified)
            : new StorageEntry(anchor.Name, StorageEntryKind.File, size, modified, SizeIsExact: exact));
    }

    private Cell? EnclosingCell()
    {
        for (int i = _depth - 1; i >= 1; i--)
        {
            if (_levels[i].Cell is { } cell)
                return cell;
        }
        return null;
    }

    private string? Attribute(string name) => Attribute(name, out _);

    /// <summary>An attribute's value with its entities decoded; <paramref name="rawBytes"/> when it was read as Latin-1 (see <see cref="Decode"/>).</summary>
    private string? Attribute(string name, out bool rawBytes)
    {
        rawBytes = false;
        if (_tokens.Attribute(name) is not var (start, length))
            return null;
        string value = Decode(_tokens.Bytes(start, length), out rawBytes);
        return value.Contains('&') ? WebUtility.HtmlDecode(value) : value;
    }

    private string DecodeText(int start, int length)
    {
        string text = Decode(_tokens.Bytes(start, length), out _);
        if (text.Contains('&'))
            text = WebUtility.HtmlDecode(text);
        return text.Replace('\u00A0', ' ');
    }

    /// <summary>
    /// UTF-8 when the page declares nothing else and the bytes are valid UTF-8; otherwise Latin-1, which maps every byte to
    /// one character so raw non-ASCII bytes in hrefs survive and <see cref="HrefNames"/> can rebuild them.
    /// </summary>
    private string Decode(ReadOnlySpan<byte> bytes, out bool rawBytes)
    {
        rawBytes = !(_declaredUtf8 && System.Text.Unicode.Utf8.IsValid(bytes));
        return rawBytes ? Encoding.Latin1.GetString(bytes) : Encoding.UTF8.GetString(bytes);
    }

    /// <summary>An open element, reused from one element to the next at the same depth.</summary>
    private sealed class Level
    {
        public string Name { get; private set; } = "";

        /// <summary>Text since the last child that stops an anchor's context, or since the last newline.</summary>
        public LineText Before { get; } = new();

        /// <summary>All of the element's text since its last newline (what it adds to its parent's line).</summary>
        public LineText Inner { get; } = new();

        public Anchor? Anchor { get; set; }
        public Row? Row { get; set; }
        public Cell? Cell { get; set; }
        public int Heading { get; set; } = -1;
        public bool FirstPre { get; set; }

        public void Reset(string name)
        {
            Name = name;
            Before.Clear();
            Inner.Clear();
            Anchor = null;
            Row = null;
            Cell = null;
            Heading = -1;
            FirstPre = false;
        }
    }

    private sealed class Row
    {
        public List<Cell> Cells { get; } = [];
        public List<Anchor> Anchors { get; } = [];
    }

    /// <summary>A cell of a row: its text and the first &lt;time&gt; element's datetime in it (Caddy).</summary>
    private sealed class Cell
    {
        public StringBuilder Text { get; } = new();
        public bool SawTime { get; set; }
        public string? MachineDate { get; set; }
    }

    private sealed class Anchor(string name, bool isDirectory)
    {
        public string Name { get; } = name;
        public bool IsDirectory { get; } = isDirectory;
        public Row? Row { get; set; }
        public Cell? Cell { get; set; }
        public string? Before { get; set; }
        public StringBuilder? After { get; set; }
        public int Level { get; set; }
        public bool Settled { get; set; }
    }
}

/// <summary>The end of a text after its last newline, at most a few hundred characters, and whether a newline was seen.</summary>
internal sealed class LineText
{
    private readonly StringBuilder _text = new();

    public bool HadNewline { get; private set; }

    public void Clear()
    {
        _text.Clear();
        HadNewline = false;
    }

    public void Append(string text)
    {
        int newline = text.LastIndexOf('\n');
        if (newline >= 0)
        {
            _text.Clear();
            HadNewline = true;
            text = text[(newline + 1)..];
        }
        Keep(text.AsSpan());
    }

    /// <summary>Appends another element's line: its text replaces this one when it held a newline.</summary>
    public void Append(LineText other)
    {
        if (other.HadNewline)
        {
            _text.Clear();
            HadNewline = true;
        }
        foreach (var chunk in other._text.GetChunks())
            Keep(chunk.Span);
    }

    private void Keep(ReadOnlySpan<char> text)
    {
        if (text.Length >= 2 * HtmlListingParser.MaxContextChars)
        {
            _text.Clear();
            text = text[^(2 * HtmlListingParser.MaxContextChars)..];
        }
        _text.Append(text);
        if (_text.Length > 2 * HtmlListingParser.MaxContextChars)
            _text.Remove(0, _text.Length - 2 * HtmlListingParser.MaxContextChars);
    }

    public override string ToString() => _text.ToString();
}
