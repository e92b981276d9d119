"""The package version, in a module of its own so every layer may import it without importing the
package (whose ``__init__`` imports the top layers)."""

__version__ = "0.1.0"
