"""The command line: click and tqdm live only here. ``commands`` (thin click commands), ``factory``
(options to an environment), ``inputs`` (stack outputs in), ``reporter`` (everything printed), the
renderers and the status page."""
