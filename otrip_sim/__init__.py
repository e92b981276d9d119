"""otrip-sim: a public-transport fare-integration simulator."""

__version__ = "0.1.0"
