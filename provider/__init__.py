"""The component package: RecordingStorage for every Pulumi language (``pulumi package add``).

``host`` builds the provider (schema inferred from the components' annotations by Pulumi's analyzer)
and serves it; ``schema`` writes ``schema.json`` from it offline; ``__main__`` is the plugin's entry,
run by Pulumi's Python language host as ``python <this directory> <engine address>``. Installed, this
directory is ``sendbird_recordings.provider``; in the repository it is ``provider``.
"""
