"""The smoke test's stages: the region check, the preflight (the copy identity's grants), and the copy
with its watch. Plain functions taking clients; results are ``report.Check`` values."""
