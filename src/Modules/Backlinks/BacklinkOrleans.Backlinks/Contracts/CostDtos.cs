namespace BacklinkOrleans.Backlinks.Contracts;

/// <summary>What was paid for: a submission a paid channel accepted, or a paid index check.</summary>
public static class CostKinds
{
    public const string Submission = "submission";
    public const string Check = "check";

    /// <summary>Costs are summed in millionths of the agency's currency, so sums are exact.</summary>
    public static long ToMicros(decimal cost) => (long)decimal.Round(cost * 1_000_000m, MidpointRounding.AwayFromZero);

    public static decimal FromMicros(long micros) => micros / 1_000_000m;
}

/// <summary>What one channel cost a campaign for one kind of work: how many paid units, and their sum.</summary>
public sealed record CostLine(string Channel, string Kind, long Units, decimal Cost);

/// <summary>What a campaign's backlinks cost (in the currency the credentials' prices are in), by channel and kind.</summary>
public sealed record CampaignCost(string CampaignId, string Name, string Client, decimal Total, IReadOnlyList<CostLine> Lines);

/// <summary>What a client's campaigns cost in all, and each campaign's part.</summary>
public sealed record ClientCost(string Client, decimal Total, long Submissions, long Checks, IReadOnlyList<CampaignCost> Campaigns);
