"""paas control plane: API, release ledger, and (in later modules) git, builds, runner,
router and logs."""

__version__ = "0.1.0"
