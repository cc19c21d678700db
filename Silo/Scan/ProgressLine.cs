using Pcrs.Grains.Catalogue;
using System.Globalization;
using Pcrs.Grains.Interfaces.Scanning;

namespace Pcrs.Silo.Scan;

/// <summary>The live progress on stderr: a bar redrawn in place on a terminal, a line every few seconds otherwise.</summary>
internal sealed class ProgressLine
{
    private readonly bool _terminal = !Console.IsErrorRedirected;
    private DateTime _lastLine = DateTime.MinValue;

    public void Show(StorageScanView view, TimeSpan elapsed)
    {
        var p = view.Progress;
        long done = p.Analysed + p.Unchanged;
        long toDo = Math.Max(done, p.Files);
        int width = 24;
        int filled = toDo == 0 ? 0 : (int)(width * Math.Min(1.0, (double)done / toDo));
        string text = string.Create(CultureInfo.InvariantCulture,
            $"[{new string('#', filled)}{new string('.', width - filled)}] {ScanStatusText.ToText(view.Status)} " +
            $"{p.Directories} dirs, {p.Files} files, {p.Analysed} read, {p.Unchanged} unchanged, {p.Errors} errors, {p.BytesRead} bytes, {elapsed.TotalSeconds:0}s");
        if (_terminal)
        {
            Console.Error.Write("\r" + text.PadRight(Math.Min(Console.BufferWidth > 0 ? Console.BufferWidth - 1 : 120, 160)));
        }
        else if (DateTime.UtcNow - _lastLine > TimeSpan.FromSeconds(5))
        {
            _lastLine = DateTime.UtcNow;
            Console.Error.WriteLine(text);
        }
    }

    public void Done()
    {
        if (_terminal)
            Console.Error.WriteLine();
    }
}
