using System.Text.Json;
using BacklinkOrleans.SharedKernel.EventSourcing;

namespace BacklinkOrleans.Reporting.Reports;

/// <summary>The stored form of <see cref="ReportFacts"/>: compact JSON, the same bytes for the same facts (the audit compares them).</summary>
internal static class ReportJson
{
    public static string Write(ReportFacts facts) => JsonSerializer.Serialize(facts, EventTypeRegistry.JsonOptions);

    public static ReportFacts Read(string json) =>
        JsonSerializer.Deserialize<ReportFacts>(json, EventTypeRegistry.JsonOptions) ?? throw new InvalidOperationException("Stored report facts are null.");
}
