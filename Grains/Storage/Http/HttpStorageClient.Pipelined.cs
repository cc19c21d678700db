using System.Net;
using System.Net.Security;
using System.Security.Authentication;
using Pcrs.Grains.Storage.Pooling;

namespace Pcrs.Grains.Storage.Http;

/// <summary>The storage's connections: rented from the one pool by the pipeline (secured for https) and by the standard handler.</summary>
public sealed partial class HttpStorageClient
{
    /// <summary>The request pipeline that carries listings, HEADs and ranged reads (for tests).</summary>
    internal HttpRequestPipeline Pipeline => _pipeline;

    /// <summary>The storage's one connection pool (for tests).</summary>
    internal ConnectionPool<HttpWire> Pool => _pool;

    /// <summary>The error a pipelined error status gives, the same as <see cref="EnsureSuccess"/> gives for the standard path.</summary>
    private StorageException PipelinedError(int status, string? retryAfter, string path, bool directory)
    {
        using var response = new HttpResponseMessage((HttpStatusCode)status);
        if (retryAfter is not null)
            response.Headers.TryAddWithoutValidation("Retry-After", retryAfter);
        try
        {
            EnsureSuccess(response, path, directory);
        }
        catch (StorageException e)
        {
            return e;
        }
        return new StorageException(StorageErrorKind.Protocol, $"The server answered {status} for \"{path}\".");
    }

    /// <summary>Largest range read through the pipeline; bigger reads go through the standard handler.</summary>
    internal const int MaxPipelinedRangeBytes = 256 * 1024;

    /// <summary>Rents a connection for the pipeline, with TLS negotiated (once per connection) for https.</summary>
    private async Task<PooledConnection<HttpWire>> RentPipelinedAsync(CancellationToken cancellationToken)
    {
        var pooled = await _pool.RentAsync(cancellationToken).ConfigureAwait(false);
        if (_location.Protocol != StorageProtocol.Https || pooled.Connection.IsSecured)
            return pooled;
        try
        {
            using var timeout = CancellationTokenSource.CreateLinkedTokenSource(cancellationToken);
            timeout.CancelAfter(_options.ConnectTimeout);
            await pooled.Connection.SecureAsync(new SslClientAuthenticationOptions
            {
                TargetHost = _location.Host,
                RemoteCertificateValidationCallback = ValidateCertificate,
                ApplicationProtocols = [SslApplicationProtocol.Http11],
            }, timeout.Token).ConfigureAwait(false);
            return pooled;
        }
        catch (Exception e)
        {
            pooled.MarkBroken();
            await pooled.DisposeAsync().ConfigureAwait(false);
            if (e is AuthenticationException)
                throw new StorageException(StorageErrorKind.Trust, "The server's TLS certificate is not trusted.", e);
            if (e is OperationCanceledException && !cancellationToken.IsCancellationRequested)
                throw new StorageException(StorageErrorKind.Transient, $"The TLS handshake timed out after {_options.ConnectTimeout.TotalSeconds:0} s.", e);
            throw;
        }
    }

    /// <summary>
    /// The standard handler's <see cref="SocketsHttpHandler.ConnectCallback"/>. The storage's own address: a connection
    /// rented from the pool, not secured yet (the handler runs its own TLS), which goes back closed when the handler
    /// closes it. Another host (a redirect's target): a guarded connection under a lease of its own.
    /// </summary>
    private async ValueTask<Stream> ConnectHandlerAsync(SocketsHttpConnectionContext context, CancellationToken cancellationToken)
    {
        var endpoint = context.DnsEndPoint;
        if (endpoint.Port != _location.Port || !string.Equals(endpoint.Host.Trim('[', ']'), _location.Host, StringComparison.OrdinalIgnoreCase))
            return await _connector.ConnectAsync(endpoint, rotateTurns: true, cancellationToken).ConfigureAwait(false);
        while (true)
        {
            var pooled = await _pool.RentAsync(cancellationToken).ConfigureAwait(false);
            // The handler owns the connection from now on and closes it itself: it never goes back for reuse.
            pooled.MarkBroken();
            if (!pooled.Connection.IsSecured)
                return new LeasedConnectionStream(pooled.Connection.Raw, pooled, () => _limiter.OwesTurn, ConnectionTurn);
            // Secured by the pipeline: the handler cannot run its TLS over it. Closed, and the next one tried (a new one at last).
            await pooled.DisposeAsync().ConfigureAwait(false);
        }
    }
}
