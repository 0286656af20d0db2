using Microsoft.AspNetCore.Diagnostics;
using Microsoft.AspNetCore.Mvc;

namespace BacklinkOrleans.Host.Hosting;

/// <summary>
/// While the cluster moves grains after losing a member (until the survivors declare it dead, some tens of seconds),
/// calls to grains that lived there fail to connect or time out. That is not a server error but a moment's
/// unavailability: the API answers 503 with Retry-After and says so, and the client tries again.
/// </summary>
internal sealed partial class ClusterBusyHandler(IProblemDetailsService problems, ILogger<ClusterBusyHandler> logger) : IExceptionHandler
{
    private const int RetryAfterSeconds = 5;

    public async ValueTask<bool> TryHandleAsync(HttpContext context, Exception exception, CancellationToken cancellationToken)
    {
        if (!IsTransient(exception) || context.Response.HasStarted)
            return false;
        LogBusy(logger, context.Request.Method, context.Request.Path, exception.GetType().Name);
        context.Response.StatusCode = StatusCodes.Status503ServiceUnavailable;
        context.Response.Headers.RetryAfter = RetryAfterSeconds.ToString(System.Globalization.CultureInfo.InvariantCulture);
        return await problems.TryWriteAsync(new ProblemDetailsContext
        {
            HttpContext = context,
            ProblemDetails = new ProblemDetails
            {
                Status = StatusCodes.Status503ServiceUnavailable,
                Title = "The cluster is busy",
                Detail = $"A member of the cluster could not be reached (it may have stopped and its work is moving to the others). Nothing was lost; try again in {RetryAfterSeconds} seconds.",
            },
        });
    }

    /// <summary>Orleans' connection, rejection and unavailability errors, and a grain call's timeout.</summary>
    internal static bool IsTransient(Exception exception) => exception switch
    {
        SiloUnavailableException or OrleansMessageRejectionException or Orleans.Runtime.Messaging.ConnectionFailedException => true,
        TimeoutException => true,
        AggregateException { InnerExceptions.Count: 1 } aggregate => IsTransient(aggregate.InnerExceptions[0]),
        _ => false,
    };

    [LoggerMessage(Level = LogLevel.Warning, Message = "{Method} {Path} answered 503: a cluster member could not be reached ({Exception})")]
    private static partial void LogBusy(ILogger logger, string method, string path, string exception);
}
