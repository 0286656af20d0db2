using BacklinkOrleans.SharedKernel.EventStore;
using Microsoft.Extensions.DependencyInjection;

namespace BacklinkOrleans.SharedKernel.Audit;

/// <summary>One thing the audit found wrong, with the stream and event (version) where it shows.</summary>
public sealed record AuditViolation(string Check, string StreamId, long? Version, string Problem)
{
    public override string ToString() => Version is null ? $"[{Check}] {StreamId}: {Problem}" : $"[{Check}] {StreamId}@{Version}: {Problem}";
}

/// <summary>
/// A rule of the audit (ADR 0021), fed every event of the log once, in position order, by <see cref="AuditRunner"/>;
/// it reports its violations at the end. A module audits its own events (it alone may read their internals).
/// </summary>
public interface IAuditCheck
{
    string Name { get; }

    /// <summary>What the check holds true, in a sentence (printed by <c>audit verify</c>).</summary>
    string Rule { get; }

    void Observe(StoredEvent stored);

    Task<IReadOnlyList<AuditViolation>> FinishAsync(CancellationToken cancellationToken);
}

/// <summary>The result of one check: how many events it saw, and what it found.</summary>
public sealed record AuditCheckResult(string Check, string Rule, IReadOnlyList<AuditViolation> Violations);

/// <summary>The audit's answer: clean only when no check found anything (at most <see cref="AuditRunner.MaxPerCheck"/> violations listed per check).</summary>
public sealed record AuditReport(long Streams, long Events, IReadOnlyList<AuditCheckResult> Checks, DateTimeOffset At)
{
    public bool Clean => Checks.All(c => c.Violations.Count == 0);

    public int ViolationCount => Checks.Sum(c => c.Violations.Count);
}

/// <summary>
/// Replays the whole log once: the hash chains are recomputed by the store, then every event goes to every module's
/// check. Memory grows with what the checks keep per stream (a few hundred bytes per backlink), not with events.
/// </summary>
public sealed class AuditRunner(IEventStore store, IEnumerable<IAuditCheck> checks, TimeProvider time)
{
    public const int MaxPerCheck = 1000;
    private const int Page = 5000;

    /// <summary>Runs the audit; <paramref name="progress"/> hears the events replayed so far.</summary>
    public async Task<AuditReport> VerifyAsync(IProgress<long>? progress = null, CancellationToken cancellationToken = default)
    {
        var chain = await store.VerifyAsync(null, cancellationToken);
        var results = new List<AuditCheckResult>
        {
            new("hash-chain", "Every stream's events chain by hash from its first to its head, and no stored event was changed.",
                [.. chain.Violations.Take(MaxPerCheck).Select(v => new AuditViolation("hash-chain", v.StreamId, v.Version, v.Problem))]),
        };
        var all = checks.ToList();
        long events = 0;
        var streams = new HashSet<string>(StringComparer.Ordinal);
        for (var after = 0L; ;)
        {
            var page = await store.ReadAllAsync(after, Page, cancellationToken);
            foreach (var e in page)
            {
                streams.Add(e.StreamId);
                foreach (var check in all)
                    check.Observe(e);
            }
            events += page.Count;
            progress?.Report(events);
            if (page.Count < Page)
                break;
            after = page[^1].Position;
        }
        foreach (var check in all)
        {
            var found = await check.FinishAsync(cancellationToken);
            results.Add(new AuditCheckResult(check.Name, check.Rule, [.. found.Take(MaxPerCheck)]));
        }
        return new AuditReport(streams.Count, events, results, time.GetUtcNow());
    }
}

public static class AuditServiceCollectionExtensions
{
    /// <summary>Registers a module's audit check; each verify gets fresh checks (they keep state while replaying).</summary>
    public static IServiceCollection AddAuditCheck<T>(this IServiceCollection services) where T : class, IAuditCheck
    {
        services.AddTransient<IAuditCheck, T>();
        if (!services.Any(d => d.ServiceType == typeof(AuditRunner)))
            services.AddTransient<AuditRunner>();
        return services;
    }
}
