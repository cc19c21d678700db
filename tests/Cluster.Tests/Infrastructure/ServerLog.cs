namespace Pcrs.Cluster.Tests.Infrastructure;

/// <summary>Reads the lines a real server appended to its access log since a mark (requests are counted at the server).</summary>
public sealed class ServerLog(string path)
{
    private long _mark = File.Exists(path) ? new FileInfo(path).Length : 0;

    /// <summary>Lines appended since the last mark that contain <paramref name="fragment"/>; moves the mark.</summary>
    public async Task<List<string>> TakeAsync(string fragment)
    {
        await Task.Delay(300); // servers write their access line as the response completes
        using var stream = new FileStream(path, FileMode.Open, FileAccess.Read, FileShare.ReadWrite);
        stream.Seek(_mark, SeekOrigin.Begin);
        using var reader = new StreamReader(stream);
        string text = await reader.ReadToEndAsync();
        _mark = stream.Length;
        return text.Split('\n').Where(l => l.Contains(fragment, StringComparison.Ordinal)).ToList();
    }
}
