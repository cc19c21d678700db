using System.Collections.Concurrent;
using System.Net;
using System.Text;

namespace Pcrs.Hosting.Tests.Support;

/// <summary>One span as an OTLP exporter posted it: its instrumentation scope, name and attributes.</summary>
public sealed record ReceivedSpan(string Scope, string Name, IReadOnlyDictionary<string, object> Attributes);

/// <summary>
/// A collector of its own for a test: listens for OTLP over HTTP (protobuf) on a loopback port, answers every export
/// with 200, and keeps the spans posted to <c>/v1/traces</c>. Only the fields a test looks at are decoded (resource
/// spans → scope spans → span name and attributes), by walking the protobuf wire format; the rest is skipped.
/// </summary>
public sealed class OtlpTraceReceiver : IAsyncDisposable
{
    private readonly HttpListener _listener = new();
    private readonly Task _serving;
    private readonly ConcurrentQueue<ReceivedSpan> _spans = new();
    private int _posts;

    public OtlpTraceReceiver()
    {
        Port = FreePort.Next();
        _listener.Prefixes.Add($"http://127.0.0.1:{Port}/");
        _listener.Start();
        _serving = ServeAsync();
    }

    public int Port { get; }

    /// <summary>The value for OTEL_EXPORTER_OTLP_ENDPOINT (with OTEL_EXPORTER_OTLP_PROTOCOL=http/protobuf).</summary>
    public string Endpoint => $"http://127.0.0.1:{Port}";

    public IReadOnlyCollection<ReceivedSpan> Spans => _spans.ToArray();

    /// <summary>Requests received on any path (traces and metrics).</summary>
    public int Posts => Volatile.Read(ref _posts);

    private async Task ServeAsync()
    {
        while (_listener.IsListening)
        {
            HttpListenerContext context;
            try
            {
                context = await _listener.GetContextAsync();
            }
            catch (Exception e) when (e is HttpListenerException or ObjectDisposedException or InvalidOperationException)
            {
                return;
            }
            Interlocked.Increment(ref _posts);
            using (var body = new MemoryStream())
            {
                await context.Request.InputStream.CopyToAsync(body);
                if (context.Request.Url?.AbsolutePath == "/v1/traces")
                {
                    foreach (var span in ReadTraceRequest(body.ToArray()))
                        _spans.Enqueue(span);
                }
            }
            context.Response.StatusCode = 200;
            context.Response.ContentType = "application/x-protobuf";
            context.Response.Close();
        }
    }

    /// <summary>ExportTraceServiceRequest: 1 = ResourceSpans (2 = ScopeSpans (1 = scope (1 = name), 2 = Span)).</summary>
    private static List<ReceivedSpan> ReadTraceRequest(byte[] message)
    {
        var spans = new List<ReceivedSpan>();
        foreach (var resourceSpans in Embedded(Fields(message), 1))
        {
            foreach (var scopeSpans in Embedded(Fields(resourceSpans), 2))
            {
                var fields = Fields(scopeSpans).ToList();
                string scope = Embedded(fields, 1).Select(s => Text(Fields(s), 1)).FirstOrDefault() ?? "";
                foreach (var span in Embedded(fields, 2))
                    spans.Add(ReadSpan(scope, span));
            }
        }
        return spans;
    }

    /// <summary>Span: 5 = name, 9 = KeyValue (1 = key, 2 = AnyValue (1 = string, 2 = bool, 3 = int64)).</summary>
    private static ReceivedSpan ReadSpan(string scope, byte[] span)
    {
        var fields = Fields(span).ToList();
        var attributes = new Dictionary<string, object>(StringComparer.Ordinal);
        foreach (var attribute in Embedded(fields, 9))
        {
            var keyValue = Fields(attribute).ToList();
            string key = Text(keyValue, 1) ?? "";
            foreach (var any in Embedded(keyValue, 2).SelectMany(Fields))
            {
                attributes[key] = any.Number switch
                {
                    1 when any.Bytes is { } text => Encoding.UTF8.GetString(text),
                    2 => any.Varint != 0,
                    3 => (long)any.Varint,
                    _ => any.Bytes ?? (object)any.Varint,
                };
            }
        }
        return new ReceivedSpan(scope, Text(fields, 5) ?? "", attributes);
    }

    private static string? Text(IEnumerable<Field> fields, int number) =>
        fields.Where(f => f.Number == number).Select(f => f.Bytes is { } bytes ? Encoding.UTF8.GetString(bytes) : null).FirstOrDefault(t => t is not null);

    /// <summary>The contents of the length-delimited fields numbered <paramref name="number"/> (embedded messages, strings).</summary>
    private static IEnumerable<byte[]> Embedded(IEnumerable<Field> fields, int number) =>
        fields.Where(f => f.Number == number && f.Bytes is not null).Select(f => f.Bytes!);

    private readonly record struct Field(int Number, ulong Varint, byte[]? Bytes);

    /// <summary>The top-level fields of one protobuf message (wire types 0, 1, 2 and 5).</summary>
    private static IEnumerable<Field> Fields(byte[] message)
    {
        int at = 0;
        while (at < message.Length)
        {
            ulong tag = Varint(message, ref at);
            int number = (int)(tag >> 3);
            switch (tag & 7)
            {
                case 0:
                    yield return new Field(number, Varint(message, ref at), null);
                    break;
                case 1:
                    yield return new Field(number, BitConverter.ToUInt64(message, at), null);
                    at += 8;
                    break;
                case 2:
                    int length = checked((int)Varint(message, ref at));
                    if (length < 0 || at + length > message.Length)
                        throw new InvalidDataException($"A field of {length} bytes runs past the message's {message.Length}.");
                    yield return new Field(number, 0, message[at..(at + length)]);
                    at += length;
                    break;
                case 5:
                    yield return new Field(number, BitConverter.ToUInt32(message, at), null);
                    at += 4;
                    break;
                default:
                    throw new InvalidDataException($"Wire type {tag & 7} is not one OTLP uses.");
            }
        }
    }

    private static ulong Varint(byte[] message, ref int at)
    {
        ulong value = 0;
        for (int shift = 0; shift < 64; shift += 7)
        {
            byte b = message[at++];
            value |= (ulong)(b & 0x7F) << shift;
            if (b < 0x80)
                return value;
        }
        throw new InvalidDataException("A varint longer than 10 bytes.");
    }

    public async ValueTask DisposeAsync()
    {
        _listener.Stop();
        _listener.Close();
        await _serving;
    }
}
