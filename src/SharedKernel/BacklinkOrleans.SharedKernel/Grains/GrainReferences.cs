using System.Runtime.CompilerServices;
using Orleans.Runtime;

namespace BacklinkOrleans.SharedKernel.Grains;

/// <summary>
/// Grain references on the per-backlink paths without Orleans' per-call type lookup: <c>GetGrain&lt;T&gt;(key)</c>
/// resolves <typeparamref name="T"/>'s grain interface type by reflection over its custom attributes on every call
/// (2.5 % of all CPU in a 100k-backlink run on PostgreSQL, from the import's wake-ups, validation's robots grain, the
/// submission and capacity ports and the answer deliverer). Here the grain type and interface type of each interface
/// are taken once per grain factory from a reference it made, and each reference is made from them with
/// <see cref="IGrainFactory.GetGrain(GrainId, GrainInterfaceType)"/> — the same reference, built without the lookup.
/// A factory whose references are not Orleans' own (a test's stand-in) gets plain <c>GetGrain&lt;T&gt;(key)</c> calls.
/// </summary>
public static class GrainReferences
{
    public static T Reference<T>(this IGrainFactory grains, string key) where T : IGrainWithStringKey =>
        TypesOf<T>.For(grains) is { } types
            ? (T)grains.GetGrain(GrainId.Create(types.Grain, key), types.Interface)
            : grains.GetGrain<T>(key);

    private sealed record Types(GrainType Grain, GrainInterfaceType Interface);

    private static class TypesOf<T> where T : IGrainWithStringKey
    {
        // Per factory: a silo's and a client's are few and live as long as they do; a stand-in resolves to nothing.
        private static readonly ConditionalWeakTable<IGrainFactory, StrongBox<Types?>> Known = new();

        public static Types? For(IGrainFactory grains) => Known.GetValue(grains, Resolve).Value;

        private static StrongBox<Types?> Resolve(IGrainFactory grains) =>
            new(grains.GetGrain<T>("type-of") is GrainReference reference ? new Types(reference.GrainId.Type, reference.InterfaceType) : null);
    }
}
