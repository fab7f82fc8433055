"""Local stand-ins for AWS and Sendbird: moto server, the emulator deploy, and the main job.

Development-only: needs the ``dev`` extra (moto). Nothing in ``components`` or ``sendbird_copy``
imports it.
"""
