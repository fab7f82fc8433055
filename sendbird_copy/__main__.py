"""``python -m sendbird_copy``: the same CLI as the ``sendbird-copy`` console script."""

from sendbird_copy.cli import main

if __name__ == "__main__":
    main()
