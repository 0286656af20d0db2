using System.Reflection;
using BacklinkOrleans.Backlinks.Contracts;
using BacklinkOrleans.Submission.Contracts;
using BacklinkOrleans.Submission.Lane;
using Microsoft.Extensions.Logging.Abstractions;

namespace BacklinkOrleans.Submission.Tests.Lane;

/// <summary>
/// A kept answer is not handed over again while its last hand-over is still being delivered: on a slow silo (or the
/// demo's accelerated clock, where "again after a minute" is 8 ms) the copies of the same calls piled up.
/// </summary>
public sealed class AnswerDelivererTests
{
    private static readonly IReadOnlyList<AddressedReport> OneCheck =
        [new("hash-1", null, new IndexCheckReport("serp", "fp", "check-1", IndexVerdicts.Indexed, null, "seen"))];

    [Fact]
    public async Task AKeptAnswer_StillBeingDelivered_IsNotHandedOverAgain_UntilItsDeliveryEnds()
    {
        var world = new FakeGrains();
        var deliverer = new AnswerDeliverer(world.Factory, NullLogger<AnswerDeliverer>.Instance);

        Assert.True(deliverer.Deliver("t", "quota-a", "answer-1", OneCheck, acknowledge: true));
        await world.FirstCallArrived.Task.WaitAsync(TimeSpan.FromSeconds(10));
        Assert.False(deliverer.Deliver("t", "quota-a", "answer-1", OneCheck, acknowledge: true));
        Assert.True(deliverer.Deliver("t", "quota-b", "answer-1", OneCheck, acknowledge: true)); // another grain's answer

        world.Release.SetResult();
        await world.Acknowledged("quota-a").WaitAsync(TimeSpan.FromSeconds(10));
        await WaitUntil(() => deliverer.Deliver("t", "quota-a", "answer-1", OneCheck, acknowledge: true));

        await WaitUntil(() => world.RecordCalls == 3); // quota-a's first and third hand-over, quota-b's one; never the second
    }

    [Fact]
    public async Task AnAnswerNotKept_IsAlwaysHandedOver()
    {
        var world = new FakeGrains();
        var deliverer = new AnswerDeliverer(world.Factory, NullLogger<AnswerDeliverer>.Instance);

        Assert.True(deliverer.Deliver("t", "quota-a", "refusal-1", OneCheck, acknowledge: false));
        await world.FirstCallArrived.Task.WaitAsync(TimeSpan.FromSeconds(10));
        Assert.True(deliverer.Deliver("t", "quota-a", "refusal-1", OneCheck, acknowledge: false));
        world.Release.SetResult();
        await WaitUntil(() => world.RecordCalls == 2);
    }

    private static async Task WaitUntil(Func<bool> condition)
    {
        for (var waited = 0; !condition(); waited += 10)
        {
            Assert.True(waited < 10_000, "the condition did not hold within 10 s");
            await Task.Delay(10);
        }
    }

    /// <summary>Backlinks whose index-check recording waits for <see cref="Release"/>; quota grains that record acknowledgements.</summary>
    private sealed class FakeGrains
    {
        private readonly Dictionary<string, TaskCompletionSource> acknowledgements = [];
        private int recordCalls;

        public FakeGrains() => Factory = Proxy<IGrainFactory>(Answer);

        public IGrainFactory Factory { get; }

        public TaskCompletionSource FirstCallArrived { get; } = new(TaskCreationOptions.RunContinuationsAsynchronously);

        public TaskCompletionSource Release { get; } = new(TaskCreationOptions.RunContinuationsAsynchronously);

        public int RecordCalls => Volatile.Read(ref recordCalls);

        public Task Acknowledged(string quotaGrain)
        {
            lock (acknowledgements)
                return (acknowledgements.TryGetValue(quotaGrain, out var done) ? done : acknowledgements[quotaGrain] = new(TaskCreationOptions.RunContinuationsAsynchronously)).Task;
        }

        private object? Answer(MethodInfo method, object?[]? args)
        {
            if (method.Name == nameof(IGrainFactory.GetGrain) && method.ReturnType == typeof(IBacklinkGrain))
                return Proxy<IBacklinkGrain>((m, _) => m.Name == nameof(IBacklinkGrain.RecordIndexCheckAsync)
                    ? RecordAsync()
                    : throw new NotSupportedException(m.Name));
            if (method.Name == nameof(IGrainFactory.GetGrain) && method.ReturnType == typeof(IChannelQuotaGrain))
            {
                var key = (string)args![0]!;
                return Proxy<IChannelQuotaGrain>((m, _) =>
                {
                    if (m.Name != nameof(IChannelQuotaGrain.AcknowledgeAsync))
                        throw new NotSupportedException(m.Name);
                    lock (acknowledgements)
                        (acknowledgements.TryGetValue(key, out var done) ? done : acknowledgements[key] = new(TaskCreationOptions.RunContinuationsAsynchronously)).TrySetResult();
                    return Task.CompletedTask;
                });
            }
            throw new NotSupportedException($"{method.Name} → {method.ReturnType.Name}");
        }

        private async Task<CommandOutcome> RecordAsync()
        {
            Interlocked.Increment(ref recordCalls);
            FirstCallArrived.TrySetResult();
            await Release.Task;
            return new CommandOutcome(true, null, null, null);
        }

        private static T Proxy<T>(Func<MethodInfo, object?[]?, object?> answer) where T : class
        {
            var proxy = DispatchProxy.Create<T, Dispatcher>();
            ((Dispatcher)(object)proxy).Answer = answer;
            return proxy;
        }
    }

    public class Dispatcher : DispatchProxy
    {
        internal Func<MethodInfo, object?[]?, object?> Answer { get; set; } = (_, _) => null;

        protected override object? Invoke(MethodInfo? targetMethod, object?[]? args) => Answer(targetMethod!, args);
    }
}
