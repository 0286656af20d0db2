namespace BacklinkOrleans.SharedKernel.ReadModels;

/// <summary>
/// A bounded cache of recently used entries for one thread of work (not thread-safe): two generations, the current
/// and the previous; when the current one is full it becomes the previous and the oldest entries are forgotten.
/// Memory stays bounded whatever the number of keys seen (a million waiting backlinks cost nothing here).
/// </summary>
public sealed class RecentCache<TKey, TValue>(int capacity, IEqualityComparer<TKey>? comparer = null) where TKey : notnull
{
    private Dictionary<TKey, TValue> current = new(comparer);
    private Dictionary<TKey, TValue> previous = new(comparer);

    public bool TryGet(TKey key, out TValue value)
    {
        if (current.TryGetValue(key, out value!))
            return true;
        if (!previous.Remove(key, out value!))
            return false;
        Set(key, value); // used again: keep it
        return true;
    }

    public void Set(TKey key, TValue value)
    {
        if (current.Count >= Math.Max(1, capacity / 2) && !current.ContainsKey(key))
        {
            previous = current;
            current = new Dictionary<TKey, TValue>(comparer);
        }
        current[key] = value;
    }

    public void Clear()
    {
        current.Clear();
        previous.Clear();
    }

    public void Remove(TKey key)
    {
        current.Remove(key);
        previous.Remove(key);
    }
}
