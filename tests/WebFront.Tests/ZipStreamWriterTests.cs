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
