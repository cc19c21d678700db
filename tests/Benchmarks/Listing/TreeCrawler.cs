using Pcrs.Grains.Storage;

namespace Pcrs.Benchmarks.Listing;

/// <summary>
/// Walks a storage tree the way a scan does: every directory listed once, several directories at a time (the client's
/// pool keeps the connection count within its limit), links not followed.
/// </summary>
internal static class TreeCrawler
{
    public static async Task<(int Files, int Dirs)> CrawlAsync(IStorageClient client, string root, int parallelism, CancellationToken cancellationToken)
    {
        using var slots = new SemaphoreSlim(parallelism);
        int files = 0, dirs = 0;

        async Task VisitAsync(string directory)
        {
            var children = new List<string>();
            await slots.WaitAsync(cancellationToken);
            try
            {
                await foreach (var entry in client.ListAsync(directory, cancellationToken))
                {
                    if (entry.Kind == StorageEntryKind.Directory)
                    {
                        Interlocked.Increment(ref dirs);
                        children.Add(StoragePaths.Combine(directory, entry.Name));
                    }
                    else if (entry.Kind == StorageEntryKind.File)
                    {
                        Interlocked.Increment(ref files);
                    }
                }
            }
            finally
            {
                slots.Release();
            }
            await Task.WhenAll(children.Select(VisitAsync));
        }

        await VisitAsync(root);
        return (files, dirs);
    }
}
