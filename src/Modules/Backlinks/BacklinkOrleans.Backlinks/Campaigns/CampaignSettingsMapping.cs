using BacklinkOrleans.Backlinks.Campaigns;
using BacklinkOrleans.Backlinks.Contracts;
using FluentValidation;

namespace BacklinkOrleans.Backlinks.ReadModels;

/// <summary>Campaign settings from a create request (defaults filled in) and back to their API form.</summary>
internal static class CampaignSettingsMapping
{
    public static readonly IReadOnlyList<TimeSpan> DefaultFollowUps = [TimeSpan.FromHours(1), TimeSpan.FromHours(24), TimeSpan.FromDays(7)];
    public static readonly TimeSpan DefaultHorizon = TimeSpan.FromDays(180);

    /// <summary>Call only after <see cref="CreateCampaignValidator"/> accepted the request.</summary>
    public static CampaignSettings FromRequest(CreateCampaignRequest request) => new(
        request.Name!.Trim(),
        request.Client?.Trim() ?? "",
        request.ChannelPreference is { Count: > 0 } channels ? [.. channels.Select(c => c.Trim().ToLowerInvariant())] : CampaignSettings.Channels,
        request.RecoveryLimit ?? 1,
        request.FollowUpSchedule is { Count: > 0 } schedule ? [.. schedule.Select(s => Durations.TryParse(s, out var d) ? d.Value : default)] : DefaultFollowUps,
        request.MonitoringHorizon is { } horizon && Durations.TryParse(horizon, out var h) ? h.Value : DefaultHorizon,
        request.Priority ?? 50,
        request.PreCheck ?? true,
        request.MonitorEvery is { } every && Durations.TryParse(every, out var e) ? e.Value : CampaignSettings.DefaultMonitorEvery,
        request.DripDays);

    public static CampaignSettingsView ToView(CampaignSettings settings) => new(
        settings.ChannelPreference, settings.RecoveryLimit, [.. settings.FollowUpSchedule.Select(Durations.Format)],
        Durations.Format(settings.MonitoringHorizon), settings.Priority, settings.PreCheck, Durations.Format(settings.MonitorInterval), settings.DripDays);
}

internal sealed class CreateCampaignValidator : AbstractValidator<CreateCampaignRequest>
{
    public CreateCampaignValidator()
    {
        RuleFor(r => r.Name).NotEmpty().MaximumLength(200);
        RuleFor(r => r.Client).MaximumLength(200);
        RuleForEach(r => r.ChannelPreference)
            .Must(c => CampaignSettings.Channels.Contains(c?.Trim().ToLowerInvariant()))
            .WithMessage(c => $"'{{PropertyValue}}' is not a channel; use {string.Join(", ", CampaignSettings.Channels)}.");
        RuleFor(r => r.ChannelPreference)
            .Must(c => c is null || c.Select(x => x?.Trim().ToLowerInvariant()).Distinct().Count() == c.Count)
            .WithMessage("Each channel may appear once.");
        RuleFor(r => r.RecoveryLimit).InclusiveBetween(0, 5);
        RuleFor(r => r.Priority).InclusiveBetween(0, 100);
        RuleFor(r => r.FollowUpSchedule)
            .Must(s => s is null || s.Count <= 10).WithMessage("At most 10 follow-up checks.")
            .Must(s => s is null || s.All(x => Durations.TryParse(x, out var d) && d >= TimeSpan.FromMinutes(5) && d <= TimeSpan.FromDays(30)))
            .WithMessage("Each follow-up is a duration from 5m to 30d, such as \"1h\" or \"24h\".")
            .Must(s => s is null || s.Select(x => Durations.TryParse(x, out var d) ? d.Value : TimeSpan.Zero).Zip(
                s.Skip(1).Select(x => Durations.TryParse(x, out var d) ? d.Value : TimeSpan.Zero)).All(p => p.First < p.Second))
            .WithMessage("Follow-ups must be in increasing order.");
        RuleFor(r => r.MonitoringHorizon)
            .Must(h => h is null || (Durations.TryParse(h, out var d) && d >= TimeSpan.FromDays(1) && d <= TimeSpan.FromDays(365)))
            .WithMessage("The monitoring horizon is a duration from 1d to 365d, such as \"30d\".");
        RuleFor(r => r.DripDays).InclusiveBetween(1, CampaignSettings.MaxDripDays)
            .WithMessage($"'dripDays' spreads the campaign's submissions over 1 to {CampaignSettings.MaxDripDays} days.");
        RuleFor(r => r.MonitorEvery)
            .Must(m => m is null || (Durations.TryParse(m, out var d) && d >= TimeSpan.FromHours(1) && d <= TimeSpan.FromDays(365)))
            .WithMessage("'monitorEvery' is a duration from 1h to 365d, such as \"30d\".");
    }
}
