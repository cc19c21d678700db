namespace Pcrs.Grains.Storage.Pooling;

/// <summary>
/// The cancellation of a caller waiting in a queue under a lock (the pool's waiters for a connection, the local limiter's
/// for a lease): a waiter still queued leaves the queue and is cancelled; one already granted (taken off the queue) keeps
/// what it got, which its caller hands back.
/// </summary>
internal static class QueuedWaiter
{
    public static CancellationTokenRegistration CancelWhileQueued<T>(Lock gate, LinkedListNode<TaskCompletionSource<T>> node, CancellationToken cancellationToken) =>
        cancellationToken.Register(() =>
        {
            lock (gate)
            {
                if (node.List is not { } queue)
                    return;
                queue.Remove(node);
            }
            node.Value.TrySetCanceled(cancellationToken);
        });
}
