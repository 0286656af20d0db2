using System.Diagnostics;
using System.Text;
using BacklinkOrleans.SharedKernel.Http;
using Microsoft.Extensions.Logging;
using Microsoft.Extensions.Options;

namespace BacklinkOrleans.Reporting.Webhooks;

/// <summary>
/// Sends due deliveries through the guarded outbound client (no private addresses, no redirects followed), signed
/// (<see cref="WebhookSignature"/>); a 2xx answer delivers, anything else is retried with exponential backoff and
/// jitter until a day after the event, then the delivery is failed (and can be redelivered by hand).
/// </summary>
internal sealed partial class WebhookDispatcher(WebhookStore store, IHttpClientFactory clients, TimeProvider time, IOptions<WebhookOptions> options,
    ILogger<WebhookDispatcher> logger)
{
    public const string EventHeader = "X-Backlink-Event";
    public const string DeliveryHeader = "X-Backlink-Delivery";

    /// <summary>Sends what is due; returns how many deliveries were attempted.</summary>
    public async Task<int> DeliverDueAsync(CancellationToken cancellationToken)
    {
        var o = options.Value;
        var due = await store.ClaimDueAsync(o.Batch, o.RequestTimeout * 3, cancellationToken);
        await Parallel.ForEachAsync(due, new ParallelOptions { MaxDegreeOfParallelism = Math.Max(1, o.Concurrency), CancellationToken = cancellationToken },
            async (delivery, ct) => await SendAsync(delivery, ct));
        return due.Count;
    }

    private async Task SendAsync(DueDelivery delivery, CancellationToken cancellationToken)
    {
        var o = options.Value;
        var started = Stopwatch.GetTimestamp();
        int? status = null;
        string? error;
        try
        {
            using var request = new HttpRequestMessage(HttpMethod.Post, delivery.Url)
            {
                Content = new StringContent(delivery.Body, Encoding.UTF8, "application/json"),
            };
            request.Headers.Add(WebhookSignature.Header, WebhookSignature.Sign(delivery.Secret, time.GetUtcNow(), delivery.Body));
            request.Headers.Add(EventHeader, delivery.EventType);
            request.Headers.Add(DeliveryHeader, delivery.Id);
            using var timeout = CancellationTokenSource.CreateLinkedTokenSource(cancellationToken);
            timeout.CancelAfter(o.RequestTimeout);
            using var response = await clients.CreateClient(OutboundHttp.ClientName).SendAsync(request, HttpCompletionOption.ResponseHeadersRead, timeout.Token);
            status = (int)response.StatusCode;
            error = response.IsSuccessStatusCode ? null : $"HTTP {status}";
        }
        catch (OutboundRefusedException e)
        {
            error = $"refused: {e.Message}";
        }
        catch (Exception e) when (e is HttpRequestException or TaskCanceledException or IOException)
        {
            error = e is TaskCanceledException ? $"no answer within {o.RequestTimeout.TotalSeconds:0} s" : e.Message;
        }
        var elapsed = (long)Stopwatch.GetElapsedTime(started).TotalMilliseconds;
        DateTimeOffset? next = null;
        if (error is not null)
        {
            var attempt = delivery.Attempts + 1;
            var delay = TimeSpan.FromTicks((long)Math.Min(o.MaxDelay.Ticks, o.FirstRetry.Ticks * Math.Pow(2, attempt - 1)) );
            delay *= 0.9 + Random.Shared.NextDouble() * 0.2;
            var at = time.GetUtcNow() + delay;
            next = at <= delivery.GiveUpAt ? at : null;
            LogFailed(logger, delivery.Id, delivery.EventType, attempt, error, next);
        }
        await store.RecordAsync(delivery, status, error, elapsed, next, CancellationToken.None);
    }

    [LoggerMessage(Level = LogLevel.Information, Message = "Webhook delivery {Delivery} ({Type}) attempt {Attempt} failed: {Error}; next attempt {Next} (none: given up)")]
    private static partial void LogFailed(ILogger logger, string delivery, string type, int attempt, string error, DateTimeOffset? next);
}
