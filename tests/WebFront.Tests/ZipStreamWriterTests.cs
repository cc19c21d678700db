using System.Diagnostics;
using System.IO.Compression;
using System.Security.Cryptography;
using Pcrs.WebFront.Downloads;

namespace Pcrs.WebFront.Tests;

/// <summary>The streamed ZIP writer, checked by Info-ZIP's unzip and by .NET's reader: stored entries, Zip64 past 4 GiB.</summary>
public sealed class ZipStreamWriterTests
{
    /// <summary>Writes only: the writer must never seek (an HTTP response cannot).</summary>
    private sealed class ForwardOnlyStream(Stream inner) : Stream
    {
        public override bool CanRead => false;
        public override bool CanSeek => false;
        public override bool CanWrite => true;
        public override long Length => throw new NotSupportedException();
        public override long Position { get => throw new NotSupportedException(); set => throw new NotSupportedException(); }
        public override void Flush() => inner.Flush();
        public override int Read(byte[] buffer, int offset, int count) => throw new NotSupportedException();
        public override long Seek(long offset, SeekOrigin origin) => throw new NotSupportedException();
        public override void SetLength(long value) => throw new NotSupportedException();
        public override void Write(byte[] buffer, int offset, int count) => inner.Write(buffer, offset, count);
        public override ValueTask WriteAsync(ReadOnlyMemory<byte> buffer, CancellationToken cancellationToken = default) => inner.WriteAsync(buffer, cancellationToken);
    }

    /// <summary>A stream of <paramref name="length"/> bytes of a repeating pattern, produced on the fly (nothing held in memory).</summary>
    private sealed class PatternStream(long length) : Stream
    {
        private long _position;
        public override bool CanRead => true;
        public override bool CanSeek => false;
        public override bool CanWrite => false;
        public override long Length => length;
        public override long Position { get => _position; set => throw new NotSupportedException(); }
        public override void Flush() { }
        public override int Read(byte[] buffer, int offset, int count)
        {
            int n = (int)Math.Min(count, length - _position);
            for (int i = 0; i < n; i++)
                buffer[offset + i] = (byte)((_position + i) % 251);
            _position += n;
            return n;
        }
        public override long Seek(long offset, SeekOrigin origin) => throw new NotSupportedException();
        public override void SetLength(long value) => throw new NotSupportedException();
        public override void Write(byte[] buffer, int offset, int count) => throw new NotSupportedException();
    }

    private static (int Exit, string Output) Unzip(params string[] args)
    {
        var start = new ProcessStartInfo("unzip") { RedirectStandardOutput = true, RedirectStandardError = true };
        foreach (var a in args)
            start.ArgumentList.Add(a);
        using var process = Process.Start(start)!;
        var output = process.StandardOutput.ReadToEnd() + process.StandardError.ReadToEnd();
        process.WaitForExit();
        return (process.ExitCode, output);
    }

    [Fact]
    public async Task Small_archive_has_stored_entries_that_unzip_and_dotnet_read_back_byte_for_byte()
    {
        var file = Path.Combine(Path.GetTempPath(), $"pcrs-zip-{Guid.NewGuid():N}.zip");
        var contents = new Dictionary<string, byte[]>
        {
            ["dalles/a.tif"] = RandomNumberGenerator.GetBytes(200_000),
            ["dalles/sous dossier/é.jp2"] = RandomNumberGenerator.GetBytes(70_001),
            ["vide.txt"] = [],
        };
        try
        {
            await using (var output = File.Create(file))
            {
                var zip = new ZipStreamWriter(new ForwardOnlyStream(output));
                foreach (var (name, bytes) in contents)
                    await zip.AddEntryAsync(name, new DateTimeOffset(2024, 5, 17, 10, 30, 0, TimeSpan.Zero), new MemoryStream(bytes), bytes.Length, CancellationToken.None);
                await zip.FinishAsync(CancellationToken.None);
            }
            var (exit, text) = Unzip("-t", file);
            Assert.True(exit == 0, text);
            Assert.Contains("No errors detected", text);
            using var archive = ZipFile.OpenRead(file);
            Assert.Equal(contents.Keys.Order(), archive.Entries.Select(e => e.FullName).Order());
            foreach (var entry in archive.Entries)
            {
                Assert.Equal(entry.Length, entry.CompressedLength); // stored, not deflated
                using var stream = entry.Open();
                var copy = new MemoryStream();
                await stream.CopyToAsync(copy);
                Assert.Equal(contents[entry.FullName], copy.ToArray());
                Assert.Equal(new DateTime(2024, 5, 17, 10, 30, 0), entry.LastWriteTime.DateTime);
            }
            var (_, listing) = Unzip("-v", file);
            Assert.Contains("Stored", listing);
            Assert.DoesNotContain("Defl", listing);
        }
        finally
        {
            File.Delete(file);
        }
    }

    [Fact]
    public async Task Deflated_documents_beside_stored_files_with_the_central_directory_spooled_to_a_file_read_back_in_unzip_python_and_dotnet()
    {
        var file = Path.Combine(Path.GetTempPath(), $"pcrs-zip-deflate-{Guid.NewGuid():N}.zip");
        var spool = Path.Combine(Path.GetTempPath(), $"pcrs-zip-central-{Guid.NewGuid():N}.bin");
        var documents = Enumerable.Range(0, 70_000).ToDictionary(i => $"items/{i:00000}.json", i => $"{{\"id\": {i}, \"text\": \"{new string('x', i % 300)}\"}}");
        var tile = RandomNumberGenerator.GetBytes(50_000);
        try
        {
            await using (var output = File.Create(file))
            await using (var central = new FileStream(spool, FileMode.CreateNew, FileAccess.ReadWrite))
            {
                var zip = new ZipStreamWriter(new ForwardOnlyStream(output), centralSpool: central);
                await zip.AddEntryAsync("dalle.tif", null, new MemoryStream(tile), tile.Length, CancellationToken.None);
                foreach (var (name, json) in documents)
                    await zip.AddDeflatedEntryAsync(name, null, (stream, ct) => stream.WriteAsync(System.Text.Encoding.UTF8.GetBytes(json), ct).AsTask(), CancellationToken.None);
                // An empty document, and one written in many small pieces.
                await zip.AddDeflatedEntryAsync("vide.json", null, (_, _) => Task.CompletedTask, CancellationToken.None);
                await zip.AddDeflatedEntryAsync("morceaux.txt", null, async (stream, ct) =>
                {
                    for (int i = 0; i < 10_000; i++)
                        await stream.WriteAsync(System.Text.Encoding.UTF8.GetBytes($"{i}\n"), ct);
                }, CancellationToken.None);
                await zip.FinishAsync(CancellationToken.None);
            }
            // 70,003 entries: past 65,535, so the end records are Zip64's too.
            var (exit, text) = Unzip("-tq", file);
            Assert.True(exit == 0, text);
            var python = await Tools.RunAsync("python3", "-c",
                "import sys, zipfile\nz = zipfile.ZipFile(sys.argv[1])\nprint(z.testzip(), len(z.infolist()), sum(1 for i in z.infolist() if i.compress_type == zipfile.ZIP_DEFLATED))", file);
            Assert.Equal("None 70003 70002", python.Trim());
            using var archive = ZipFile.OpenRead(file);
            Assert.Equal(70_003, archive.Entries.Count);
            foreach (var name in new[] { "items/00000.json", "items/00299.json", "items/69999.json" })
            {
                using var reader = new StreamReader(archive.GetEntry(name)!.Open());
                Assert.Equal(documents[name], await reader.ReadToEndAsync());
            }
            using (var pieces = new StreamReader(archive.GetEntry("morceaux.txt")!.Open()))
                Assert.Equal(string.Concat(Enumerable.Range(0, 10_000).Select(i => $"{i}\n")), await pieces.ReadToEndAsync());
            Assert.Equal(0, archive.GetEntry("vide.json")!.Length);
            using var stored = archive.GetEntry("dalle.tif")!.Open();
            var copy = new MemoryStream();
            await stored.CopyToAsync(copy);
            Assert.Equal(tile, copy.ToArray());
        }
        finally
        {
            File.Delete(file);
            File.Delete(spool);
        }
    }

    [Fact]
    public async Task Archive_past_4_GiB_uses_Zip64_and_unzip_tests_it_clean()
    {
        // One entry of 4 GiB + 1 MiB (sizes past 32 bits) and one after it (its offset past 32 bits).
        const long big = (4L << 30) + (1 << 20);
        var file = Path.Combine(Path.GetTempPath(), $"pcrs-zip64-{Guid.NewGuid():N}.zip");
        try
        {
            await using (var output = File.Create(file))
            {
                var zip = new ZipStreamWriter(new ForwardOnlyStream(output));
                await zip.AddEntryAsync("grande.tif", null, new PatternStream(big), big, CancellationToken.None);
                await zip.AddEntryAsync("apres.tif", null, new MemoryStream([1, 2, 3]), 3, CancellationToken.None);
                await zip.FinishAsync(CancellationToken.None);
                Assert.True(zip.BytesWritten > big);
            }
            var (exit, text) = Unzip("-t", file);
            Assert.True(exit == 0, text);
            Assert.Contains("No errors detected", text);
            using var archive = ZipFile.OpenRead(file);
            Assert.Equal(big, archive.GetEntry("grande.tif")!.Length);
            using var after = archive.GetEntry("apres.tif")!.Open();
            var bytes = new byte[3];
            await after.ReadExactlyAsync(bytes);
            Assert.Equal([1, 2, 3], bytes);
        }
        finally
        {
            File.Delete(file);
        }
    }
}
