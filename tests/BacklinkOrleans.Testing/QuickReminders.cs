using Orleans.Configuration;
using Orleans.Hosting;

namespace BacklinkOrleans.Testing;

public static class QuickReminders
{
    /// <summary>
    /// Reminders for tests: a period may be as short as a second, and a silo picks up new reminder rows within a
    /// second (in production, within minutes).
    /// </summary>
    public static ISiloBuilder UseQuickReminders(this ISiloBuilder silo) =>
        silo.Configure<ReminderOptions>(o =>
        {
            o.MinimumReminderPeriod = TimeSpan.FromSeconds(1);
            o.RefreshReminderListPeriod = TimeSpan.FromSeconds(1);
            o.ReminderLoadingWindow = TimeSpan.FromMinutes(1);
        });
}
