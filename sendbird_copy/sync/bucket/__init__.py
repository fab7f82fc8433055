"""What the bucket holds for the sync, and how far each is believed: the ledger (one entry per
recording), the discovery state, the lease, the record of checked copies; S3's own clock.
Only the operator's and the function's roles write here; the copy identity is refused every key of it."""
