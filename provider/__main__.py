"""The plugin's entry point: Pulumi's Python language host runs ``python <this directory> <engine>``.

It imports the installed package (``sendbird_recordings``, from requirements.txt), never the files
beside it, so it runs exactly what ``pulumi package add`` installed.
"""

from sendbird_recordings.provider.host import serve

if __name__ == "__main__":
    serve()
