// One cluster at a time on a two-core machine, and the Sandbox's scripted answers are shared: tests run in sequence.
[assembly: CollectionBehavior(DisableTestParallelization = true)]
