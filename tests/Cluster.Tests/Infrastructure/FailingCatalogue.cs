using System.Reflection;
using System.Runtime.ExceptionServices;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.DependencyInjection.Extensions;
using Pcrs.Grains.Catalogue;

namespace Pcrs.Cluster.Tests.Infrastructure;

/// <summary>
/// The silo's real catalogue, except that the first <c>failures</c> calls of one method throw what a PostgreSQL command
/// that timed out throws: a catalogue write failing for a while, on an otherwise working database.
/// </summary>
public class FailingCatalogue : DispatchProxy
{
    private ICatalogue _inner = null!;
    private string _method = "";
    private int _failuresLeft;
    private int _failed;

    /// <summary>How many calls failed so far.</summary>
    public int Failed => Volatile.Read(ref _failed);

    /// <summary>
    /// Replaces the silo's <see cref="ICatalogue"/> with one failing <paramref name="failures"/> calls of
    /// <paramref name="method"/>; the read side keeps the real catalogue. <paramref name="created"/> receives the proxy.
    /// </summary>
    public static void Install(IServiceCollection services, string method, int failures, Action<FailingCatalogue> created)
    {
        var real = services.Last(d => d.ServiceType == typeof(ICatalogue));
        var factory = real.ImplementationFactory ?? throw new InvalidOperationException("The catalogue is expected to be built by a factory.");
        services.AddSingleton(sp => new RealCatalogue((ICatalogue)factory(sp)));
        services.Replace(ServiceDescriptor.Singleton<ICatalogueReader>(sp => (ICatalogueReader)sp.GetRequiredService<RealCatalogue>().Value));
        services.Replace(ServiceDescriptor.Singleton<ICatalogue>(sp =>
        {
            var proxy = Create<ICatalogue, FailingCatalogue>();
            var failing = (FailingCatalogue)(object)proxy;
            failing._inner = sp.GetRequiredService<RealCatalogue>().Value;
            failing._method = method;
            failing._failuresLeft = failures;
            created(failing);
            return proxy;
        }));
    }

    protected override object? Invoke(MethodInfo? targetMethod, object?[]? args)
    {
        ArgumentNullException.ThrowIfNull(targetMethod);
        if (targetMethod.Name == _method && Interlocked.Decrement(ref _failuresLeft) >= 0)
        {
            Interlocked.Increment(ref _failed);
            throw new TimeoutException($"{_method}: the command timed out (injected by the test).");
        }
        try
        {
            return targetMethod.Invoke(_inner, args);
        }
        catch (TargetInvocationException e) when (e.InnerException is not null)
        {
            ExceptionDispatchInfo.Throw(e.InnerException);
            throw;
        }
    }

    private sealed record RealCatalogue(ICatalogue Value);
}
