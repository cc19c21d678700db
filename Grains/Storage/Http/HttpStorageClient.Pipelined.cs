using System.Net;
using System.Net.Security;
using System.Security.Authentication;

namespace Pcrs.Grains.Storage.Http;

/// <summary>Ranged reads over pipelined connections: how they open (leased, guarded, TLS-checked) and how their error statuses read.</summary>
public sealed partial class HttpStorageClient
{
    /// <summary>The pipelined range reader, when <see cref="StorageAccessOptions.HttpPipelineDepth"/> is above 1 (for tests).</summary>
    internal PipelinedRangeReader? Pipeline => _pipeline;

    /// <summary>The error a pipelined error status gives, the same as <see cref="EnsureSuccess"/> gives for the standard path.</summary>
    private StorageException PipelinedError(int status, string? retryAfter, string path)
    {
        using var response = new HttpResponseMessage((HttpStatusCode)status);
        if (retryAfter is not null)
            response.Headers.TryAddWithoutValidation("Retry-After", retryAfter);
        try
        {
            EnsureSuccess(response, path, directory: false);
        }
        catch (StorageException e)
        {
            return e;
        }
        return new StorageException(StorageErrorKind.Protocol, $"The server answered {status} for \"{path}\".");
    }

    /// <summary>Largest range read through the pipeline; bigger reads go through the standard handler.</summary>
    internal const int MaxPipelinedRangeBytes = 256 * 1024;

    /// <summary>Opens a pipelined connection: leased and guarded like the handler's, with the same TLS checks for https.</summary>
    private async Task<Stream> OpenPipelinedAsync(GuardedConnector connector, DnsEndPoint endpoint, CancellationToken cancellationToken)
    {
        var stream = await connector.ConnectAsync(endpoint, rotateTurns: false, cancellationToken).ConfigureAwait(false);
        if (_location.Protocol != StorageProtocol.Https)
            return stream;
        var tls = new SslStream(stream, leaveInnerStreamOpen: false);
        try
        {
            using var timeout = CancellationTokenSource.CreateLinkedTokenSource(cancellationToken);
            timeout.CancelAfter(_options.ConnectTimeout);
            await tls.AuthenticateAsClientAsync(new SslClientAuthenticationOptions
            {
                TargetHost = _location.Host,
                RemoteCertificateValidationCallback = ValidateCertificate,
                ApplicationProtocols = [SslApplicationProtocol.Http11],
            }, timeout.Token).ConfigureAwait(false);
            return tls;
        }
        catch (AuthenticationException e)
        {
            await tls.DisposeAsync().ConfigureAwait(false);
            throw new StorageException(StorageErrorKind.Trust, "The server's TLS certificate is not trusted.", e);
        }
        catch
        {
            await tls.DisposeAsync().ConfigureAwait(false);
            throw;
        }
    }
}
