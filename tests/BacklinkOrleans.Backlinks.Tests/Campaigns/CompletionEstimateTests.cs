using BacklinkOrleans.Backlinks.Campaigns;
using BacklinkOrleans.Backlinks.Contracts;

namespace BacklinkOrleans.Backlinks.Tests.Campaigns;

/// <summary>The completion estimate, pure: from what is left, the drip-feed's pace or the first channel's quota, and the last follow-up.</summary>
public sealed class CompletionEstimateTests
{
    private static readonly DateTimeOffset Now = new(2026, 12, 2, 10, 0, 0, TimeSpan.Zero);
    private static readonly DateTimeOffset Midnight = new(2026, 12, 3, 0, 0, 0, TimeSpan.Zero);
    private static readonly IReadOnlyList<TimeSpan> FollowUps = [TimeSpan.FromHours(1), TimeSpan.FromDays(7)];

    private static ChannelCapacity IndexNow(long remainingToday, long perDay, DateTimeOffset? heldUntil = null) =>
        new("indexnow", 1, 0, remainingToday, perDay, Midnight, TimeSpan.FromDays(1), heldUntil, null);

    [Fact]
    public void GivenADripFeed_ThenTheLastUrlGoesOneIntervalApartAfterThoseAlreadyGivenASlot()
    {
        // 100 left; the next free slot is 50 intervals away (50 URLs hold slots before it)
        var eta = CompletionEstimate.Of(100, null, new DripPace(Now.AddMinutes(50 * 7.2), TimeSpan.FromMinutes(7.2)), [], FollowUps, Now);

        Assert.Equal(Now.AddMinutes(99 * 7.2), eta.LastSubmissionAt);
        Assert.Equal(Now.AddMinutes(99 * 7.2).AddDays(7), eta.LastCheckAt); // the last follow-up after it
        Assert.Contains("drip-feed", eta.Basis);
    }

    [Fact]
    public void GivenWhatFitsInTodaysQuota_ThenItIsDoneNow() =>
        Assert.Equal(Now, CompletionEstimate.Of(80, null, null, [IndexNow(100, 100)], FollowUps, Now).LastSubmissionAt);

    [Fact]
    public void GivenMoreThanTodaysQuota_ThenTheRestGoesAWindowsWorthPerWindow()
    {
        // 30 today, then 100 a day: 250 left → 220 after today → 3 more windows: the last opens two days after the next midnight
        var eta = CompletionEstimate.Of(250, null, null, [IndexNow(30, 100)], FollowUps, Now);

        Assert.Equal(Midnight.AddDays(2), eta.LastSubmissionAt);
        Assert.Contains("3 more window(s)", eta.Basis);
    }

    [Fact]
    public void GivenAParkedQuota_ThenNothingGoesBeforeThePark()
    {
        var parked = Midnight.AddHours(8); // Google's per-day 429: parked until Pacific midnight
        var eta = CompletionEstimate.Of(50, null, null, [IndexNow(0, 100, parked) with { NextWindowAt = Midnight }], FollowUps, Now);

        Assert.Equal(parked, eta.LastSubmissionAt);
    }

    [Fact]
    public void GivenAPaidAccountWhoseBalanceDoesNotCoverWhatIsLeft_ThenItCannotBeTold()
    {
        var vendor = new ChannelCapacity("vendor", 1, 0, null, null, null, null, null, Balance: 40);

        var eta = CompletionEstimate.Of(100, null, null, [vendor], FollowUps, Now);

        Assert.Null(eta.LastSubmissionAt);
        Assert.Contains("balance (40 credits) does not cover the 100 URLs", eta.Basis);
        Assert.Equal(Now, CompletionEstimate.Of(30, null, null, [vendor], FollowUps, Now).LastSubmissionAt);
    }

    [Fact]
    public void GivenNoCredentialForTheCampaignsChannels_ThenItCannotBeTold() =>
        Assert.Null(CompletionEstimate.Of(10, null, null, [IndexNow(0, 0) with { Quotas = 0 }], FollowUps, Now).LastSubmissionAt);

    [Fact]
    public void GivenNothingLeft_ThenTheRemainingIsZero() =>
        Assert.Equal(0, CompletionEstimate.Of(0, null, null, [], FollowUps, Now).Remaining);
}
