"""The scheduled function (Lambda): its configuration from the environment and Secrets Manager, the
write-path probe it runs as the copy identity, and the handler that runs the sync core and reports
metrics. Its entry point is ``facts.HANDLER``."""
