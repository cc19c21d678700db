using System.Collections.Concurrent;
using System.Text;
using Orleans.Serialization;
using Orleans.Serialization.Invocation;

namespace Pcrs.WebFront.Tests.Trust;

/// <summary>
/// Records every grain call's arguments as the silo serializes them for the wire (Orleans' own serializer), incoming and
/// outgoing, so a test can say whether a plain password ever travelled in a grain message.
/// </summary>
public sealed class GrainMessageRecorder(Serializer serializer) : IIncomingGrainCallFilter, IOutgoingGrainCallFilter
{
    private readonly ConcurrentQueue<byte[]> _arguments = new();

    public int Count => _arguments.Count;

    public async Task Invoke(IIncomingGrainCallContext context)
    {
        Record(context.Request);
        await context.Invoke();
    }

    public async Task Invoke(IOutgoingGrainCallContext context)
    {
        Record(context.Request);
        await context.Invoke();
    }

    /// <summary>True when some recorded argument holds <paramref name="text"/> as UTF-8 (how Orleans writes strings).</summary>
    public bool Contains(string text)
    {
        byte[] needle = Encoding.UTF8.GetBytes(text);
        return _arguments.Any(bytes => bytes.AsSpan().IndexOf(needle) >= 0);
    }

    private void Record(IInvokable request)
    {
        for (int i = 0; i < request.GetArgumentCount(); i++)
        {
            if (request.GetArgument(i) is { } argument && argument is not CancellationToken)
                _arguments.Enqueue(serializer.SerializeToArray<object>(argument));
        }
    }
}
