"""Readers: per-SOC quantities (radial/hoop stress, GB crack risk, delamination) from a
solved state. Sampling needs DOLFINx; the reductions are numpy + MPI."""
