"""``python -m sendbird_copy.cli``: the same CLI as the ``sendbird-copy`` console script."""

from sendbird_copy.cli.commands import main

if __name__ == "__main__":
    main()
