using BenchmarkDotNet.Running;

// Pick benchmarks with --filter, e.g. --filter '*Search*'.
BenchmarkSwitcher.FromAssembly(typeof(Program).Assembly).Run(args);
