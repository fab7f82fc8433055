"""RecordingStorage's options for audited teams, each off by default and secure when on, one module
per option: ``object_lock`` (write-once retention of each copied recording), ``replication`` (its
argument) with ``replica`` and ``replica_policies`` (a replica in a second region), ``inventory``
(S3 Inventory), ``tiering`` (Intelligent-Tiering's archive tiers), ``events`` with
``event_policies`` (delivery of recording-arrived events). Nothing is re-exported here: ``args``
imports the arguments, ``recording_storage`` the wiring."""
