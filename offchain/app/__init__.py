"""The application layer: the ``gridledger`` command line, the demo, deploy-all and the gas snapshot.

It is the only layer that knows every mechanism, and only through the registry
(:mod:`.registry`): adding a mechanism edits one line there.
"""
