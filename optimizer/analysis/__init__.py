"""Analysis across plans: comparisons, parameter sweeps, Pareto fronts and their charts."""
