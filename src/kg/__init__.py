"""kg: an open knowledge graph of China's 2025 health-policy facts."""

__version__ = "0.1.0"
