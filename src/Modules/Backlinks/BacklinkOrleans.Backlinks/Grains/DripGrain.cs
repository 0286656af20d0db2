using BacklinkOrleans.Backlinks.Contracts;
using BacklinkOrleans.Backlinks.ReadModels;
using BacklinkOrleans.SharedKernel.EventSourcing;
using BacklinkOrleans.SharedKernel.EventStore;

namespace BacklinkOrleans.Backlinks.Grains;

/// <summary>
/// What the drip-feed says to a backlink about to be submitted: go now, or wait until <see cref="Until"/> (why in
/// <see cref="Reason"/>); a wait with a <see cref="Gate"/> is the backlink's slot, and the backlink goes when it ends.
/// </summary>
[GenerateSerializer, Immutable, Alias("backlink-orleans.drip-release")]
internal sealed record DripRelease([property: Id(0)] bool Go, [property: Id(1)] DateTimeOffset Until, [property: Id(2)] string? Reason, [property: Id(3)] string? Gate)
{
    public static readonly DripRelease Now = new(true, default, null, null);

    /// <summary>The gate of the slots of a campaign's drip plan number <paramref name="plan"/>.</summary>
    public static string GateOf(int plan) => $"drip:{plan}";
}

/// <summary>
/// The drip-feed of one campaign (key <c>{tenant}/{campaign}</c>): hands out release slots so the campaign's
/// submissions spread evenly over its <see cref="CampaignSettings.DripDays"/> (ADR 0020). One slot per backlink, in
/// the order they ask, one interval apart (days ÷ URLs to release); a slot is never in the past, so capacity nobody
/// used does not pile up into a burst. A plan is made once the campaign's collection has settled (an import still
/// adding URLs would make the first slots too sparse); URLs added later go at the plan's pace. A changed drip is a
/// new plan: the backlinks waiting for a slot of the old one ask again.
/// </summary>
internal interface IDripGrain : IGrainWithStringKey
{
    /// <param name="gate">the gate of the slot the backlink waited for, when that wait has ended; null otherwise</param>
    /// <param name="plan">the campaign's drip plan as the backlink read it (a newer one than this grain's is read at once)</param>
    Task<DripRelease> ReleaseAsync(string? gate, int plan);

    /// <summary>The plan's pace: its next free slot and the time between two (before a plan is made: from now, over all the campaign's URLs left).</summary>
    [AlwaysInterleave]
    Task<DripPace?> PaceAsync();
}

/// <summary>Slots are reserved in blocks: after a restart the plan goes on from the block's end (a gap, never two URLs in one slot).</summary>
[GenerateSerializer, Immutable, Alias("drip.slots-reserved.v1")]
internal sealed record DripSlotsReserved(
    [property: Id(0)] Guid EventId, [property: Id(1)] int Plan, [property: Id(2)] DateTimeOffset HighWater, [property: Id(3)] long PlanTotal,
    [property: Id(4)] long TotalSeen, [property: Id(5)] DateTimeOffset At) : IDomainEvent;

internal sealed record DripLedger(int Plan, DateTimeOffset HighWater, long PlanTotal, long TotalSeen)
{
    public static readonly DripLedger None = new(0, DateTimeOffset.MinValue, 0, 0);
}

internal sealed class DripGrain(IEventStore store, EventTypeRegistry registry, BacklinkQueries queries, IGrainFactory grains, TimeProvider time)
    : EventSourcedGrain<DripLedger, DripSlotsReserved>(store, registry), IDripGrain
{
    /// <summary>The campaign's URL count must have stood still this long before a plan is made.</summary>
    private static readonly TimeSpan Settle = TimeSpan.FromSeconds(10);

    /// <summary>A plan is made at the latest this long after the first backlink asked, settled or not.</summary>
    private static readonly TimeSpan MaxSettle = TimeSpan.FromMinutes(5);

    private static readonly TimeSpan CountsTtl = TimeSpan.FromSeconds(3);

    private CampaignInfo? campaign;
    private DateTimeOffset campaignReadAt;
    private (long Total, long Unreleased, DateTimeOffset ReadAt, DateTimeOffset ChangedAt)? counts;
    private DateTimeOffset? firstAsk;
    private DateTimeOffset cursor;
    private int plan;

    protected override DripLedger Initial => DripLedger.None;

    protected override string StreamId => $"drip/{this.GetPrimaryKeyString()}";

    protected override DripLedger Evolve(DripLedger state, DripSlotsReserved e) => new(e.Plan, e.HighWater, e.PlanTotal, e.TotalSeen);

    public override async Task OnActivateAsync(CancellationToken cancellationToken)
    {
        await base.OnActivateAsync(cancellationToken);
        (plan, cursor) = (Current.Plan, Current.HighWater); // go on after the reserved block: never a slot given twice
    }

    public async Task<DripRelease> ReleaseAsync(string? gate, int known)
    {
        var now = time.GetUtcNow();
        if (now - campaignReadAt > TimeSpan.FromSeconds(2) || campaign is null || campaign.DripPlan < known)
            (campaign, campaignReadAt) = (await grains.GetGrain<ICampaignGrain>(this.GetPrimaryKeyString()).GetAsync(), now);
        if (campaign is not { Settings.DripDays: { } days, DripSince: { } since })
            return DripRelease.Now;
        if (gate == DripRelease.GateOf(campaign.DripPlan))
            return DripRelease.Now; // its slot of this plan has come
        var (total, unreleased, changedAt) = await CountsAsync(now);
        if (plan != campaign.DripPlan || Current.PlanTotal == 0)
        {
            firstAsk ??= now;
            if (now - changedAt < Settle && now - firstAsk < MaxSettle)
                return new DripRelease(false, now + Settle, $"drip-feed: the campaign is still being collected; its {days}-day plan is made when that settles", null);
            (plan, cursor, firstAsk) = (campaign.DripPlan, now > since ? now : since, null);
            await ReserveAsync(Math.Max(1, unreleased), total, now);
        }
        else if (total > Current.TotalSeen)
            await ReserveAsync(Current.PlanTotal + (total - Current.TotalSeen), total, now); // URLs added since go at the plan's pace

        var interval = Interval(days, Current.PlanTotal);
        var slot = cursor > now ? cursor : now; // capacity nobody used does not pile up
        cursor = slot + interval;
        if (cursor > Current.HighWater)
            await ReserveAsync(Current.PlanTotal, Current.TotalSeen, now);
        return slot <= now
            ? DripRelease.Now
            : new DripRelease(false, slot, $"drip-feed: released at {slot:u} (the campaign spreads its submissions over {days} day(s), one every {Format(interval)})",
                DripRelease.GateOf(plan));
    }

    public async Task<DripPace?> PaceAsync()
    {
        var now = time.GetUtcNow();
        var info = campaign ?? await grains.GetGrain<ICampaignGrain>(this.GetPrimaryKeyString()).GetAsync();
        if (info is not { Settings.DripDays: { } days })
            return null;
        if (plan == info.DripPlan && Current.PlanTotal > 0)
            return new DripPace(cursor > now ? cursor : now, Interval(days, Current.PlanTotal));
        var (_, unreleased, _) = await CountsAsync(now);
        return new DripPace(now, Interval(days, Math.Max(1, unreleased)));
    }

    /// <summary>Days ÷ URLs: the time between two releases.</summary>
    private static TimeSpan Interval(int days, long urls) => TimeSpan.FromTicks(TimeSpan.FromDays(days).Ticks / Math.Max(1, urls));

    private static string Format(TimeSpan interval) => interval >= TimeSpan.FromHours(1) ? $"{interval.TotalHours:0.#} h"
        : interval >= TimeSpan.FromMinutes(1) ? $"{interval.TotalMinutes:0.#} min" : $"{interval.TotalSeconds:0.#} s";

    /// <summary>Reserves the next block of slots (about 1/200 of the plan) in the stream, with what the plan counts.</summary>
    private async Task ReserveAsync(long planTotal, long totalSeen, DateTimeOffset now)
    {
        var block = Math.Max(1, planTotal / 200);
        var interval = Interval(campaign!.Settings.DripDays!.Value, planTotal);
        var highWater = (cursor > now ? cursor : now) + (interval * block);
        if (!await AppendAsync([new DripSlotsReserved(Guid.CreateVersion7(), plan, highWater, planTotal, totalSeen, now)]))
        {
            await ReloadAsync();
            cursor = cursor > Current.HighWater ? cursor : Current.HighWater;
        }
    }

    /// <summary>The campaign's URLs (failed ones left out), those not released yet, and when that count last changed; read every few seconds.</summary>
    private async Task<(long Total, long Unreleased, DateTimeOffset ChangedAt)> CountsAsync(DateTimeOffset now)
    {
        if (counts is { } known && now - known.ReadAt < CountsTtl)
            return (known.Total, known.Unreleased, known.ChangedAt);
        var key = this.GetPrimaryKeyString();
        var view = await queries.GetCampaignAsync(key[..key.IndexOf('/')], key[(key.IndexOf('/') + 1)..], CancellationToken.None);
        var total = view?.Counters.Where(c => c.State != "failed").Sum(c => c.Count) ?? 0;
        var unreleased = view?.Counters.Where(c => c.State is "collected" or "validated").Sum(c => c.Count) ?? 0;
        var changedAt = counts is { } before && before.Total == total ? before.ChangedAt : now;
        counts = (total, unreleased, now, changedAt);
        return (total, unreleased, changedAt);
    }
}
